"""The calculation core on 1,000,000 account × service rows with the shipped rulebook.

Ways to get the same amounts, side by side in one group (one core):

* durable-rules asked once per row — really every row: the row's account is part of its fact,
  so the engine's cache never answers (checked: no hits, one miss per row); on a sample, the
  rows/s extrapolate. One question per row (the method); a whole row needs two or three
  (method, tariff, norm), so a per-row design would be slower still;
* the Decimal twin of the kernel, row by row (on a sample);
* the engine asked once per distinct signature, decisions gathered per row with numpy, the
  compiled kernel over all rows — with a cold decision cache (every signature really goes to
  durable-rules) and a warm one (the steady state of a monthly run: one rulebook version);
* decisions looked up per row by signature key, and the compiled kernel.

Every variant is checked against the same rows before it is timed; figures are medians of
the rounds with their spread (see ``conftest.py``).

Run: pytest benchmarks/bench_calculation.py -s
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from zhkh.kernel import reference
from zhkh.kernel.calc.decide import Decider, engine_for
from zhkh.kernel.charges import AVERAGE, METER, QUANTITY, compute_arrays
from zhkh.kernel.money import MICRO, to_micro
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR

ROWS = 1_000_000
PER_ROW_SAMPLE = 10_000
PER_ROW_CHECK = 500
TWIN_SAMPLE = 20_000
PERIOD = Period(2026, 10)
METHOD_CODES = {"meter": METER, "average": AVERAGE, "norm": QUANTITY, "area": QUANTITY,
                "area_norm": QUANTITY, "fixed": QUANTITY}

# signature columns: service, meter state, months without readings, history months,
# installable, amenities
SERVICES = ("cold_water", "electricity", "gas", "solid_waste", "maintenance", "heating")
METERS = ("absent", "working", "expired")
AMENITIES = ("full", "no_bath")


def fact(service: int, meter: int, months: int, history: int, installable: int,
         amenities: int) -> dict:
    """The signature a row of these codes has (as ``build_signature`` would build it)."""
    sig = {"service": SERVICES[service], "provider": "p", "meter_installable": bool(installable),
           "meter_access_refusals": 0, "house_type": "apartment_building",
           "house_heat_meter": False, "heating_payment": "season", "heating_season": True,
           "premises_kind": "flat", "amenities": AMENITIES[amenities],
           "meter": METERS[meter]}
    if METERS[meter] != "absent":
        sig.update(zones=1, history_months=history, months_without_readings=months,
                   readings="present" if months == 0 else "missing")
    return sig


@dataclass
class Rows:
    codes: np.ndarray          # (N, 6) int64 signature codes
    persons: np.ndarray        # int64
    area: np.ndarray           # int64 micro
    prev: np.ndarray           # int64 micro
    cur: np.ndarray            # int64 micro
    hist_sum: np.ndarray       # int64 micro
    hist_n: np.ndarray         # int64


def make_rows(n: int, seed: int = 2026) -> Rows:
    rng = np.random.default_rng(seed)
    service = rng.integers(0, len(SERVICES), n)
    metered = np.isin(service, (0, 1, 2))
    meter = np.where(metered, rng.choice(3, n, p=(0.15, 0.8, 0.05)), 0)
    months = np.where(meter == 1, rng.choice(8, n, p=(0.85, .05, .03, .02, .02, .01, .01, .01)),
                      0)
    months = np.where(meter == 2, rng.integers(1, 6, n), months)
    history = np.where(meter > 0, rng.integers(0, 7, n), 0)
    codes = np.stack([service, meter, months, history, rng.integers(0, 2, n),
                      rng.integers(0, 2, n)], axis=1)
    prev = rng.integers(0, 90_000, n) * 1000
    return Rows(codes, rng.integers(0, 5, n), rng.integers(25_000, 120_000, n) * 1000,
                prev, prev + rng.integers(0, 400_000, n) * 10,
                rng.integers(0, 60_000_000, n), np.maximum(history, 1))


RADIX = (len(SERVICES), len(METERS), 8, 7, 2, len(AMENITIES))
KEYS = int(np.prod(RADIX))
KIND_CODES = {"meter": 0, "average": 1, "norm": 2, "area": 3, "area_norm": 3, "fixed": 4}


def encode(codes: np.ndarray) -> np.ndarray:
    """One small integer per signature (mixed radix over the signature columns)."""
    key = np.zeros(len(codes), np.int64)
    for i, r in enumerate(RADIX):
        key = key * r + codes[:, i]
    return key


def decode(key: int) -> tuple[int, ...]:
    out = []
    for r in reversed(RADIX):
        key, digit = divmod(key, r)
        out.append(digit)
    return tuple(reversed(out))


class Decisions:
    """The decision table: one engine call per distinct signature, looked up by key."""

    def __init__(self, decider: Decider, keys: np.ndarray):
        day = PERIOD.first_day
        d = len(keys)
        self.index = np.full(KEYS, -1, np.int32)
        self.index[keys] = np.arange(d, dtype=np.int32)
        self.method = np.zeros(d, np.int8)
        self.factor = np.full(d, MICRO, np.int64)
        self.price = np.zeros(d, np.int64)
        self.coef = np.zeros(d, np.int64)
        self.norm = np.zeros(d, np.int64)
        self.kind = np.zeros(d, np.int8)
        self.rule_ids: list[str] = []  # the method rule of each decision
        for i, key in enumerate(keys.tolist()):
            sig = fact(*decode(key))
            m = decider.method(sig, "bench")
            self.rule_ids.append(m.rule.id)
            zone = "single" if sig["service"] == "electricity" else None
            tariff = decider.tariff(sig, None, zone, "bench")
            self.method[i] = METHOD_CODES[m.method]
            self.kind[i] = KIND_CODES[m.method]
            self.price[i] = to_micro(tariff.values.at(day))
            self.coef[i] = to_micro(m.coefficient.at(day))
            if m.method in ("norm", "area_norm"):
                value = to_micro(decider.norm(sig, None, "bench").values.at(day))
                if m.method == "norm":
                    self.norm[i] = value
                else:
                    self.factor[i] = value
            if m.method == "fixed":
                self.norm[i] = to_micro(m.quantity.at(day))


def distinct_keys(key: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.bincount(key, minlength=KEYS))


def gather(rows: Rows, key: np.ndarray, dec: Decisions):
    """Kernel arguments: decision index per row and the method inputs a, b, c."""
    idx = dec.index[key]
    kind = dec.kind[idx]
    a = np.choose(kind, (rows.prev, rows.hist_sum, rows.persons * dec.norm[idx], rows.area,
                         dec.norm[idx]))
    b = np.where(kind == 0, rows.cur, np.where(kind == 1, rows.hist_n, 0))
    c = np.zeros(len(a), np.int64)
    one = np.ones(len(a), np.int32)
    return (idx, a, b, c, one, one, dec.method, dec.factor, dec.price, dec.coef)


def plan(rows: Rows, decider: Decider):
    """Encode signatures, decide once per distinct one, gather inputs per row."""
    key = encode(rows.codes)
    return gather(rows, key, Decisions(decider, distinct_keys(key)))


def kernel(args):
    return compute_arrays(*args)


@pytest.fixture(scope="module")
def rulebook():
    return load_rulebook(RULES_DIR)


@pytest.fixture(scope="module")
def rows():
    return make_rows(ROWS)


@pytest.fixture(scope="module")
def decided(rulebook, rows):
    """Each row's signature key and the decision table of the distinct signatures."""
    key = encode(rows.codes)
    with engine_for(rulebook) as engine:
        return key, Decisions(Decider(rulebook, engine), distinct_keys(key))


