"""Day-axis tables for the compiled penalty kernel, built from a PenaltyPolicy.

Day ``t0 + i`` is index ``i``. Prefix sums have one more entry (``P[0] = 0``) so the sum over
days ``x..y`` is ``P[y + 1] - P[x]``. Rates and caps are in basis points of a percent
(9.5 % → 950); -1 means «no value on this day».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from zhkh.kernel.penalties.policy import PenaltyPolicy, PenaltyPolicyError, Steps


@dataclass(frozen=True)
class DayTables:
    t0: int
    rate_bp: np.ndarray  # (L,)
    cap_bp: np.ndarray  # (L,)
    pm: np.ndarray  # (C, L+1) non-moratorium days, per moratorium class
    pr: np.ndarray  # (C, L+1) Σ non-moratorium × min(rate, cap) on the day
    pk: np.ndarray  # (C, K, L+1) Σ non-moratorium × [cap == cap_values[k]]
    cap_values: np.ndarray  # (K,)


def steps_per_day(steps: Steps, days: np.ndarray) -> np.ndarray:
    """Basis points in force on each ordinal of ``days`` (-1 before the first step or None)."""
    if not steps.steps:
        return np.full(days.shape, -1, dtype=np.int64)
    starts = np.array([d.toordinal() for d, _ in steps.steps], dtype=np.int64)
    values = np.array([-1 if v is None else int(v * 100) for _, v in steps.steps], dtype=np.int64)
    idx = np.searchsorted(starts, days, side="right") - 1
    return np.where(idx >= 0, values[np.maximum(idx, 0)], -1)


def build_tables(policy: PenaltyPolicy, t0: int, t1: int, n_classes: int) -> DayTables:
    """Tables for days ``t0..t1``; class bit j set = the j-th conditional moratorium applies."""
    days = np.arange(t0, t1 + 1, dtype=np.int64)
    rate = steps_per_day(policy.rates, days)
    cap = steps_per_day(policy.cap, days)
    capped = np.where((cap >= 0) & (cap < rate), cap, rate)
    cap_values = np.array(sorted({int(v * 100) for _, v in policy.cap.steps if v is not None}),
                          dtype=np.int64)
    conditional = [m for m in policy.moratoria if m.only_debts_arisen_before is not None]
    n_len = days.shape[0]
    pm = np.zeros((n_classes, n_len + 1), dtype=np.int64)
    pr = np.zeros((n_classes, n_len + 1), dtype=np.int64)
    pk = np.zeros((n_classes, cap_values.shape[0], n_len + 1), dtype=np.int64)
    need_daily_rate = "accrual_day" in (policy.rate_for_paid, policy.rate_for_unpaid)
    for cls in range(n_classes):
        free = np.ones(n_len, dtype=np.int64)
        for m in policy.moratoria:
            if m.only_debts_arisen_before is not None:
                if not (cls >> conditional.index(m)) & 1:
                    continue
            free[(days >= m.start.toordinal()) & (days <= m.end.toordinal())] = 0
        if need_daily_rate and np.any((rate < 0) & (free == 1)):
            first = date.fromordinal(int(days[np.argmax((rate < 0) & (free == 1))]))
            raise PenaltyPolicyError(f"ставка ЦБ не задана на {first.isoformat()}")
        np.cumsum(free, out=pm[cls, 1:])
        np.cumsum(free * np.maximum(capped, 0), out=pr[cls, 1:])
        for k, value in enumerate(cap_values):
            np.cumsum(free * (cap == value), out=pk[cls, k, 1:])
    return DayTables(t0, rate, cap, pm, pr, pk, cap_values)
