"""Charge kernel benchmark: the Decimal twin, the compiled kernel, decision lookup + kernel.

One core, 1 000 000 generated rows shaped like a month of a city district: accounts in order,
each with cold and hot water (water and heat components), wastewater, heating, two-zone
electricity and maintenance; meters working, missing (norm × 1.5) or failed (average);
heating by area norm or by the house meter share; a few rows split by days. Rows carry a
signature code; a few hundred signatures map onto their decisions.

Run:  pytest benchmarks/bench_kernel.py -s
Every variant checks its result against the twin (on a sample) before it is timed; figures
are medians of the rounds with their spread (see ``conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from zhkh.kernel import _kernel, reference

ROWS = 1_000_000
TWIN_SAMPLE = 20_000
CHECK_SAMPLE = 20_000
PROVIDERS = 16  # tariff zones / providers: signatures = slots × variants × providers
E6 = 10**6
METER, AVERAGE, QUANTITY, SHARE = 1, 2, 3, 4


@dataclass
class Plan:
    """Columnar plan rows plus the signature layer the calculation would hand the kernel."""

    sig: np.ndarray  # int32 signature code per row
    sig_to_dec: np.ndarray  # int32 decision index per signature
    dec: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    share_num: np.ndarray
    share_den: np.ndarray
    d_method: np.ndarray
    d_factor: np.ndarray
    d_price: np.ndarray
    d_coef: np.ndarray

    @property
    def rows(self):
        return (self.dec, self.a, self.b, self.c, self.share_num, self.share_den)

    @property
    def table(self):
        return (self.d_method, self.d_factor, self.d_price, self.d_coef)


# slot → (variant → (method, factor, base price in micro-rubles, coef)); variant 0 metered
SLOTS = [
    [(METER, E6, 48_720_000, E6), (QUANTITY, 4_900_000, 48_720_000, 1_500_000),
     (AVERAGE, E6, 48_720_000, E6)],                                        # cold water
    [(METER, E6, 31_450_000, E6), (QUANTITY, 3_500_000, 31_450_000, 1_500_000),
     (AVERAGE, E6, 31_450_000, E6)],                                        # hot water: water
    [(METER, 59_600, 2_345_670_000, E6), (QUANTITY, 208_600, 2_345_670_000, 1_500_000),
     (AVERAGE, 59_600, 2_345_670_000, E6)],                                 # hot water: heat
    [(QUANTITY, E6, 39_180_000, E6)] * 3,                                   # wastewater
    [(QUANTITY, 18_700, 2_345_670_000, E6), (SHARE, E6, 2_345_670_000, E6),
     (QUANTITY, 18_700, 2_345_670_000, E6)],                                # heating
    [(METER, E6, 6_570_000, E6), (QUANTITY, 95_000_000, 6_570_000, 1_500_000),
     (AVERAGE, E6, 6_570_000, E6)],                                         # electricity day
    [(METER, E6, 2_810_000, E6), (QUANTITY, 40_000_000, 2_810_000, 1_500_000),
     (AVERAGE, E6, 2_810_000, E6)],                                         # electricity night
    [(QUANTITY, E6, 28_340_000, E6)] * 3,                                   # maintenance
]


def decision_table(providers: int):
    """One decision per slot × variant × provider (prices vary by provider); signatures add
    a meter-state split so several signatures share one decision."""
    entries = []
    for slot in SLOTS:
        for method, factor, price, coef in slot:
            for p in range(providers):
                entries.append((method, factor, price + p * 370_000, coef))
    method, factor, price, coef = (np.array(col) for col in zip(*entries, strict=True))
    return (method.astype(np.int8), factor.astype(np.int64), price.astype(np.int64),
            coef.astype(np.int64))


def make_plan(rows: int = ROWS, seed: int = 20251128) -> Plan:
    """Realistic plan rows in account order, 8 rows per account."""
    rng = np.random.default_rng(seed)
    slots = len(SLOTS)
    accounts = rows // slots
    provider = rng.integers(0, PROVIDERS, accounts)
    metering = rng.choice(3, size=accounts, p=[0.82, 0.13, 0.05])  # working, none, failed
    heating = rng.choice(2, size=accounts, p=[0.6, 0.4])  # area norm, house meter share
    variant = np.repeat(metering[:, None], slots, axis=1)
    variant[:, 4] = heating
    variant[:, 3] = variant[:, 7] = 0
    slot = np.broadcast_to(np.arange(slots), (accounts, slots))
    dec = (slot * 3 + variant) * PROVIDERS + provider[:, None]
    # signature = decision × meter detail (e.g. "expired" vs "failed"): 2 signatures each
    sig = dec * 2 + rng.integers(0, 2, (accounts, slots))
    sig_to_dec = (np.arange(len(SLOTS) * 3 * PROVIDERS * 2) // 2).astype(np.int32)

    persons = rng.integers(1, 6, accounts) * E6
    area = rng.integers(200, 1200, accounts) * 100_000
    use = rng.integers(0, 20_000, (accounts, slots)) * 1_000  # m³ with three decimals
    prev = rng.integers(0, 99_990_000, (accounts, slots)) * 1_000
    capacity = np.where(rng.random((accounts, slots)) < 0.3, 100_000 * E6, 0)
    wrap = (capacity > 0) & (rng.random((accounts, slots)) < 0.001)
    prev = np.where(wrap, capacity - use // 2 - 1_000, prev)
    cur = np.where(wrap, use - use // 2, prev + use)
    months = rng.integers(1, 7, (accounts, slots))
    a = np.select([variant == 0, variant == 1, variant == 2],
                  [prev, np.repeat(persons[:, None], slots, 1), use * months], prev)
    b = np.where(variant == 2, months, cur)
    c = capacity.copy()
    # wastewater: sum of water volumes; heating: area (norm) or house share; maintenance: area
    a[:, 3] = use[:, 0] + use[:, 1]
    a[:, 4] = np.where(heating == 0, area, rng.integers(50_000, 200_000, accounts) * 1_000)
    b[:, 4] = area
    c[:, 4] = rng.integers(20_000, 100_000, accounts) * 100_000
    a[:, 7] = area
    split = rng.random((accounts, slots))
    num = np.where(split < 0.03, 14, np.where(split < 0.06, 16, 1))
    den = np.where(num == 1, 1, 30)
    d_method, d_factor, d_price, d_coef = decision_table(PROVIDERS)
    flat = (lambda x, t: np.ascontiguousarray(x.reshape(-1), dtype=t))  # noqa: E731
    return Plan(flat(sig, np.int32), sig_to_dec, flat(dec, np.int32), flat(a, np.int64),
                flat(b, np.int64), flat(c, np.int64), flat(num, np.int32), flat(den, np.int32),
                d_method, d_factor, d_price, d_coef)


def outputs(n: int):
    return (np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64),
            np.zeros(n, np.int8))


def sample(plan: Plan, idx: np.ndarray):
    return tuple(col[idx] for col in plan.rows)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan()


@pytest.fixture(scope="module")
def twin_check(plan):
    """Indices of a random sample and the twin's outputs for them (the expected results)."""
    idx = np.sort(np.random.default_rng(7).choice(ROWS, CHECK_SAMPLE, replace=False))
    out = outputs(len(idx))
    failed = reference.compute(*sample(plan, idx), *plan.table, *out)
    assert failed < len(idx) // 100, "the generated plan should be almost all valid rows"
    return idx, out