@pytest.fixture(scope="module")
def expected(rows, decided):
    """Amounts of every row: the plan's inputs, checked against the Decimal twin on a sample."""
    args = gather(rows, *decided)
    out = kernel(args)
    assert out.failed == 0
    idx = np.random.default_rng(1).choice(ROWS, TWIN_SAMPLE, replace=False)
    twin = _twin(args, idx)
    assert np.array_equal(twin, out.amount[idx])
    return args, out.amount, idx


def _twin(args, idx):
    dec, a, b, c, num, den, *table = args
    n = len(idx)
    outs = [np.zeros(n, np.int64) for _ in range(3)] + [np.zeros(n, np.int8)]
    reference.compute(dec[idx], a[idx], b[idx], c[idx], num[idx], den[idx], *table, *outs)
    return outs[1]


def methods_per_row(decider: Decider, codes: list[list[int]]) -> list[str]:
    """The method rule of each row, asked of the engine with the row's own fact."""
    return [decider.method({**fact(*row), "account": f"row{i}"}, f"row{i}").rule.id
            for i, row in enumerate(codes)]


@pytest.mark.benchmark(group="calculation-1M")
def test_durable_rules_once_per_row(benchmark, figures, rounds, rulebook, rows, decided):
    key, table = decided
    sample = rows.codes[:PER_ROW_SAMPLE].tolist()
    want = [table.rule_ids[i] for i in table.index[key[:PER_ROW_SAMPLE]].tolist()]
    with engine_for(rulebook) as engine:
        decider = Decider(rulebook, engine)
        assert methods_per_row(decider, sample[:PER_ROW_CHECK]) == want[:PER_ROW_CHECK]
        ids = benchmark.pedantic(methods_per_row, args=(decider, sample),
                                 setup=engine.clear_cache, rounds=rounds(5))
        stats = engine.cache_stats()
    assert (stats.hits, stats.misses) == (0, PER_ROW_SAMPLE), "every row must reach durable"
    assert ids == want
    figures.rate(PER_ROW_SAMPLE)


