"""Online recalculation of one account after a change (the API calls it in its transaction,
through billing's side of the recalculation seam, ``service.OnlineRecalculation``).

``recalculate_account(session, number, period, calculator=…)``: ``period`` is the earliest month
the change touches. Closed months from there on get recalculation lines booked in the open
period (with every month the account is queued for); the open period's charge lines of the
account are computed again. Nothing is committed here: the caller's unit of work owns the
transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.money import format_kopecks, format_micro
from zhkh.kernel.period import Period as Month
from zhkh.modules.billing.charges import new_run_id, replace_charges
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.house_step import recompute_house_common
from zhkh.modules.billing.models import RecalculationRequest
from zhkh.modules.billing.recalc import Booked, open_period, recalc_accounts
from zhkh.modules.billing.repository import (
    LedgerRepository,
    PeriodClosedError,
    PeriodRepository,
    RecalculationQueueRepository,
)
from zhkh.modules.billing.run import write_batch
from zhkh.modules.errors import NotFound
from zhkh.modules.registry.models import Account


def recalculate_account(session: Session, account_number: str, period: str, *,
                        calculator: BatchCalculator,
                        reason: str = "изменение данных лицевого счёта") -> list[dict[str, Any]]:
    """Recompute one account after a change touching ``period`` and later months.

    Returns the account's new charge lines of the open period and the recalculation lines
    booked for closed months (JSON-ready dicts, money as strings). Raises ``NotFound``
    for an unknown account and ``CalculationError`` when the account cannot be calculated in
    the open period (nothing of it is written then).
    """
    account_id = session.scalar(select(Account.id).where(Account.number == account_number))
    if account_id is None:
        raise NotFound("account_not_found", f"лицевой счёт {account_number} не найден",
                       obj=f"account:{account_number}")
    month = str(Month.parse(period))
    booked_in = _open_or_create(session, month)
    if booked_in is None:  # billing has not started in this database: the change is history
        return []
    queue = RecalculationQueueRepository(session)
    pending = list(session.scalars(select(RecalculationRequest).where(
        RecalculationRequest.account_id == account_id,
        RecalculationRequest.processed_at.is_(None))))
    since = min([month, *(p.period_for for p in pending)])
    run_id = new_run_id(booked_in, "online")
    booked = recalc_accounts(session, calculator, [account_id], since, reason=reason,
                             run_id=run_id) if since < booked_in else []
    lines = _recompute_strict(session, calculator, account_id, account_number, booked_in,
                              run_id)
    if pending:
        queue.mark_processed([p.id for p in pending])
    return lines + [_booked_dict(b, account_number, booked_in) for b in booked]


def recalculate_house(session: Session, house_id: int, period: str, *,
                      calculator: BatchCalculator
                      ) -> dict[str, list[dict[str, Any]] | dict[str, Any]]:
    """Recompute every account of the house in the open ``period`` (a house meter's reading
    changes heating by the house meter and the common property of all of them): account
    number → its new lines of the month as stored, or its error as a dict. The caller's
    transaction owns the writes; the period must be the open one."""
    run_id = new_run_id(period, "online")
    computed, numbers = write_batch(session, calculator, period, [house_id], run_id)
    out: dict[str, list[dict[str, Any]] | dict[str, Any]] = {n: [] for n in numbers.values()}
    stored = LedgerRepository(session).lines_of_run(run_id, list(numbers), period)
    for line in stored:
        lines = out[numbers[line.account_id]]
        assert isinstance(lines, list)
        lines.append({"service": line.service, "component": line.component,
                      "zone": line.zone, "method": line.method, "kind": line.kind,
                      "period_for": line.period_for, "period_booked": line.period_booked,
                      "volume": format_micro(line.volume_micro or 0),
                      "amount": format_kopecks(line.amount_kopecks), "explain": line.explain})
    for error in computed.errors:
        out[numbers.get(error.account_id, str(error.account_id))] = {
            "code": error.code, "message": error.message, "service": error.service}
    return out


def _open_or_create(session: Session, month: str) -> str | None:
    """The open period; when every period is closed, the month of the change or the one after
    the last closed, whichever is later; None before the billing start (no period at all): a
    change dated before the start never opens a period of its own."""
    try:
        return open_period(session)
    except PeriodClosedError:
        periods = PeriodRepository(session)
        last = periods.latest()
        if last is None:
            return None
        return periods.open(max(month, str(Month.parse(last).shift(1))),
                            after_start=True).period


def _recompute_strict(session: Session, calculator: BatchCalculator, account_id: int, number: str,
                      period: str, run_id: str) -> list[dict[str, Any]]:
    facts = FactsReader(session, period, calculator.common).for_accounts([account_id])
    computed = calculator.compute(facts)
    if computed.errors:
        first = computed.errors[0]
        raise CalculationError(first.code, first.message, account=number,
                               service=first.service)
    replace_charges(session, period, [account_id], computed, facts.provider_ids,
                    calculator.version, run_id)
    if computed.houses:  # the others' common property follows this account's volumes
        recompute_house_common(session, calculator, period, computed.houses[0][0], run_id)
    return [{**line.model_dump(), "period_for": period, "period_booked": period,
             "rulebook_version": calculator.version} for _, line in computed.lines]


def _booked_dict(b: Booked, number: str, booked_in: str) -> dict[str, Any]:
    return {"account": number, "service": b.service, "provider_id": b.provider_id,
            "kind": "recalculation", "period_for": b.period_for, "period_booked": booked_in,
            "was": format_kopecks(b.was_kopecks), "now": format_kopecks(b.now_kopecks),
            "amount": format_kopecks(b.amount_kopecks), "explain": b.explain}
