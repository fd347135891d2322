"""Recalculation of closed months into the open one.

For each account × service × provider of a closed month: compute the month again with the
current facts and the current rules, compare with what the ledger holds for that month
(``period_for``: its charges, benefits, quality reductions and every recalculation booked
since), and book the difference as a ``recalculation`` line in the open period, explain
«было X, стало Y, причина: …».
Closed lines are never touched. Booking is idempotent: a second pass finds no difference.
Accounts whose new calculation fails get a run error and no recalculation line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhkh.kernel.money import format_rub_ru, to_kopecks
from zhkh.kernel.period import Period as Month
from zhkh.modules.audit.repository import AuditRepository
from zhkh.modules.billing.charges import (
    OWN_KINDS,
    Progress,
    UnitOfWork,
    new_run_id,
    recompute_open,
)
from zhkh.modules.billing.compute import BatchCalculator, Computed
from zhkh.modules.billing.facts import IN_CHUNK, BatchFacts, FactsReader
from zhkh.modules.billing.models import LedgerLine, RecalculationRequest
from zhkh.modules.billing.repository import (
    LedgerRepository,
    LedgerRow,
    PeriodClosedError,
    PeriodRepository,
    RecalculationQueueRepository,
    RunErrorRepository,
)
from zhkh.modules.registry.repository import RegistryRepository

Key = tuple[int, str, int]
"""(account id, service, provider id)."""


@dataclass(frozen=True, slots=True)
class Booked:
    """One recalculation booked (for reports and the API)."""

    account_id: int
    service: str
    provider_id: int
    period_for: str
    was_kopecks: int
    now_kopecks: int
    amount_kopecks: int
    explain: str


def open_period(session: Session) -> str:
    """The period new lines are booked in: the latest open one (refused when none is open)."""
    found = PeriodRepository(session).latest_open()
    if found is None:
        raise PeriodClosedError("нет открытого расчётного периода: откройте период "
                                "командой zhkh run --period ГГГГ-ММ")
    return found


def closed_months(session: Session, since: str, before: str) -> list[str]:
    """Closed periods from ``since`` up to (not including) ``before``, oldest first."""
    return PeriodRepository(session).closed_between(since, before)


def ledger_sums(session: Session, period_for: str, account_ids: Sequence[int]
                ) -> dict[Key, int]:
    """What the ledger holds for ``period_for`` per key: every kind a calculation gives
    (``OWN_KINDS``: charges, recalculations, benefits, quality reductions)."""
    sums: dict[Key, int] = {}
    ids = list(account_ids)
    for i in range(0, len(ids), IN_CHUNK):
        stmt = (select(LedgerLine.account_id, LedgerLine.service, LedgerLine.provider_id,
                       func.sum(LedgerLine.amount_kopecks))
                .where(LedgerLine.period_for == period_for,
                       LedgerLine.kind.in_(OWN_KINDS),
                       # penalties are the finance module's: their corrections are
                       # recalculation lines too, but no calculation of a month gives them
                       LedgerLine.service != "penalty",
                       LedgerLine.account_id.in_(ids[i:i + IN_CHUNK]))
                .group_by(LedgerLine.account_id, LedgerLine.service, LedgerLine.provider_id))
        for account_id, service, provider_id, total in session.execute(stmt):
            sums[(account_id, service, provider_id)] = int(total)
    return sums


def recalculate_facts(session: Session, calculator: BatchCalculator, facts: BatchFacts, *,
                      booked_in: str, reason: str, run_id: str) -> list[Booked]:
    """Book the differences between ``facts`` computed now and the ledger, in ``booked_in``."""
    computed = calculator.compute(facts)
    now, explains = _new_totals(computed, facts.provider_ids)
    ok_accounts = [a for a in facts.scope_account_ids if a not in computed.failed_accounts]
    was = ledger_sums(session, facts.period, ok_accounts)
    booked: list[Booked] = []
    for key in sorted(set(now) | set(was)):
        if key[0] in computed.failed_accounts:
            continue
        before, after = was.get(key, 0), now.get(key, 0)
        if before == after:
            continue
        title = calculator.service_title(key[1])
        text = (f"Перерасчёт за {facts.period}, {title}: было {format_rub_ru(before)}, "
                f"стало {format_rub_ru(after)}, разница {_signed(after - before)}; "
                f"причина: {reason}")
        if key in explains:
            text += "; расчёт: " + "; ".join(explains[key])
        booked.append(Booked(key[0], key[1], key[2], facts.period, before, after,
                             after - before, text))
    LedgerRepository(session).write_lines(
        LedgerRow(account_id=b.account_id, service=b.service, component=None, zone=None,
                  provider_id=b.provider_id, period_for=b.period_for, period_booked=booked_in,
                  kind="recalculation", method=None, volume_micro=None, tariff_micro=None,
                  amount_kopecks=b.amount_kopecks, rulebook_version=calculator.version,
                  explain=b.explain, run_id=run_id) for b in booked)
    if computed.errors:
        RunErrorRepository(session).add_many(
            run_id, ((e.account_id, e.service, e.code, e.message) for e in computed.errors))
    return booked


def _new_totals(computed: Computed, provider_ids: dict[str, int]
                ) -> tuple[dict[Key, int], dict[Key, list[str]]]:
    totals: dict[Key, int] = defaultdict(int)
    explains: dict[Key, list[str]] = defaultdict(list)
    for account_id, line in computed.lines:
        key = (account_id, line.service, provider_ids[line.provider])
        totals[key] += to_kopecks(line.amount)
        explains[key].append(line.explain)
    return totals, explains


def _signed(kopecks: int) -> str:
    return ("+" if kopecks > 0 else "") + format_rub_ru(kopecks)


def recalc_since(unit: UnitOfWork, calculator: BatchCalculator, since: str, *, reason: str,
                 houses_per_batch: int = 50, progress: Progress | None = None,
                 actor: str = "system", until: str | None = None) -> list[Booked]:
    """Recalculate every closed month from ``since`` (to ``until`` inclusive when given) for
    every house with ``calculator``'s rules (a rule changed with a past effective date):
    differences are booked in the open period, one unit of work per month × batch of houses,
    each audited in its own transaction (``billing.recalc``: who, why, the month, the houses,
    lines and amount); then the pending queue is processed too."""
    since = str(Month.parse(since))
    last = str(Month.parse(until)) if until is not None else None
    with unit() as session:
        booked_in = open_period(session)
        months = [m for m in closed_months(session, since, booked_in)
                  if last is None or m <= last]
        houses = RegistryRepository(session).house_ids()
    run_id = new_run_id(booked_in, "recalc")
    booked: list[Booked] = []
    steps = len(months) * len(houses)
    done = 0
    for month in months:
        for start in range(0, len(houses), houses_per_batch):
            batch = houses[start:start + houses_per_batch]
            with unit() as session:
                facts = FactsReader(session, month, calculator.common).for_houses(batch)
                lines = recalculate_facts(session, calculator, facts, booked_in=booked_in,
                                          reason=reason, run_id=run_id)
                _audit(session, actor, reason, booked_in, run_id, lines,
                       month=month, houses=[int(h) for h in batch])
                booked += lines
            done += len(batch)
            if progress is not None:
                progress(done, steps)
    booked += process_queue(unit, calculator, reason=reason, actor=actor)
    return booked


def _audit(session: Session, actor: str, reason: str, booked_in: str, run_id: str,
           lines: Sequence[Booked], **scope: object) -> None:
    """One audit entry for recalculation lines booked in this transaction (none: no entry)."""
    if not lines:
        return
    AuditRepository(session).record(
        actor=actor, action="billing.recalc", object_type="period", object_id=booked_in,
        after={"run_id": run_id, "lines": len(lines),
               "accounts": len({b.account_id for b in lines}),
               "amount_kopecks": sum(b.amount_kopecks for b in lines), **scope},
        reason=reason)


def recalc_accounts(session: Session, calculator: BatchCalculator, account_ids: Sequence[int],
                    since: str, *, reason: str, run_id: str | None = None) -> list[Booked]:
    """Recalculate the closed months from ``since`` of some accounts, in the caller's
    transaction (the online path and the queue)."""
    booked_in = open_period(session)
    run_id = run_id or new_run_id(booked_in, "recalc")
    booked: list[Booked] = []
    for month in closed_months(session, str(Month.parse(since)), booked_in):
        facts = FactsReader(session, month, calculator.common).for_accounts(account_ids)
        if not facts.scope_account_ids:
            continue
        booked += recalculate_facts(session, calculator, facts, booked_in=booked_in,
                                    reason=reason, run_id=run_id)
    return booked


def process_queue(unit: UnitOfWork, calculator: BatchCalculator, *, reason: str,
                  limit: int = 10_000, actor: str = "system") -> list[Booked]:
    """Handle pending queue entries: each account is recalculated from the earliest month it
    was queued for (its later closed months too: a corrected reading moves the next month's
    volume as well) and its charges in the open period are computed again."""
    booked: list[Booked] = []
    while True:
        with unit() as session:
            pending = RecalculationQueueRepository(session).pending(limit=limit)
            if not pending:
                return booked
            lines = _handle(session, calculator, pending, reason)
            _audit(session, actor, reason, open_period(session), "queue", lines,
                   queue_entries=len(pending))
            booked += lines


def _handle(session: Session, calculator: BatchCalculator, pending: Iterable[RecalculationRequest],
            reason: str) -> list[Booked]:
    earliest: dict[int, str] = {}
    reasons: dict[int, list[str]] = defaultdict(list)
    ids: list[int] = []
    for entry in pending:
        ids.append(entry.id)
        earliest[entry.account_id] = min(earliest.get(entry.account_id, entry.period_for),
                                         entry.period_for)
        if entry.reason not in reasons[entry.account_id]:
            reasons[entry.account_id].append(entry.reason)
    booked_in = open_period(session)
    run_id = new_run_id(booked_in, "queue")
    booked: list[Booked] = []
    by_since: dict[str, list[int]] = defaultdict(list)
    for account_id, since in earliest.items():
        by_since[since].append(account_id)
    for since, accounts in sorted(by_since.items()):
        for account_id in accounts:
            why = "; ".join(reasons[account_id]) or reason
            booked += recalc_accounts(session, calculator, [account_id], since, reason=why,
                                      run_id=run_id)
        recompute_open(session, calculator, accounts, booked_in, run_id)
    RecalculationQueueRepository(session).mark_processed(ids)
    return booked
