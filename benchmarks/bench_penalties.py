"""Penalties for N accounts × 36 months: the compiled batch kernel over all of them and the
day-by-day Decimal twin on a sample, side by side in one group as accounts per second.

    pytest benchmarks/bench_penalties.py -s                     # 1,000,000 accounts
    ZHKH_BENCH_PENALTY_ACCOUNTS=10000 pytest benchmarks/bench_penalties.py -s

The kernel is checked against the twin on the sample before either is timed, and every timed
round's penalties against the first ones; the summary's ratio is the twin's time per account
over the kernel's, both measured in this run.
"""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pytest

from zhkh.kernel.allocation import Payment
from zhkh.kernel.penalties import (
    Debt,
    PenaltyBatch,
    compute_penalties_batch,
    compute_penalties_reference,
    month_index,
    policy_from_rulebook,
)
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR

FIRST, MONTHS, CALC = Period(2023, 7), 36, date(2026, 7, 31)
ACCOUNTS = int(os.environ.get("ZHKH_BENCH_PENALTY_ACCOUNTS", "1000000"))
SAMPLE = 100  # accounts for the twin
CHUNK = 200_000


def generate(n: int, seed: int = 7) -> PenaltyBatch:
    """Debts of every month; ~85 % paid the next month (some late, some partly), 5 % named."""
    rng = np.random.default_rng(seed)
    acc = np.repeat(np.arange(n, dtype=np.int64), MONTHS)
    per = np.tile(np.arange(MONTHS, dtype=np.int32) + month_index(FIRST), n)
    amount = rng.integers(50_000, 900_000, n * MONTHS, dtype=np.int64)
    paid = rng.random(n * MONTHS) < 0.85
    first_of_next = np.array([Period(m // 12, m % 12 + 1).shift(1).first_day.toordinal()
                              for m in range(month_index(FIRST), month_index(FIRST) + MONTHS)])
    delay = rng.integers(0, 28, n * MONTHS) + (rng.random(n * MONTHS) < 0.2) * rng.integers(
        30, 200, n * MONTHS)
    pay_date = np.tile(first_of_next, n) + delay
    share = np.where(rng.random(n * MONTHS) < 0.1, rng.integers(1, 100, n * MONTHS), 100)
    pay_amount = amount * share // 100
    keep = paid & (pay_date <= CALC.toordinal())
    named = np.where(rng.random(n * MONTHS) < 0.05, per, -1).astype(np.int32)
    return PenaltyBatch(n, acc, per, amount, acc[keep], pay_date[keep], pay_amount[keep],
                        named[keep])


def part(batch: PenaltyBatch, lo: int, hi: int) -> PenaltyBatch:
    """The accounts ``lo`` … ``hi - 1`` of ``batch``, renumbered from 0."""
    d = slice(*np.searchsorted(batch.debt_account, (lo, hi)))
    p = slice(*np.searchsorted(batch.pay_account, (lo, hi)))
    return PenaltyBatch(min(hi, batch.n_accounts) - lo, batch.debt_account[d] - lo,
                        batch.debt_period[d], batch.debt_amount[d], batch.pay_account[p] - lo,
                        batch.pay_date[p], batch.pay_amount[p], batch.pay_period[p])


def run_kernel(batch: PenaltyBatch, policy, chunk: int = CHUNK) -> np.ndarray:
    """Penalty per debt of every account, computed ``chunk`` accounts at a time."""
    out = []
    for lo in range(0, batch.n_accounts, chunk):
        result = compute_penalties_batch(part(batch, lo, lo + chunk), CALC, policy)
        assert (result.status == 0).all()
        out.append(result.penalty)
    return np.concatenate(out)


def run_twin(batch: PenaltyBatch, policy, accounts: int) -> np.ndarray:
    """Penalty per debt of the first ``accounts`` accounts, by the Decimal twin."""
    d_ptr = np.searchsorted(batch.debt_account, np.arange(accounts + 1))
    p_ptr = np.searchsorted(batch.pay_account, np.arange(accounts + 1))
    penalties = []
    for a in range(accounts):
        d, p = slice(d_ptr[a], d_ptr[a + 1]), slice(p_ptr[a], p_ptr[a + 1])
        debts = [Debt(Period(int(m) // 12, int(m) % 12 + 1), int(x))
                 for m, x in zip(batch.debt_period[d], batch.debt_amount[d], strict=True)]
        pays = [Payment(int(x), date.fromordinal(int(t)),
                        Period(int(m) // 12, int(m) % 12 + 1) if m >= 0 else None)
                for t, x, m in zip(batch.pay_date[p], batch.pay_amount[p], batch.pay_period[p],
                                   strict=True)]
        penalties += [ln.penalty for ln in compute_penalties_reference(debts, pays, CALC, policy)]
    return np.array(penalties, dtype=np.int64)


@pytest.fixture(scope="module")
def policy():
    return policy_from_rulebook(load_rulebook(RULES_DIR))


@pytest.fixture(scope="module")
def batch() -> PenaltyBatch:
    return generate(ACCOUNTS)


@pytest.fixture(scope="module")
def twin(batch, policy) -> np.ndarray:
    """The sample's penalties by the twin, and the kernel agreeing with them."""
    expected = run_twin(batch, policy, SAMPLE)
    assert np.array_equal(run_kernel(part(batch, 0, SAMPLE), policy), expected)
    return expected


@pytest.mark.benchmark(group="penalties")
def test_compiled_kernel(benchmark, figures, rounds, batch, policy, twin):
    first = run_kernel(batch, policy)
    assert np.array_equal(first[: twin.size], twin), "kernel differs from the twin"
    got = benchmark.pedantic(run_kernel, args=(batch, policy), rounds=rounds(3))
    assert np.array_equal(got, first)
    benchmark.extra_info.update(payments=int(batch.pay_amount.size),
                                penalties_kopecks=int(got.sum()))
    figures.rate(ACCOUNTS, "accounts")
    figures.duration()


@pytest.mark.benchmark(group="penalties")
def test_decimal_twin(benchmark, figures, rounds, batch, policy, twin):
    got = benchmark.pedantic(run_twin, args=(batch, policy, SAMPLE), rounds=rounds(3))
    assert np.array_equal(got, twin)
    figures.rate(SAMPLE, "accounts")
