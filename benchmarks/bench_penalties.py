"""Penalties for N accounts × 36 months: the compiled batch kernel, and the twin on a sample.

    /work/venv/bin/python benchmarks/bench_penalties.py --accounts 1000000

Checks the kernel against the Decimal twin on the sample before reporting times; the ratio
is (twin seconds per account) / (kernel seconds per account), both measured in this run.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import numpy as np

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

RULES = Path(__file__).resolve().parents[1] / "rules"
FIRST, MONTHS, CALC = Period(2023, 7), 36, date(2026, 7, 31)


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


def run_kernel(batch: PenaltyBatch, policy, chunk: int) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    d_ptr = np.searchsorted(batch.debt_account, np.arange(0, batch.n_accounts + chunk, chunk))
    p_ptr = np.searchsorted(batch.pay_account, np.arange(0, batch.n_accounts + chunk, chunk))
    out = []
    for i in range(len(d_ptr) - 1):
        lo = i * chunk
        d, p = slice(d_ptr[i], d_ptr[i + 1]), slice(p_ptr[i], p_ptr[i + 1])
        part = PenaltyBatch(min(chunk, batch.n_accounts - lo), batch.debt_account[d] - lo,
                            batch.debt_period[d], batch.debt_amount[d], batch.pay_account[p] - lo,
                            batch.pay_date[p], batch.pay_amount[p], batch.pay_period[p])
        result = compute_penalties_batch(part, CALC, policy)
        assert (result.status == 0).all()
        out.append(result.penalty)
    return np.concatenate(out), time.perf_counter() - start


def run_twin(batch: PenaltyBatch, policy, accounts: int) -> tuple[np.ndarray, float]:
    d_ptr = np.searchsorted(batch.debt_account, np.arange(accounts + 1))
    p_ptr = np.searchsorted(batch.pay_account, np.arange(accounts + 1))
    start = time.perf_counter()
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
    return np.array(penalties, dtype=np.int64), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=100, help="accounts for the twin")
    parser.add_argument("--chunk", type=int, default=200_000)
    args = parser.parse_args()
    policy = policy_from_rulebook(load_rulebook(RULES))
    t = time.perf_counter()
    batch = generate(args.accounts)
    print(f"generated {args.accounts:,} accounts × {MONTHS} months, "
          f"{batch.pay_amount.size:,} payments in {time.perf_counter() - t:.1f} s")
    fast, fast_s = run_kernel(batch, policy, args.chunk)
    twin, twin_s = run_twin(batch, policy, args.sample)
    assert np.array_equal(fast[: twin.size], twin), "kernel differs from the twin"
    per_fast, per_twin = fast_s / args.accounts, twin_s / args.sample
    print(f"kernel: {fast_s:.2f} s ({per_fast * 1e6:.1f} µs/account), total penalties "
          f"{fast.sum() / 100:,.2f} ₽, {np.count_nonzero(fast):,} non-zero lines")
    print(f"twin:   {twin_s:.2f} s for {args.sample} accounts ({per_twin * 1e3:.1f} ms/account)")
    print(f"ratio twin/kernel per account: {per_twin / per_fast:,.0f}×; sample equal: yes")


if __name__ == "__main__":
    main()
