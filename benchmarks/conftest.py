"""What every benchmark shares: figures reported as medians with their spread, round counts,
and the synthetic towns of the end-to-end benchmarks, built once and reused.

Figures. A benchmark reports the median of its rounds with the interquartile range and the
min–max, never its best round: this machine has two cores shared with other work, so the best
round is luck and the spread is part of the figure. The session ends with a table of every
figure per group, with each rate's ratio to the slowest variant of its group.

Rounds. Each benchmark names its default; ``ZHKH_BENCH_ROUNDS`` overrides them all (quick
checks: ``ZHKH_BENCH_ROUNDS=1``).

Towns (fixture ``towns``): the town of a size is generated once and kept — on SQLite as a file
in ``ZHKH_BENCH_CACHE`` (default ``~/.cache/zhkh-bench``), on PostgreSQL as the databases
``<name>_town_<accounts>`` (as loaded) and ``<name>_town_<accounts>_analyzed`` (after one
VACUUM ANALYZE) beside the benchmark's database ``<name>`` — and every round gets a
fresh copy of it (a file copy; ``CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY``). A kept town
is named by its size and a hash of what the generator writes now (a 1,000-account town is
generated in a scratch SQLite file at the start to compute it; the schema revision is part of
the data), so a town is rebuilt when the generator's output or the schema changes, and reused
across changes that keep them — the same town before and after a refactoring.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from zhkh.adapters.db import Database, normalize_url, upgrade
from zhkh.kernel.period import Period

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
    p99: float | None = None

    def text(self) -> str:
        """``median X unit (IQR a–b, min–max c–d[, p99 e], n rounds)``."""
        p99 = "" if self.p99 is None else f", p99 {_num(self.p99)}"
        return (f"median {_num(self.median)} {self.unit} (IQR {_num(self.q1)}–{_num(self.q3)}, "
                f"min–max {_num(self.low)}–{_num(self.high)}{p99}, {self.rounds} rounds)")


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

    def duration(self, *, scale: float = 1.0, unit: str = "s", p99: bool = False) -> Figure:
        """Seconds per round (times ``scale``, e.g. 1000 for milliseconds); ``p99``: with the
        99th percentile of the rounds (nearest rank), for latencies of many rounds."""
        s = self._benchmark.stats.stats
        tail = s.sorted_data[max(0, math.ceil(0.99 * s.rounds) - 1)] * scale if p99 else None
        return self._keep(unit, s.median * scale, s.q1 * scale, s.q3 * scale,
                          s.min * scale, s.max * scale, s.rounds, rate=False, p99=tail)

    def _keep(self, unit: str, median: float, q1: float, q3: float, low: float, high: float,
              rounds: int, *, rate: bool, p99: float | None = None) -> Figure:
        bench = self._benchmark
        figure = Figure(bench.group or "-", bench.name, unit, median, q1, q3, low, high, rounds,
                        rate, p99)
        bench.extra_info[unit] = {"median": median, "q1": q1, "q3": q3, "min": low,
                                  "max": high, "p99": p99}
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


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """``pytest benchmarks`` runs every ``bench_*.py`` (a file named on the command line is
    collected by pytest itself)."""
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and not parent.session.isinitpath(file_path)):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


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
        rates = [f.median for f in members if f.rate]
        slowest = min(rates) if len(rates) > 1 else None
        for f in members:
            ratio = f"  {f.median / slowest:,.1f}× the slowest" if f.rate and slowest else ""
            write(f"  {f.name}: {f.text()}{ratio}")


def _machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} (1/5/15 min)"


# --- towns ------------------------------------------------------------------------------------

TOWN_PERIOD = Period(2026, 10)
"""The month a town is ready to be billed for: readings of it and of the four months before."""
READING_MONTHS = 5
ACCOUNTS_PER_HOUSE = 100
TOWN_SEED = 1
PROBE_ACCOUNTS = 1000
NAME = re.compile(r"[a-z_][a-z0-9_]{0,29}")  # room for "_town_<n>_analyzed_building"


COMMON_EVERY = int(os.environ.get("ZHKH_BENCH_COMMON_EVERY", "0"))
"""Every n-th house of a town bills common property (СОИ) by house meters (0: none; 1: every
house). Part of what the generator writes, so towns with and without are kept apart."""


def _load_town(session, accounts: int) -> None:
    """The town of ``accounts`` accounts, a house per hundred, with five months of readings."""
    # imported here: only the benchmarks that bill a town depend on where the generator lives
    from zhkh.modules.demo.town import TownBuilder, fix_sequences, write_readings

    rng = random.Random(TOWN_SEED)
    town = TownBuilder(session, rng, accounts=accounts,
                       houses=max(1, accounts // ACCOUNTS_PER_HOUSE), start=TOWN_PERIOD,
                       common_every=COMMON_EVERY).build()
    for back in range(READING_MONTHS - 1, -1, -1):
        write_readings(session, town, rng, TOWN_PERIOD.shift(-back))
    fix_sequences(session)


def _generated_data(scratch: Path) -> str:
    """A hash of what a small town holds — its tables, columns and rows, the schema revision
    among them — leaving out the database's own timestamps. A kept town stays valid while
    this hash does: moving or tidying the generator keeps it, changing what it writes (or the
    schema) does not."""
    path = scratch / "probe.sqlite"
    _remove_sqlite(path)
    _build(f"sqlite:///{path}", PROBE_ACCOUNTS)
    digest = hashlib.sha256()
    with closing(sqlite3.connect(path)) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
        for (table,) in tables:
            columns = ", ".join(f'"{c[1]}"' for c in conn.execute(f'PRAGMA table_info("{table}")')
                                if "CURRENT_TIMESTAMP" not in str(c[4]).upper())
            digest.update(f"{table}: {columns}".encode())
            for row in conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY {columns}'):
                digest.update(repr(row).encode())
    _remove_sqlite(path)
    return digest.hexdigest()[:16]


def _build(url: str, accounts: int) -> float:
    """Migrate the empty database at ``url`` and load the town; returns the seconds taken."""
    started = time.perf_counter()
    upgrade(url)
    db = Database.from_url(url)
    try:
        with db.session() as session:
            _load_town(session, accounts)
    finally:
        db.dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":  # the kept file must hold everything alone
        with closing(sqlite3.connect(parsed.database)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


class Towns:
    """Fresh copies of kept towns (see the module docstring)."""

    period = TOWN_PERIOD

    def __init__(self, cache: Path, scratch: Path) -> None:
        self.cache, self.scratch = cache, scratch

    @cached_property
    def generated(self) -> str:
        """The hash of what the generator writes now (see ``_generated_data``)."""
        return _generated_data(self.scratch)

    def sqlite(self, accounts: int) -> str:
        """The URL of a fresh copy of the SQLite town (the previous copy of this size is
        replaced, so its database must be disposed of)."""
        kept = self._kept_file(accounts)
        copy = self.scratch / f"town-{accounts}.sqlite"
        _remove_sqlite(copy)
        shutil.copyfile(kept, copy)
        return f"sqlite:///{copy}"

    def postgresql(self, url: str, accounts: int, *, analyzed: bool = True) -> str:
        """``url``'s database recreated as a copy of the town and returned. ``analyzed``: a
        copy of the town after one VACUUM ANALYZE (what autovacuum makes of a living database;
        it is off on these machines), else straight after loading (no statistics, no hint
        bits)."""
        server = _Server(url)
        made_of = f"zhkh benchmark town: {accounts} accounts, data {self.generated}"
        source = server.keep(f"{server.name}_town_{accounts}", made_of,
                             lambda name: server.load(name, accounts))
        if analyzed:
            loaded = source
            source = server.keep(f"{loaded}_analyzed", f"{made_of}, VACUUM ANALYZE",
                                 lambda name: server.analyze(loaded, name))
        server.clone(source, server.name)
        server.dispose()
        return url

    def _kept_file(self, accounts: int) -> Path:
        path = self.cache / f"town-{accounts}-{self.generated}.sqlite"
        if path.exists():
            return path
        for stale in self.cache.glob(f"town-{accounts}-*.sqlite"):
            stale.unlink()
        building = path.with_suffix(".building")
        _remove_sqlite(building)
        seconds = _build(f"sqlite:///{building}", accounts)
        os.replace(building, path)
        print(f"\ntown of {accounts} accounts built in {seconds:.1f} s, kept as {path}")
        return path


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class _Server:
    """The PostgreSQL server of a benchmark URL, driven from its ``postgres`` database."""

    def __init__(self, url: str) -> None:
        self.url = make_url(normalize_url(url))
        self.name = self.url.database or ""
        if not NAME.fullmatch(self.name):
            raise ValueError(f"benchmark database name must match {NAME.pattern}: {self.name!r}")
        self.admin = create_engine(self.url.set(database="postgres"), poolclass=NullPool,
                                   isolation_level="AUTOCOMMIT")

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def keep(self, name: str, description: str, make: Callable[[str], None]) -> str:
        """The database ``name`` made by ``make`` unless it exists with this description."""
        with self.admin.connect() as conn:
            kept = conn.scalar(text("SELECT shobj_description(oid, 'pg_database') "
                                    "FROM pg_database WHERE datname = :name"), {"name": name})
        if kept == description:
            return name
        building = f"{name}_building"
        self.drop(building)
        started = time.perf_counter()
        make(building)
        self.drop(name)
        quoted = description.replace("'", "''")
        self._sql(f"ALTER DATABASE {building} RENAME TO {name}",
                  f"COMMENT ON DATABASE {name} IS '{quoted}'",
                  f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")  # kept as it was made
        print(f"\n{name} made in {time.perf_counter() - started:.1f} s ({description})")
        return name

    def load(self, name: str, accounts: int) -> None:
        self._sql(f"CREATE DATABASE {name}")
        _build(self.url_of(name), accounts)

    def analyze(self, source: str, name: str) -> None:
        self.clone(source, name)
        engine = create_engine(self.url_of(name), poolclass=NullPool,
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()

    def clone(self, source: str, name: str) -> None:
        self.drop(name)
        self._sql(f"CREATE DATABASE {name} TEMPLATE {source} STRATEGY FILE_COPY")

    def drop(self, name: str) -> None:
        self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def dispose(self) -> None:
        self.admin.dispose()

    def _sql(self, *statements: str) -> None:
        with self.admin.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)


@pytest.fixture(scope="session")
def towns(tmp_path_factory: pytest.TempPathFactory) -> Towns:
    """Kept towns and their fresh copies."""
    cache = Path(os.environ.get("ZHKH_BENCH_CACHE", Path.home() / ".cache" / "zhkh-bench"))
    cache.mkdir(parents=True, exist_ok=True)
    return Towns(cache, tmp_path_factory.mktemp("towns"))