@pytest.mark.benchmark(group="calculation-1M")
def test_decimal_twin_row_by_row(benchmark, figures, rounds, expected):
    args, amounts, idx = expected
    got = benchmark.pedantic(_twin, args=(args, idx), rounds=rounds(5))
    assert np.array_equal(got, amounts[idx])
    figures.rate(TWIN_SAMPLE)


@pytest.mark.benchmark(group="calculation-1M")
def test_engine_per_signature_cold_cache_and_kernel(benchmark, figures, rounds, rulebook, rows,
                                                    decided, expected):
    _, amounts, _ = expected
    with engine_for(rulebook) as engine:
        decider = Decider(rulebook, engine)
        assert np.array_equal(kernel(plan(rows, decider)).amount, amounts)
        got = benchmark.pedantic(lambda: kernel(plan(rows, decider)).amount,
                                 setup=engine.clear_cache, rounds=rounds(5))
        stats = engine.cache_stats()
    assert stats.misses >= len(decided[1].rule_ids), "every signature must reach durable"
    assert np.array_equal(got, amounts)
    figures.rate(ROWS)


@pytest.mark.benchmark(group="calculation-1M")
def test_engine_per_signature_warm_cache_and_kernel(benchmark, figures, rounds, rows, decided,
                                                    expected):
    """Steady state of a run: the decision table of this rulebook and period already exists;
    each batch encodes its signatures, looks the decisions up and runs the kernel."""
    _, amounts, _ = expected
    _, table = decided

    def run():
        return kernel(gather(rows, encode(rows.codes), table)).amount

    assert np.array_equal(run(), amounts)
    got = benchmark.pedantic(run, rounds=rounds(10))
    assert np.array_equal(got, amounts)
    figures.rate(ROWS)


@pytest.mark.benchmark(group="calculation-1M")
def test_decision_lookup_and_kernel(benchmark, figures, rounds, rows, decided, expected):
    """The core of the target: rows carry their signature key and their method inputs (as the
    columnar planner lays them out); decisions are looked up per row and the kernel runs."""
    _, amounts, _ = expected
    key, table = decided
    _, a, b, c, num, den, *decisions = gather(rows, key, table)

    def run():
        return compute_arrays(table.index[key], a, b, c, num, den, *decisions).amount

    assert np.array_equal(run(), amounts)
    got = benchmark.pedantic(run, rounds=rounds(20), warmup_rounds=2)
    assert np.array_equal(got, amounts)
    figures.rate(ROWS)
