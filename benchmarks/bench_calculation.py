"""The calculation core on 1,000,000 account × service rows with the shipped rulebook.

Three ways to get the same amounts, side by side in one group (one core):

* durable-rules asked once per row (on a sample; the rows/s extrapolate);
* the Decimal twin of the kernel, row by row (on a sample);
* the engine asked once per distinct signature, decisions gathered per row with numpy, the
  compiled kernel over all rows — with a cold decision cache (every signature really goes to
  durable-rules) and a warm one (the steady state of a monthly run: one rulebook version).

Every variant is checked against the same rows before it is timed.

Run: pytest benchmarks/bench_calculation.py --benchmark-group-by=group -p no:cacheprovider -s
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
        for i, key in enumerate(keys.tolist()):
            sig = fact(*decode(key))
            m = decider.method(sig, "bench")
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
def expected(rulebook, rows):
    """Amounts of every row: the plan's inputs run through the Decimal twin on a sample."""
    with engine_for(rulebook) as engine:
        args = plan(rows, Decider(rulebook, engine))
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


def _rows_per_second(benchmark, rows: int) -> None:
    benchmark.extra_info["rows"] = rows
    benchmark.extra_info["rows_per_s"] = round(rows / benchmark.stats.stats.min)
    print(f"\n{benchmark.name}: {rows / benchmark.stats.stats.min:,.0f} rows/s")


@pytest.mark.benchmark(group="calculation-1M")
def test_durable_rules_once_per_row(benchmark, rulebook, rows, expected):
    sample = rows.codes[:PER_ROW_SAMPLE].tolist()
    with engine_for(rulebook) as engine:
        decider = Decider(rulebook, engine)

        def per_row():
            engine.clear_cache()
            return [decider.method(fact(*codes), "bench").rule.id for codes in sample]

        ids = benchmark.pedantic(per_row, rounds=1, iterations=1)
    assert len(ids) == PER_ROW_SAMPLE
    _rows_per_second(benchmark, PER_ROW_SAMPLE)


@pytest.mark.benchmark(group="calculation-1M")
def test_decimal_twin_row_by_row(benchmark, expected):
    args, amounts, idx = expected
    got = benchmark.pedantic(_twin, args=(args, idx), rounds=1, iterations=1)
    assert np.array_equal(got, amounts[idx])
    _rows_per_second(benchmark, TWIN_SAMPLE)


@pytest.mark.benchmark(group="calculation-1M")
def test_engine_per_signature_cold_cache_and_kernel(benchmark, rulebook, rows, expected):
    _, amounts, _ = expected
    with engine_for(rulebook) as engine:
        decider = Decider(rulebook, engine)

        def run():
            engine.clear_cache()
            return kernel(plan(rows, decider)).amount

        got = benchmark.pedantic(run, rounds=3, iterations=1)
    assert np.array_equal(got, amounts)
    _rows_per_second(benchmark, ROWS)


@pytest.mark.benchmark(group="calculation-1M")
def test_engine_per_signature_warm_cache_and_kernel(benchmark, rulebook, rows, expected):
    """Steady state of a run: the decision table of this rulebook and period already exists;
    each batch encodes its signatures, looks the decisions up and runs the kernel."""
    _, amounts, _ = expected
    with engine_for(rulebook) as engine:
        key = encode(rows.codes)
        table = Decisions(Decider(rulebook, engine), distinct_keys(key))

        def run():
            return kernel(gather(rows, encode(rows.codes), table)).amount

        got = benchmark.pedantic(run, rounds=5, iterations=1)
    assert np.array_equal(got, amounts)
    _rows_per_second(benchmark, ROWS)


@pytest.mark.benchmark(group="calculation-1M")
def test_decision_lookup_and_kernel(benchmark, rulebook, rows, expected):
    """The core of the target: rows carry their signature key and their method inputs (as the
    columnar planner lays them out); decisions are looked up per row and the kernel runs."""
    _, amounts, _ = expected
    with engine_for(rulebook) as engine:
        key = encode(rows.codes)
        table = Decisions(Decider(rulebook, engine), distinct_keys(key))
        _, a, b, c, num, den, *decisions = gather(rows, key, table)

        def run():
            return compute_arrays(table.index[key], a, b, c, num, den, *decisions).amount

        got = benchmark.pedantic(run, rounds=5, iterations=1)
    assert np.array_equal(got, amounts)
    _rows_per_second(benchmark, ROWS)
