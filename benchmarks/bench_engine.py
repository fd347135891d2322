"""Rule engine benchmark: durable-rules once per row versus once per signature.

(a) ``per_row``: 10,000 generated rows, each asked of durable-rules (every row carries its own
    account, so the cache never hits) — the cost a naive "rules engine per row" design pays;
    rows/s is reported to extrapolate to a region.
(b) ``per_signature``: 1,000,000 rows with a few hundred distinct signatures: the signature
    columns are factorized with numpy, each unique signature is decided once (cache cleared
    at the start of each round, so durable is really asked), and the decisions are spread back
    to the rows with one take.

Run:  pytest benchmarks/bench_engine.py -s
Both variants check their decisions against `conditions.matches` before they are timed;
figures are medians of the rounds with their spread (see ``conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from zhkh.kernel.engine import Engine
from zhkh.kernel.rulebook.conditions import Condition, matches, parse_when

SERVICES = ("cold_water", "hot_water", "wastewater", "electricity", "gas", "heating")
METERS = ("absent", "working", "failed", "expired")
MONTHS = 7  # months_without_readings 0..6
ZONES = (1, 2, 3)
PER_ROW_ROWS = 10_000
ROWS = 1_000_000
CHECK_SAMPLE = 5_000


@dataclass(frozen=True)
class Rule:
    id: str
    priority: int
    when: Condition


def method_rules() -> list[Rule]:
    """Four method rules per service; exactly one winner for every signature of the grid."""
    rules = []
    for service in SERVICES:
        rules += [
            Rule(f"{service}.meter", 0, parse_when({"service": service, "meter": "working"})),
            Rule(
                f"{service}.average",
                1,
                parse_when(
                    {
                        "service": service,
                        "meter": ["failed", "expired"],
                        "months_without_readings": {"lte": 3},
                    }
                ),
            ),
            Rule(
                f"{service}.zones",
                0,
                parse_when(
                    {
                        "service": service,
                        "meter": "absent",
                        "zones": {"gte": 2},
                    }
                ),
            ),
            Rule(f"{service}.norm", -1, parse_when({"service": service})),
        ]
    return rules


RULES = method_rules()


def reference_decision(fact: dict) -> str:
    found = [r for r in RULES if matches(r.when, fact)]
    top = max(r.priority for r in found)
    (winner,) = [r.id for r in found if r.priority == top]
    return winner


def signature(service: int, meter: int, months: int, zones: int) -> dict:
    return {
        "service": SERVICES[service],
        "meter": METERS[meter],
        "months_without_readings": months,
        "zones": ZONES[zones],
    }


def generate_columns(rows: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, len(SERVICES), rows, dtype=np.int64),
        rng.integers(0, len(METERS), rows, dtype=np.int64),
        rng.integers(0, MONTHS, rows, dtype=np.int64),
        rng.integers(0, len(ZONES), rows, dtype=np.int64),
    )


@pytest.fixture(scope="module")
def engine():
    with Engine({"methods": RULES}, "bench") as built:
        yield built


def decide_per_row(engine: Engine, columns: tuple[np.ndarray, ...]) -> list[str]:
    """One durable evaluation per row: the account makes every signature unique."""
    service, meter, months, zones = (column.tolist() for column in columns)
    decisions = []
    for row in range(len(service)):
        fact = signature(service[row], meter[row], months[row], zones[row])
        fact["account"] = f"acc{row}"  # not in any rule, but part of the row's identity
        decisions.append(engine.decide("methods", fact))
    return decisions


def decide_per_signature(engine: Engine, columns: tuple[np.ndarray, ...]) -> np.ndarray:
    """Factorize the signature columns, decide each unique once, spread back with one take."""
    service, meter, months, zones = columns
    code = ((service * len(METERS) + meter) * MONTHS + months) * len(ZONES) + zones
    uniques, inverse = np.unique(code, return_inverse=True)
    ids = np.empty(len(uniques), dtype=object)
    for position, value in enumerate(uniques.tolist()):
        value, z = divmod(value, len(ZONES))
        value, mo = divmod(value, MONTHS)
        s, m = divmod(value, len(METERS))
        ids[position] = engine.decide("methods", signature(s, m, mo, z))
    return ids[inverse]


@pytest.mark.benchmark(group="engine")
def test_durable_once_per_row(benchmark, figures, rounds, engine):
    columns = generate_columns(PER_ROW_ROWS)
    decisions = decide_per_row(engine, tuple(c[:500] for c in columns))
    for row, decision in enumerate(decisions):
        fact = signature(*(int(c[row]) for c in columns))
        assert decision == reference_decision(fact)

    result = benchmark.pedantic(decide_per_row, args=(engine, columns),
                                setup=engine.clear_cache, rounds=rounds(3))
    assert len(result) == PER_ROW_ROWS
    stats = engine.cache_stats()
    assert (stats.hits, stats.misses) == (0, PER_ROW_ROWS), "every row must reach durable"
    figures.rate(PER_ROW_ROWS)


@pytest.mark.benchmark(group="engine")
def test_engine_once_per_signature(benchmark, figures, rounds, engine):
    columns = generate_columns(ROWS)
    engine.clear_cache()
    decided = decide_per_signature(engine, columns)
    rng = np.random.default_rng(11)
    for row in rng.integers(0, ROWS, CHECK_SAMPLE).tolist():
        fact = signature(*(int(c[row]) for c in columns))
        assert decided[row] == reference_decision(fact)

    result = benchmark.pedantic(decide_per_signature, args=(engine, columns),
                                setup=engine.clear_cache, rounds=rounds(5))
    stats = engine.cache_stats()
    assert len(result) == ROWS and stats.hits == 0 and stats.misses == stats.size
    benchmark.extra_info["signatures"] = stats.size
    figures.rate(ROWS)
    figures.duration(scale=1000, unit="ms per 1M rows")
