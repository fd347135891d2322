"""Penalties booked from the ledger (ЖК РФ ст. 155 ч. 14): a phase of the monthly run, and the
same for one account after a payment.

A debt is the bill of a month ``B``: every line booked in ``B`` other than penalties (a
recalculation of an old month is owed with the bill that shows it, so it is due with that bill,
not from the old month's due date), minus the principal paid to ``B`` by allocation rows, each
part on the day it was allocated. The compiled penalty kernel gives the penalty of each bill
accrued by the last day of the open month ``M``, ``P_M(B)``. What lands in ``M``:

* ``P_M(B) − booked(B)`` as a ``penalty`` line, where ``booked(B)`` is what earlier months
  booked for ``B``; and for an account whose past changed after ``M − 1`` closed (a payment
  dated before ``M`` but posted in ``M``, a storno):
* ``P_{M−1}(B) − booked(B)`` as a ``recalculation`` line about ``M − 1`` (a closed month's
  penalties change only by recalculation), and ``P_M(B) − P_{M−1}(B)`` as the penalty.

Bills of closed months never change, so ``P`` of a bill paid off before ``M`` stays what was
booked. Each amount is split over the providers of ``B`` in proportion to their charges in it
(largest remainder), so a penalty is owed to the provider whose money was late. The lines of
the service ``penalty`` booked in ``M`` belong to this phase: it deletes and writes them again,
so a rerun replaces them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from zhkh.kernel.allocation import split_largest_remainder
from zhkh.kernel.money import format_rub_ru
from zhkh.kernel.penalties import PenaltyBatch, PenaltyPolicy, compute_penalties_batch
from zhkh.kernel.period import Period
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import LedgerRepository, LedgerRow
from zhkh.modules.db.bulk import insert_rows
from zhkh.modules.db.repository import among
from zhkh.modules.finance.allocating import PENALTY_SERVICE
from zhkh.modules.finance.models import Allocation, Payment, PenaltyFinal

BATCH = 20_000
"""Accounts per unit of work of the phase."""


@dataclass(slots=True)
class Inputs:
    """What the penalties of some accounts depend on, read from the ledger and the allocation
    rows: charges per (account, bill month, provider), principal paid per (account, bill
    month, day), penalties booked per (account, bill month) before the open month, and the
    accounts whose past changed in the open month."""

    charged: dict[tuple[int, str], dict[int, int]] = field(default_factory=dict)
    paid: dict[tuple[int, str], dict[date, int]] = field(default_factory=dict)
    booked: dict[tuple[int, str], int] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)


def read_inputs(session: Session, account_ids: Sequence[int], month: Period, *,
                finals_version: str | None = None, changed: set[int] | None = None) -> Inputs:
    """The penalty inputs of ``account_ids`` as the database holds them now (bills before
    ``month`` only: the month's own bill is not due yet). With ``finals_version``: the bills of
    an account below its final month of that rules version (``penalty_finals``) are left out —
    their penalty is booked whole and does not change. ``changed``: the accounts whose past
    changed, when the caller has read them (:func:`changed_accounts`)."""
    dialect = session.get_bind().dialect.name
    ids = list(account_ids)
    key = str(month)
    out = Inputs()

    def open_bills(stmt, account: Any, bill: Any) -> Any:
        if finals_version is None:
            return stmt
        horizon = horizon_of(key)
        return stmt.outerjoin(PenaltyFinal, (PenaltyFinal.account_id == account)
                              & (PenaltyFinal.version == finals_version)).where(
            horizon.is_(None) | (bill >= horizon))

    charges = open_bills(
        select(LedgerLine.account_id, LedgerLine.period_booked, LedgerLine.provider_id,
               func.sum(LedgerLine.amount_kopecks))
        .where(among(LedgerLine.account_id, ids, dialect),
               LedgerLine.service != PENALTY_SERVICE, LedgerLine.period_booked < key),
        LedgerLine.account_id, LedgerLine.period_booked).group_by(
        LedgerLine.account_id, LedgerLine.period_booked, LedgerLine.provider_id)
    for account_id, period, provider_id, total in session.execute(charges):
        out.charged.setdefault((account_id, period), {})[provider_id] = int(total)
    paid = open_bills(
        select(Allocation.account_id, Allocation.bill_period, Allocation.paid_on,
               func.sum(Allocation.amount_kopecks))
        .where(among(Allocation.account_id, ids, dialect), Allocation.kind == "principal",
               Allocation.bill_period < key),
        Allocation.account_id, Allocation.bill_period).group_by(
        Allocation.account_id, Allocation.bill_period, Allocation.paid_on)
    for account_id, bill, day, total in session.execute(paid):  # bill < key: never NULL
        out.paid.setdefault((account_id, bill), {})[day] = int(total)
    booked = open_bills(
        select(LedgerLine.account_id, LedgerLine.component,
               func.sum(LedgerLine.amount_kopecks))
        .where(among(LedgerLine.account_id, ids, dialect),
               LedgerLine.service == PENALTY_SERVICE, LedgerLine.period_booked < key),
        LedgerLine.account_id, LedgerLine.component).group_by(
        LedgerLine.account_id, LedgerLine.component)
    for account_id, component, total in session.execute(booked):
        # a penalty line names the bill it is for in its component
        out.booked[(account_id, component)] = int(total)
    out.changed = changed_accounts(session, ids, month) if changed is None else changed
    return out


def horizon_of(month: str) -> Any:
    """SQL: the final month in force for a run in ``month`` of the joined ``penalty_finals``
    row (NULL: none) — its ``final_before`` when computed in an earlier month, its
    ``prior_before`` when computed in ``month`` itself (the month's lines are being replaced)."""
    return case((PenaltyFinal.as_of < month, PenaltyFinal.final_before),
                (PenaltyFinal.as_of == month, PenaltyFinal.prior_before), else_=None)


def changed_accounts(session: Session, account_ids: Sequence[int], month: Period) -> set[int]:
    """The accounts whose past changed in the open ``month``: a payment posted in it but dated
    before it, or a storno."""
    dialect = session.get_bind().dialect.name
    late = select(Payment.account_id).where(
        among(Payment.account_id, list(account_ids), dialect), Payment.posted_period == str(month),
        (Payment.paid_on < month.first_day) | Payment.reverses_id.is_not(None))
    return set(session.scalars(late))


def final_months(inputs: Inputs, account_ids: Sequence[int], month: Period) -> dict[int, str]:
    """Per account, the bill month below which every bill of ``inputs`` is final once the
    penalties of ``month`` are booked from them: it owed nothing, or its principal was paid
    off by the last day of ``month`` (a paid-off bill's penalty stops growing on the day it
    was paid). ``month`` itself when every bill read is final. Bills not read (below an
    earlier final month) stay final."""
    last = month.last_day
    out = {a: str(month) for a in account_ids}
    for k, shares in inputs.charged.items():
        debt = sum(shares.values())
        if debt <= 0 or k[1] >= out[k[0]]:
            continue
        paid = sum(x for day, x in _payments(inputs.paid.get(k, {})) if day <= last)
        if paid < debt:
            out[k[0]] = k[1]
    return out


def _payments(days: dict[date, int]) -> list[tuple[date, int]]:
    """Net principal paid per day as positive parts: a day with a negative net (a storno, an
    overpaid part returned) takes back the latest earlier parts."""
    dates: list[date] = []
    amounts: list[int] = []
    for day in sorted(days):
        amount = days[day]
        if amount > 0:
            dates.append(day)
            amounts.append(amount)
            continue
        take = -amount
        while take and amounts:
            x = min(take, amounts[-1])
            amounts[-1] -= x
            take -= x
            if not amounts[-1]:
                dates.pop()
                amounts.pop()
    return list(zip(dates, amounts, strict=True))


@dataclass(frozen=True, slots=True)
class Accrued:
    """The penalty of one bill on a day, with what the explain shows."""

    penalty: int
    debt: int
    due: date
    days: tuple[tuple[int, int], ...]
    moratorium_days: int


def accrue(inputs: Inputs, policy: PenaltyPolicy, calc_date: date,
           keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], Accrued]:
    """``P(B)`` on ``calc_date`` for each (account, bill month) of ``keys``, computed by the
    compiled kernel with each bill apart (its own payments, no spill to others)."""
    debts = [(k, sum(v for v in inputs.charged.get(k, {}).values())) for k in keys]
    debts = [(k, amount) for k, amount in debts if amount > 0]
    if not debts:
        return {}
    n = len(debts)
    pay_acc, pay_date, pay_amount, pay_period = [], [], [], []
    periods = np.array([_month_index(Period.parse(k[1])) for k, _ in debts], np.int64)
    for i, (k, _) in enumerate(debts):
        for day, amount in _payments(inputs.paid.get(k, {})):
            if day <= calc_date:
                pay_acc.append(i)
                pay_date.append(day.toordinal())
                pay_amount.append(amount)
                pay_period.append(periods[i])
    batch = PenaltyBatch(
        n_accounts=n, debt_account=np.arange(n, dtype=np.int64), debt_period=periods,
        debt_amount=np.array([a for _, a in debts], np.int64),
        pay_account=np.array(pay_acc, np.int64), pay_date=np.array(pay_date, np.int64),
        pay_amount=np.array(pay_amount, np.int64), pay_period=np.array(pay_period, np.int64))
    result = compute_penalties_batch(batch, calc_date, policy)
    penalty, due = result.penalty.tolist(), result.due.tolist()
    tiers, mora = result.tier_days.tolist(), result.moratorium_days.tolist()
    dens = list(result.denominators)
    out: dict[tuple[int, str], Accrued] = {}
    for i, (k, amount) in enumerate(debts):
        days = tuple((den, d) for den, d in zip(dens, tiers[i], strict=True) if d)
        out[k] = Accrued(penalty[i], amount, date.fromordinal(due[i]), days, mora[i])
    return out


def _month_index(period: Period) -> int:
    return period.year * 12 + period.month - 1


@dataclass(slots=True)
class PenaltyReport:
    """What the phase booked: line counts and kopecks of penalties and their corrections."""

    accounts: int = 0
    lines: int = 0
    penalty_kopecks: int = 0
    correction_kopecks: int = 0


def lines_for(inputs: Inputs, policy: PenaltyPolicy, month: Period, *, version: str,
              run_id: str) -> list[LedgerRow]:
    """The penalty and correction lines of ``month`` for the accounts of ``inputs``."""
    keys = sorted({k for k in inputs.charged} | set(inputs.booked))
    now = accrue(inputs, policy, month.last_day, keys)
    prev_month = month.shift(-1)
    changed = [k for k in keys if k[0] in inputs.changed]
    before = accrue(inputs, policy, prev_month.last_day, changed)
    rate = policy.effective_rate(month.last_day, month.last_day)
    rows: list[LedgerRow] = []
    for k in keys:
        booked = inputs.booked.get(k, 0)
        total = now[k].penalty if k in now else 0
        start = booked
        if k[0] in inputs.changed:
            earlier = before[k].penalty if k in before else 0
            rows += _split(inputs, k, earlier - booked, prev_month, month, "recalculation",
                           _correction_text(k[1], booked, earlier, policy.source), version,
                           run_id)
            start = earlier
        if total != start:  # the explain is written only for a line that is booked
            text = _penalty_text(k[1], now.get(k), start, total, rate, month, policy.source)
            rows += _split(inputs, k, total - start, month, month, "penalty", text, version,
                           run_id)
    return rows


def _split(inputs: Inputs, k: tuple[int, str], amount: int, period_for: Period, month: Period,
           kind: str, explain: str, version: str, run_id: str) -> list[LedgerRow]:
    if amount == 0:
        return []
    shares = {p: v for p, v in sorted(inputs.charged.get(k, {}).items()) if v > 0}
    if not shares:
        return []
    parts = split_largest_remainder(abs(amount), list(shares.values()))
    sign = 1 if amount > 0 else -1
    return [LedgerRow(account_id=k[0], service=PENALTY_SERVICE, component=k[1], zone=None,
                      provider_id=provider, period_for=str(period_for),
                      period_booked=str(month), kind=kind, method=PENALTY_SERVICE,
                      volume_micro=None, tariff_micro=None, amount_kopecks=sign * part,
                      rulebook_version=version, explain=explain, run_id=run_id)
            for provider, part in zip(shares, parts, strict=True) if part]


def _penalty_text(bill: str, accrued: Accrued | None, start: int, total: int,
                  rate: object, month: Period, source: str) -> str:
    if accrued is None:
        return (f"Пени по счёту за {bill}: долг погашен, пени {format_rub_ru(total)}, "
                f"начислено ранее {format_rub_ru(start)} ({source})")
    tiers = ", ".join(f"{days} дн. × 1/{den}" for den, days in accrued.days) or "нет дней"
    mora = f", мораторий {accrued.moratorium_days} дн." if accrued.moratorium_days else ""
    return (f"Пени по счёту за {bill} (долг {format_rub_ru(accrued.debt)}, срок оплаты "
            f"{accrued.due:%d.%m.%Y}) по {month.last_day:%d.%m.%Y}: {tiers}{mora}, ставка "
            f"{str(rate).replace('.', ',')} %; всего {format_rub_ru(total)}, начислено ранее "
            f"{format_rub_ru(start)}, в этом месяце {format_rub_ru(total - start)} ({source})")


def _correction_text(bill: str, booked: int, earlier: int, source: str) -> str:
    return (f"Перерасчёт пеней по счёту за {bill}: было начислено "
            f"{format_rub_ru(booked)}, с учётом оплат, учтённых позже, и сторно должно быть "
            f"{format_rub_ru(earlier)} ({source})")


def replace_penalties(session: Session, account_ids: Sequence[int], month: Period,
                      policy: PenaltyPolicy, *, version: str, run_id: str,
                      finals: bool = True) -> list[LedgerRow]:
    """Delete the penalty lines booked in the open ``month`` for ``account_ids`` and write
    them again from the current ledger and payments; returns the lines written.

    ``finals`` (the default): bills whose penalty is final are not read again
    (``penalty_finals``), and each account's final month is stored again after the month is
    booked. Lines written are the same as with ``finals=False`` (which reads every bill):
    a final bill's penalty equals what was booked for it, so it books nothing. Not used when
    the rules take a paid debt's rate on the calculation date (a paid bill's penalty then
    moves with the rate). An account whose past changed in ``month`` is read whole.
    """
    dialect = session.get_bind().dialect.name
    ids = list(account_ids)
    session.execute(delete(LedgerLine).where(
        LedgerLine.period_booked == str(month), LedgerLine.service == PENALTY_SERVICE,
        among(LedgerLine.account_id, ids, dialect)),
        execution_options={"synchronize_session": False})
    use_finals = finals and policy.rate_for_paid != "calculation_date"
    horizons: dict[int, str | None] = {}
    changed = changed_accounts(session, ids, month)
    if use_finals:
        if changed:  # read whole: a storno may have reopened a bill thought final
            session.execute(delete(PenaltyFinal).where(
                among(PenaltyFinal.account_id, sorted(changed), dialect)),
                execution_options={"synchronize_session": False})
        horizons = dict(session.execute(select(PenaltyFinal.account_id, horizon_of(str(month)))
                                        .where(among(PenaltyFinal.account_id, ids, dialect),
                                               PenaltyFinal.version == version)).all())
    inputs = read_inputs(session, ids, month, finals_version=version if use_finals else None,
                         changed=changed)
    rows = lines_for(inputs, policy, month, version=version, run_id=run_id)
    LedgerRepository(session).write_lines(rows)
    if use_finals:
        session.execute(delete(PenaltyFinal).where(among(PenaltyFinal.account_id, ids, dialect)),
                        execution_options={"synchronize_session": False})
        insert_rows(session, PenaltyFinal.__table__,
                    ("account_id", "final_before", "as_of", "prior_before", "version"),
                    ((a, m, str(month), horizons.get(a), version)
                     for a, m in final_months(inputs, ids, month).items()))
    return rows


def book_penalties(unit: Callable[[], object], account_ids: Sequence[int], month: Period,
                   policy: PenaltyPolicy, *, version: str, run_id: str,
                   batch: int = BATCH, finals: bool = True) -> PenaltyReport:
    """The run's phase: :func:`replace_penalties` over ``account_ids`` in units of work of
    ``batch`` accounts (each atomic); ``finals`` as there."""
    report = PenaltyReport()
    ids = list(account_ids)
    for i in range(0, len(ids), batch):
        with unit() as session:  # type: ignore[attr-defined]
            rows = replace_penalties(session, ids[i:i + batch], month, policy,
                                     version=version, run_id=run_id, finals=finals)
        report.accounts += len({r.account_id for r in rows})
        report.lines += len(rows)
        for r in rows:
            if r.kind == "penalty":
                report.penalty_kopecks += r.amount_kopecks
            else:
                report.correction_kopecks += r.amount_kopecks
    return report


__all__ = ["Accrued", "Inputs", "PenaltyReport", "accrue", "book_penalties", "changed_accounts",
           "final_months", "lines_for", "read_inputs", "replace_penalties"]
