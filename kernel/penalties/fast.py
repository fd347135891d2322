"""Batch penalties over many accounts (columnar arrays) with the compiled kernel.

Equal to the Decimal twin (:mod:`zhkh.kernel.penalties.reference`) to the kopeck; a
differential property test holds them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from zhkh.kernel._compiled import compiled
from zhkh.kernel.penalties.policy import PenaltyPolicy, PenaltyPolicyError
from zhkh.kernel.penalties.tables import build_tables
from zhkh.kernel.period import Period

_penalties = compiled("zhkh.kernel._penalties", "пени по многим счетам")
penalties_kernel = None if _penalties is None else _penalties.penalties_kernel

STATUS_OK, STATUS_OVERFLOW, STATUS_NO_RULE = 0, 1, 2


@dataclass(frozen=True)
class PenaltyBatch:
    """Debts and payments of many accounts. Periods are month indexes ``year * 12 + month - 1``;
    dates are ``date.toordinal()``; money in kopecks; -1 = «not given» for ``pay_period`` (no
    designated period) and ``debt_due`` (due date from the rules). (account, period) is unique."""

    n_accounts: int
    debt_account: np.ndarray
    debt_period: np.ndarray
    debt_amount: np.ndarray
    pay_account: np.ndarray
    pay_date: np.ndarray
    pay_amount: np.ndarray
    pay_period: np.ndarray | None = None
    debt_due: np.ndarray | None = None


@dataclass(frozen=True)
class PenaltyBatchResult:
    """Per debt, in the input order. ``tier_days[:, i]`` counts days of ``denominators[i]``.
    ``status`` 1 = overflow, 2 = no rate/scale on a day used; the status covers the whole
    account (its other debts are zero too) and the penalty of such rows is 0."""

    penalty: np.ndarray
    due: np.ndarray
    grace_days: np.ndarray
    tier_days: np.ndarray
    denominators: tuple[int, ...]
    moratorium_days: np.ndarray
    status: np.ndarray


def month_index(period: Period) -> int:
    return period.year * 12 + period.month - 1


def compute_penalties_batch(
    batch: PenaltyBatch, calc_date: date, policy: PenaltyPolicy
) -> PenaltyBatchResult:
    """Penalties of every debt of every account, exact to the kopeck (integer arithmetic)."""
    if penalties_kernel is None:
        raise RuntimeError("модуль zhkh.kernel._penalties не собран: выполните "
                           "python setup.py build_ext --inplace")
    b = _sorted(batch)
    nd = b.debt_period.shape[0]
    due, cls, n_classes = _dues_and_classes(b, policy)
    calc = calc_date.toordinal()
    t0 = min(int(due.min()) + 1 if nd else calc, calc)
    tables = build_tables(policy, t0, calc, n_classes)
    debt_ptr = np.searchsorted(b.debt_account, np.arange(b.n_accounts + 1)).astype(np.int64)
    pay_ptr = np.searchsorted(b.pay_account, np.arange(b.n_accounts + 1)).astype(np.int64)
    sc = _scale_arrays(policy)
    dens = policy.denominators
    out = PenaltyBatchResult(
        penalty=np.zeros(nd, np.int64), due=due, grace_days=np.zeros(nd, np.int32),
        tier_days=np.zeros((nd, len(dens)), np.int32), denominators=dens,
        moratorium_days=np.zeros(nd, np.int32), status=np.zeros(nd, np.int8),
    )
    modes = {"payment_date": 0, "calculation_date": 1, "accrual_day": 2}
    penalties_kernel(
        debt_ptr, b.debt_period, b.debt_amount, due, cls,
        pay_ptr, b.pay_date, b.pay_amount, b.pay_period,
        calc, t0, int(policy.allocation_mode == "by_payment_period"),
        int(policy.payment_day_accrues), modes[policy.rate_for_paid],
        modes[policy.rate_for_unpaid], int(policy.cap_axis == "accrual_day"),
        policy.common_denominator * 10_000,
        tables.rate_bp, tables.cap_bp, tables.pm, tables.pr, tables.pk, tables.cap_values,
        *sc, out.penalty, out.grace_days, out.tier_days, out.moratorium_days, out.status,
        int(np.diff(debt_ptr).max()) if b.n_accounts else 0,
    )
    return _unsort(out, b.order) if b.order is not None else out


@dataclass(frozen=True)
class _Sorted:
    n_accounts: int
    debt_account: np.ndarray
    debt_period: np.ndarray
    debt_amount: np.ndarray
    debt_due: np.ndarray
    pay_account: np.ndarray
    pay_date: np.ndarray
    pay_amount: np.ndarray
    pay_period: np.ndarray
    order: np.ndarray | None  # debt permutation applied, None if already sorted


def _sorted(b: PenaltyBatch) -> _Sorted:
    i64, i32 = np.int64, np.int32
    acc, per = np.asarray(b.debt_account, i64), np.asarray(b.debt_period, i32)
    due = np.full(acc.shape, -1, i64) if b.debt_due is None else np.asarray(b.debt_due, i64)
    amt = np.asarray(b.debt_amount, i64)
    order = None
    key = acc * 1_000_000 + per
    if key.size and np.any(np.diff(key) <= 0):
        order = np.lexsort((per, acc))
        acc, per, amt, due, key = acc[order], per[order], amt[order], due[order], key[order]
        if np.any(np.diff(key) == 0):
            i = int(np.argmax(np.diff(key) == 0))
            raise ValueError(f"счёт {acc[i]}: период {per[i]} указан в долгах дважды")
    if acc.size and (acc.min() < 0 or acc.max() >= b.n_accounts or amt.min() < 0):
        raise ValueError("номер счёта вне диапазона или отрицательный долг")
    pacc, pdate = np.asarray(b.pay_account, i64), np.asarray(b.pay_date, i64)
    pamt = np.asarray(b.pay_amount, i64)
    pper = (np.full(pacc.shape, -1, i32) if b.pay_period is None
            else np.asarray(b.pay_period, i32))
    if pamt.size and pamt.min() < 0:
        raise ValueError(f"отрицательная оплата по счёту {pacc[int(np.argmin(pamt))]}")
    pkey = pacc * 10_000_000 + pdate
    if pkey.size and np.any(np.diff(pkey) < 0):
        porder = np.lexsort((np.arange(pacc.size), pdate, pacc))
        pacc, pdate, pamt, pper = pacc[porder], pdate[porder], pamt[porder], pper[porder]
    return _Sorted(b.n_accounts, acc, per, amt, due, pacc, pdate, pamt, pper, order)


def _dues_and_classes(b: _Sorted, policy: PenaltyPolicy) -> tuple[np.ndarray, np.ndarray, int]:
    nd = b.debt_period.shape[0]
    cutoffs = [m.only_debts_arisen_before for m in policy.moratoria
               if m.only_debts_arisen_before is not None]
    if len(cutoffs) > 6:
        raise PenaltyPolicyError("не более 6 мораториев с условием на дату возникновения долга")
    if not nd:
        return np.zeros(0, np.int64), np.zeros(0, np.int32), 1 << len(cutoffs)
    lo, hi = int(b.debt_period.min()), int(b.debt_period.max())
    months = [Period(m // 12, m % 12 + 1) for m in range(lo, hi + 1)]
    due_tab = np.array([policy.due_date(p).toordinal() for p in months], np.int64)
    end_tab = np.array([p.last_day.toordinal() for p in months], np.int64)
    rel = b.debt_period.astype(np.int64) - lo
    due = np.where(b.debt_due >= 0, b.debt_due, due_tab[rel])
    arisen = end_tab[rel] if policy.debt_arises == "period_end" else due
    cls = np.zeros(nd, np.int32)
    for j, cutoff in enumerate(cutoffs):
        cls |= (arisen < cutoff.toordinal()).astype(np.int32) << j
    return due, cls, 1 << len(cutoffs)


def _scale_arrays(policy: PenaltyPolicy) -> tuple[np.ndarray, ...]:
    dens = policy.denominators
    common = policy.common_denominator
    since = np.array([s.since.toordinal() for s in policy.scales], np.int64)
    grace = np.array([s.grace_days for s in policy.scales], np.int64)
    ptr = np.cumsum([0] + [len(s.tiers) for s in policy.scales]).astype(np.int64)
    tiers = [t for s in policy.scales for t in s.tiers]
    t_from = np.array([t.from_day for t in tiers], np.int64)
    t_mult = np.array([common // t.denominator for t in tiers], np.int64)
    t_den = np.array([dens.index(t.denominator) for t in tiers], np.int32)
    return since, grace, ptr, t_from, t_mult, t_den


def _unsort(out: PenaltyBatchResult, order: np.ndarray) -> PenaltyBatchResult:
    inv = np.empty_like(order)
    inv[order] = np.arange(order.size)
    return PenaltyBatchResult(
        out.penalty[inv], out.due[inv], out.grace_days[inv], out.tier_days[inv],
        out.denominators, out.moratorium_days[inv], out.status[inv],
    )