@pytest.mark.benchmark(group="charge-kernel")
def test_decimal_twin(benchmark, figures, rounds, plan, twin_check):
    idx = twin_check[0][:TWIN_SAMPLE]
    rows = sample(plan, idx)
    out = outputs(len(idx))
    benchmark.pedantic(reference.compute, args=(*rows, *plan.table, *out), rounds=rounds(3))
    assert all(np.array_equal(x, y[: len(idx)]) for x, y in zip(out, twin_check[1], strict=True))
    figures.rate(len(idx))


@pytest.mark.benchmark(group="charge-kernel")
def test_compiled_kernel(benchmark, figures, rounds, plan, twin_check):
    out = outputs(ROWS)
    _kernel.compute(*plan.rows, *plan.table, *out)
    idx, expected = twin_check
    assert all(np.array_equal(x[idx], y) for x, y in zip(out, expected, strict=True))
    benchmark.pedantic(_kernel.compute, args=(*plan.rows, *plan.table, *out),
                       rounds=rounds(20), warmup_rounds=2)
    figures.rate(ROWS)


def lookup_and_compute(plan: Plan, out) -> np.ndarray:
    """Decisions per row from the per-signature table (bounds-checked take), then the kernel.

    ``take`` without ``out=`` is used on purpose: with ``out=`` and the safe ``mode="raise"``
    numpy buffers the result and is slower than allocating.
    """
    dec = np.take(plan.sig_to_dec, plan.sig)
    _kernel.compute(dec, *plan.rows[1:], *plan.table, *out)
    return dec


@pytest.mark.benchmark(group="charge-kernel")
def test_decision_lookup_and_kernel(benchmark, figures, rounds, plan, twin_check):
    out = outputs(ROWS)
    dec = lookup_and_compute(plan, out)
    assert np.array_equal(dec, plan.dec), "signature lookup must reproduce the decisions"
    idx, expected = twin_check
    assert all(np.array_equal(x[idx], y) for x, y in zip(out, expected, strict=True))
    benchmark.pedantic(lookup_and_compute, args=(plan, out), rounds=rounds(20), warmup_rounds=2)
    figures.rate(ROWS)
