"""Shrinking a situation to a minimal one that still shows the same kind of change or violation.

First hypothesis itself (:func:`hypothesis.find` over the same strategy, seeded, no database):
it searches for a situation with the property and shrinks it. When that does not find one
within its budget (a rare kind), the situation found while exploring is shrunk here instead, by
deleting what the property does not need — accounts, services, meters, readings, residents,
benefits, absences, incidents, debts, payments, optional house data — one piece at a time
while the property holds.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from random import Random
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

Json = dict[str, Any]
Predicate = Callable[[Json], bool]

OPTIONAL = ("benefits", "absences", "incidents", "balance", "total_area", "heating_volume",
            "heating_season", "common_area", "capacity", "verified_until", "failed_on", "to",
            "meter_access_refusals")


def shrink(strategy: st.SearchStrategy[Json], found: Json, holds: Predicate, *, seed: int,
           budget: int, steps: int, deadline: float) -> Json:
    """A situation as small as found for which ``holds`` is true (``found`` satisfies it):
    hypothesis gets ``budget`` examples, the deletion pass at most ``steps`` calls of ``holds``;
    hypothesis stops at a third of the time to ``deadline`` (``time.monotonic()``), the
    deletion pass at it."""
    now = time.monotonic()
    best = _hypothesis(strategy, holds, seed, budget, now + (deadline - now) / 3)
    start = found if best is None or _size(found) < _size(best) else best
    return _greedy(start, holds, steps, deadline)


def _hypothesis(strategy: st.SearchStrategy[Json], holds: Predicate, seed: int, budget: int,
                deadline: float) -> Json | None:
    def timed(d: Json) -> bool:
        return time.monotonic() < deadline and holds(d)

    try:
        return find(strategy, timed, settings=settings(
            database=None, max_examples=budget, deadline=None,
            phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck)),
            random=Random(seed))
    except HypothesisException:
        return None


def _size(value: Any) -> int:
    if isinstance(value, dict):
        return sum(1 + _size(v) for v in value.values())
    if isinstance(value, list):
        return sum(1 + _size(v) for v in value)
    return 1


def _greedy(start: Json, holds: Predicate, steps: int, deadline: float) -> Json:
    best = start
    improved = True
    while improved and steps > 0 and time.monotonic() < deadline:
        improved = False
        for candidate in _smaller(best):
            steps -= 1
            if steps < 0 or time.monotonic() >= deadline:
                break
            if holds(candidate):
                best, improved = candidate, True
                break
    return best


def _smaller(value: Json) -> Iterator[Json]:
    """Every situation with one piece less (largest pieces first)."""
    for path, _container, key in sorted(_places(value, ()), key=lambda p: -_size(
            p[1][p[2]])):
        candidate = copy.deepcopy(value)
        target: Any = candidate
        for step in path:
            target = target[step]
        del target[key]
        yield candidate


def _places(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
    if isinstance(node, dict):
        for key, child in node.items():
            if key in OPTIONAL:
                yield path, node, key
            yield from _places(child, (*path, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            if len(node) > 1 or path[-1:] not in (("accounts",), ("services",), ("zones",)):
                yield path, node, i
            yield from _places(child, (*path, i))
