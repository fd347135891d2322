"""The house step of the monthly run and of online changes: common property (СОИ) per house.

In a batch, after the individual lines of every account are computed (columnar and situation
paths), :func:`common_step` sums each house's individual volumes per resource from those
lines, gives ``calculate`` one situation per house with the accounts' common-property services
(``common.common_facts``) and merges the lines and the house totals into the batch's result —
in the same pass, before the batch is written. :func:`recompute_house_common` does the same for
one house of the open month from the ledger (a house meter's reading, an account recalculated
online), replacing only the common-property lines of its accounts.
:func:`replace_house_totals` stores the houses' figures (``house_month_totals``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.columnar import ColumnarResult
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.money import to_micro
from zhkh.kernel.period import Period
from zhkh.modules.billing.columns import ColumnBatch
from zhkh.modules.billing.common import (
    common_facts,
    individual_of_columns,
    individual_of_lines,
    ledger_individual,
)
from zhkh.modules.billing.compute import BatchCalculator, Computed, ledger_rows
from zhkh.modules.billing.facts import BatchFacts
from zhkh.modules.billing.models import HouseMonthTotal
from zhkh.modules.billing.repository import LedgerRepository, RunErrorRepository
from zhkh.modules.registry.models import Provider


def common_step(session: Session, calculator: BatchCalculator, period: str,
                house_ids: Sequence[int], batch: ColumnBatch, result: ColumnarResult,
                computed: Computed) -> None:
    """Add the common-property lines and house totals of ``house_ids`` to ``computed`` (the
    batch's individual lines: ``result`` columnar, ``computed.lines`` the rest)."""
    common = calculator.common
    if not common.codes:
        return
    individual = individual_of_lines(computed.lines, batch.house_of, common)
    if len(result.fact):
        templates = result.templates
        tmpl = result.template.tolist()
        for key, volume in individual_of_columns(
                batch.facts.account[result.fact], [templates[t].service for t in tmpl],
                [templates[t].component for t in tmpl], result.volume, batch.house_of,
                common).items():
            individual[key] = individual.get(key, 0) + volume
    providers = {i: c for c, i in batch.provider_ids.items()}
    facts = common_facts(session, Period.parse(period), house_ids, common, individual,
                         providers, skip_accounts=computed.failed_accounts)
    _merge(calculator, facts.situations, facts.account_ids, batch.provider_ids, computed)


def _merge(calculator: BatchCalculator, situations: list[Situation], account_ids: dict[str, int],
           provider_ids: dict[str, int], computed: Computed) -> None:
    if not situations:
        return
    shared = calculator.compute(BatchFacts(period="", situations=situations,
                                           account_ids=account_ids, provider_ids=provider_ids))
    computed.lines += shared.lines
    computed.errors += shared.errors
    computed.failed_accounts |= shared.failed_accounts
    computed.houses += shared.houses


def replace_house_totals(session: Session, period: str, house_ids: Sequence[int],
                         computed: Computed, run_id: str) -> None:
    """Store the houses' common-property figures of ``period`` (those of ``house_ids`` and of
    the houses computed are replaced)."""
    houses = sorted(set(house_ids) | {h for h, _ in computed.houses})
    for i in range(0, len(houses), 900):
        session.execute(delete(HouseMonthTotal).where(
            HouseMonthTotal.period == period, HouseMonthTotal.house_id.in_(houses[i:i + 900])),
            execution_options={"synchronize_session": False})
    if computed.houses:
        session.execute(insert(HouseMonthTotal), [{
            "house_id": hid, "period": period, "service": t.service, "resource": t.resource,
            "source": t.source,
            "house_volume_micro": None if t.house_volume is None else to_micro(t.house_volume),
            "individual_micro": to_micro(t.individual_volume),
            "common_area_micro": to_micro(t.common_area),
            "total_area_micro": to_micro(t.total_area), "cap_micro": to_micro(t.cap),
            "cap_lifted": t.cap_lifted, "outcome": t.outcome,
            "common_volume_micro": to_micro(t.common_volume), "run_id": run_id,
        } for hid, t in computed.houses])


def recompute_house_common(session: Session, calculator: BatchCalculator, period: str,
                           house_id: int, run_id: str) -> Computed:
    """Recompute the common-property lines of every account of ``house_id`` in the open
    ``period`` from the ledger's individual lines of the month (a house meter's reading, an
    account recalculated online); their other lines are kept. Returns what was computed."""
    common = calculator.common
    computed = Computed()
    if not common.codes:
        return computed
    individual = ledger_individual(session, period, [house_id], [], common)
    providers = _providers(session)
    facts = common_facts(session, Period.parse(period), [house_id], common, individual,
                         providers)
    provider_ids = {c: i for i, c in providers.items()}
    _merge(calculator, facts.situations, facts.account_ids, provider_ids, computed)
    ids = sorted(facts.account_ids.values())
    ledger = LedgerRepository(session)
    if ids:
        ledger.delete_for_recompute(period, account_ids=ids, kinds=("charge",), own_month=True,
                                    services=sorted(common.codes))
    ledger.write_lines(ledger_rows(computed.lines, provider_ids, period_booked=period,
                                   version=calculator.version, run_id=run_id))
    if computed.errors:
        RunErrorRepository(session).add_many(
            run_id, ((e.account_id, e.service, e.code, e.message) for e in computed.errors))
    replace_house_totals(session, period, [house_id], computed, run_id)
    return computed


def _providers(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Provider.id, Provider.code)).all())


__all__ = ["common_step", "recompute_house_common", "replace_house_totals"]
