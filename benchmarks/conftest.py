"""What every benchmark shares: figures reported as medians with their spread, and round counts.

Figures. A benchmark reports the median of its rounds with the interquartile range and the
min–max, never its best round: this machine has two cores shared with other work, so the best
round is luck and the spread is part of the figure. The session ends with a table of every
figure per group, with each rate's ratio to the slowest variant of its group.

Rounds. Each benchmark names its default; ``ZHKH_BENCH_ROUNDS`` overrides them all (quick
checks: ``ZHKH_BENCH_ROUNDS=1``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest

FIGURES = pytest.StashKey[list["Figure"]]()


@dataclass(frozen=True, slots=True)
class Figure:
    """One reported figure: the median over ``rounds`` with its quartiles and range."""

    group: str
    name: str
    unit: str
    median: float
    q1: float
    q3: float
    low: float
    high: float
    rounds: int
    rate: bool

    def text(self) -> str:
        """``median X unit (IQR a–b, min–max c–d, n rounds)``."""
        return (f"median {_num(self.median)} {self.unit} (IQR {_num(self.q1)}–{_num(self.q3)}, "
                f"min–max {_num(self.low)}–{_num(self.high)}, {self.rounds} rounds)")


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value >= 1 else f"{value:.3g}"


class Figures:
    """Turns a finished ``benchmark`` into a :class:`Figure`, prints and keeps it."""

    def __init__(self, kept: list[Figure], benchmark) -> None:
        self._kept = kept
        self._benchmark = benchmark

    def rate(self, count: int, unit: str = "rows") -> Figure:
        """``count`` items per round as items per second (slow rounds give the low rates)."""
        s = self._benchmark.stats.stats
        return self._keep(f"{unit}/s", count / s.median, count / s.q3, count / s.q1,
                          count / s.max, count / s.min, s.rounds, rate=True)

    def duration(self, *, scale: float = 1.0, unit: str = "s") -> Figure:
        """Seconds per round (times ``scale``, e.g. 1000 for milliseconds)."""
        s = self._benchmark.stats.stats
        return self._keep(unit, s.median * scale, s.q1 * scale, s.q3 * scale,
                          s.min * scale, s.max * scale, s.rounds, rate=False)

    def _keep(self, unit: str, median: float, q1: float, q3: float, low: float, high: float,
              rounds: int, *, rate: bool) -> Figure:
        bench = self._benchmark
        figure = Figure(bench.group or "-", bench.name, unit, median, q1, q3, low, high, rounds,
                        rate)
        bench.extra_info.update(unit=unit, median=median, q1=q1, q3=q3, low=low, high=high)
        self._kept.append(figure)
        print(f"\n{bench.name}: {figure.text()}")
        return figure


def _rounds(default: int) -> int:
    return max(1, int(os.environ.get("ZHKH_BENCH_ROUNDS", default)))


@pytest.fixture
def rounds() -> Callable[[int], int]:
    """``rounds(default)``: the round count, ``ZHKH_BENCH_ROUNDS`` when set."""
    return _rounds


@pytest.fixture
def figures(request: pytest.FixtureRequest, benchmark) -> Figures:
    """The figure reporter of this benchmark."""
    return Figures(request.config.stash[FIGURES], benchmark)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[FIGURES] = []


def pytest_report_header(config: pytest.Config) -> str:
    return f"benchmarks: {_machine()}"


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    kept = config.stash.get(FIGURES, [])
    if not kept:
        return
    write = terminalreporter.write_line
    terminalreporter.section("figures: median (IQR; min–max; rounds)")
    write(f"at the end: {_machine()}")
    groups: dict[str, list[Figure]] = {}
    for figure in kept:
        groups.setdefault(figure.group, []).append(figure)
    for group, members in groups.items():
        write(f"[{group}]")
        slowest = min((f.median for f in members if f.rate), default=None)
        for f in members:
            ratio = f"  {f.median / slowest:,.1f}× the slowest" if f.rate and slowest else ""
            write(f"  {f.name}: {f.text()}{ratio}")


def _machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} (1/5/15 min)"

