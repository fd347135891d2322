"""The monthly run end to end — facts read, charges computed, lines written — a whole town
billed for one month, and the demo year of ``zhkh demo``.

    pytest benchmarks/bench_run.py -s -k run_on_sqlite   # 100,000 accounts (ZHKH_BENCH_ACCOUNTS)
    ZHKH_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1/zhkh_bench \\
    pytest benchmarks/bench_run.py -s -k postgresql      # 1,000,000 (ZHKH_BENCH_PG_ACCOUNTS)
    pytest benchmarks/bench_run.py -s -k demo            # zhkh demo, as a user runs it

Every round runs on a fresh copy of a kept town (the ``towns`` fixture of ``conftest.py``: the
first use of a size builds it, ≈14 min for 1,000,000 accounts on PostgreSQL; later ones copy
it). The PostgreSQL database named in the URL is replaced by each copy. A round's ledger is
checked (no run errors; lines and their sum equal the run's report) before the next round and
before any figure is reported. On PostgreSQL the run is pipelined (two threads read facts and
compute batches, two write them), so stage seconds, summed per thread, add up to more than the
wall time. Each round also prints the CPU seconds of this Python process and, when the server
is on this machine, of the whole PostgreSQL server (other sessions on it included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import Database
from zhkh.adapters.settings import Settings
from zhkh.modules.billing.run import RunReport, run_period
from zhkh.rules import RULES_DIR

try:  # seconds per stage of the columnar run, where the run exposes them (diagnostic only)
    from zhkh.modules.billing.fast_batch import TIMINGS
except ImportError:
    TIMINGS: dict[str, float] = {}

SQLITE_ACCOUNTS = int(os.environ.get("ZHKH_BENCH_ACCOUNTS", "100000"))
PG_ACCOUNTS = int(os.environ.get("ZHKH_BENCH_PG_ACCOUNTS", "1000000"))
PG_URL = os.environ.get("ZHKH_BENCH_POSTGRES_URL")
needs_postgresql = pytest.mark.skipif(not PG_URL, reason="ZHKH_BENCH_POSTGRES_URL is not set")


@pytest.fixture(scope="module")
def calculator():
    return bootstrap(Settings(rules_dir=RULES_DIR)).batch_calculator


class Runs:
    """Rounds of the monthly run, each on a fresh town from ``fresh`` (after ``before``, if
    given, e.g. a first run to be rerun); each round is checked before the next one starts."""

    def __init__(self, calculator, period: str, fresh: Callable[[], str],
                 before: Callable[[Database], RunReport] | None = None) -> None:
        self.calculator, self.period, self.fresh, self.before = calculator, period, fresh, before
        self.db: Database | None = None
        self.report: RunReport | None = None

    def setup(self) -> tuple[tuple[Database], dict]:
        """Untimed: check and close the last round, give the next one its town."""
        self.close()
        self.db = Database.from_url(self.fresh())
        if self.before is not None:
            self._check(self.db, self.before(self.db))
        return (self.db,), {}

    def run(self, db: Database) -> RunReport:
        """The timed round: the run, with this process's and the server's CPU around it."""
        TIMINGS.clear()
        cpu, server = time.process_time(), server_cpu_seconds(db)
        self.report = run_period(db.session, self.calculator, self.period, pipeline=True)
        cpu = time.process_time() - cpu
        server = None if server is None else server_cpu_seconds(db) - server
        r = self.report
        print(f"\nround: {r.accounts} accounts, {r.lines} lines in {r.seconds:.1f} s; CPU s: "
              f"python {cpu:.1f}, server {'—' if server is None else f'{server:.1f}'}; "
              "stages s: " + ", ".join(f"{k} {v:.1f}" for k, v in TIMINGS.items()))
        return r

    def close(self) -> None:
        if self.db is not None:
            self._check(self.db, self.report)
            self.db.dispose()
            self.db = self.report = None

    @staticmethod
    def _check(db: Database, report: RunReport | None) -> None:
        assert report is not None and report.errors == [], "the run must bill every account"
        with db.engine.connect() as conn:
            lines, total = conn.execute(text(
                "SELECT count(*), coalesce(sum(amount_kopecks), 0) FROM ledger_lines")).one()
        assert (lines, total) == (report.lines, report.amount_kopecks)


def measure(benchmark, figures, runs: Runs, rounds: int) -> None:
    """``rounds`` checked rounds of ``runs``, reported as seconds and lines per second."""
    try:
        report = benchmark.pedantic(runs.run, setup=runs.setup, rounds=rounds)
    finally:
        runs.close()
    benchmark.extra_info.update(accounts=report.accounts, lines=report.lines)
    figures.duration()
    figures.rate(report.lines, "lines")


@pytest.mark.benchmark(group="monthly-run-sqlite")
def test_monthly_run_on_sqlite(benchmark, figures, rounds, towns, calculator) -> None:
    runs = Runs(calculator, str(towns.period), lambda: towns.sqlite(SQLITE_ACCOUNTS))
    measure(benchmark, figures, runs, rounds(3))


@needs_postgresql
@pytest.mark.benchmark(group="monthly-run-postgresql")
def test_monthly_run_on_postgresql(benchmark, figures, rounds, towns, calculator) -> None:
    """On a town after VACUUM ANALYZE, as autovacuum leaves a living database."""
    runs = Runs(calculator, str(towns.period), lambda: towns.postgresql(PG_URL, PG_ACCOUNTS))
    measure(benchmark, figures, runs, rounds(3))


@needs_postgresql
@pytest.mark.benchmark(group="monthly-run-postgresql")
def test_monthly_run_on_postgresql_straight_after_load(benchmark, figures, rounds, towns,
                                                        calculator) -> None:
    """On a town just loaded: no planner statistics, and the run sets the hint bits of every
    row it reads for the first time."""
    runs = Runs(calculator, str(towns.period),
                lambda: towns.postgresql(PG_URL, PG_ACCOUNTS, analyzed=False))
    measure(benchmark, figures, runs, rounds(3))


@needs_postgresql
@pytest.mark.benchmark(group="monthly-run-postgresql")
def test_rerun_of_open_month_on_postgresql(benchmark, figures, rounds, towns,
                                           calculator) -> None:
    """The open month run a second time: every line of the first run replaced."""
    period = str(towns.period)

    def first_run(db: Database) -> RunReport:
        return run_period(db.session, calculator, period, pipeline=True)

    runs = Runs(calculator, period, lambda: towns.postgresql(PG_URL, PG_ACCOUNTS), first_run)
    measure(benchmark, figures, runs, rounds(3))


@needs_postgresql
@pytest.mark.benchmark(group="town-copy")
def test_copy_of_kept_town_on_postgresql(benchmark, figures, rounds, towns) -> None:
    """What a round pays before its run: the kept town copied into the benchmark's database.
    The first call builds the kept towns, so this is the command to prepare them ahead."""
    url = towns.postgresql(PG_URL, PG_ACCOUNTS)
    benchmark.pedantic(towns.postgresql, args=(PG_URL, PG_ACCOUNTS), rounds=rounds(3))
    db = Database.from_url(url)
    with db.engine.connect() as conn:
        accounts = conn.scalar(text("SELECT count(*) FROM accounts"))
    db.dispose()
    assert accounts == PG_ACCOUNTS
    figures.duration()


@pytest.mark.benchmark(group="demo")
def test_demo_year(benchmark, figures, rounds, tmp_path: Path) -> None:
    """``zhkh demo`` as a user runs it: 5,000 accounts billed for twelve months, closed."""
    zhkh = str(Path(sys.executable).with_name("zhkh"))
    command = [zhkh, "demo", "--database", f"sqlite:///{tmp_path / 'demo.sqlite'}"]

    def demo() -> str:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    output = benchmark.pedantic(demo, rounds=rounds(3))
    assert "Сценарий остановлен" not in output and "Итого" in output
    figures.duration()


def server_cpu_seconds(db: Database) -> float | None:
    """CPU seconds the PostgreSQL server behind ``db`` has used so far — its live processes
    and, through the postmaster's children times, those that exited — or None when the server
    is not a local PostgreSQL whose processes this user can read."""
    if db.engine.dialect.name != "postgresql":
        return None
    with db.engine.connect() as conn:
        backend = conn.scalar(text("SELECT pg_backend_pid()"))
    try:
        postmaster = _stat(backend)[1]
        if b"postgres" not in Path(f"/proc/{postmaster}/cmdline").read_bytes():
            return None
        ticks = sum(_stat(postmaster)[11:15])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = _stat(int(entry.name))
                except OSError:
                    continue  # exited meanwhile: now in the postmaster's children times
                if stat[1] == postmaster:
                    ticks += stat[11] + stat[12]
    except OSError:
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[int]:
    """Fields 3… of ``/proc/<pid>/stat`` as numbers (the state, field 3, as 0): ppid is [1],
    utime, stime, cutime, cstime are [11:15]."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return [0, *map(int, fields[1:])]
