"""End-to-end benchmarks of billing: the monthly run (facts read → lines written) and the online
recalculation of one account. Correctness is asserted before any figure is reported.

    ZHKH_BENCH_ACCOUNTS=100000 pytest benchmarks/bench_run.py -k sqlite      # default 100 000
    ZHKH_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1/zhkh_bench \\
    ZHKH_BENCH_PG_ACCOUNTS=1000000 pytest benchmarks/bench_run.py -k postgres

The PostgreSQL database named in the URL is recreated (migrated down and up) and analyzed.
The run is pipelined on PostgreSQL (two threads read facts and compute batches, two writer
threads with a transaction per batch); stage seconds are summed per thread, so on PostgreSQL
they add up to more than the wall time.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.billing import recreate
from zhkh.adapters.db import Database
from zhkh.adapters.settings import Settings
from zhkh.kernel.period import Period
from zhkh.modules.billing.account_calc import recalculate_account
from zhkh.modules.billing.fast_batch import TIMINGS
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.run import run_period
from zhkh.modules.demo.town import TownBuilder, fix_sequences, write_readings
from zhkh.modules.registry.models import Account
from zhkh.rules import RULES_DIR

PERIOD = Period(2026, 10)
ACCOUNTS_PER_HOUSE = 100


def _town(url: str, accounts: int) -> tuple[Database, float]:
    recreate(url)
    db = Database.from_url(url)
    started = time.perf_counter()
    rng = random.Random(1)
    with db.session() as session:
        town = TownBuilder(session, rng, accounts=accounts,
                           houses=max(1, accounts // ACCOUNTS_PER_HOUSE), start=PERIOD).build()
        for back in range(4, -1, -1):
            write_readings(session, town, rng, PERIOD.shift(-back))
        fix_sequences(session)
    if db.engine.dialect.name == "postgresql":
        # A town loaded a moment ago has not been vacuumed or analyzed yet (autovacuum is off
        # on these machines, and would lag a bulk load anyway): without statistics the facts
        # queries get nested-loop plans over whole tables, and the first reader of each of the
        # ≈40 M loaded rows sets its hint bits and dirties its page. A living database has
        # both done; VACUUM ANALYZE does them here so the run is measured, not the load's
        # aftermath (1 M accounts: 121.3 s for a run straight after the load).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return db, time.perf_counter() - started


def _run_once(benchmark, db: Database, label: str) -> None:
    calculator = bootstrap(Settings(rules_dir=RULES_DIR)).batch_calculator
    TIMINGS.clear()
    report = benchmark.pedantic(run_period, args=(db.session, calculator, str(PERIOD)),
                                kwargs={"pipeline": True}, rounds=1, iterations=1)
    with db.reader() as session:
        total = session.scalar(select(func.sum(LedgerLine.amount_kopecks)))
        lines = session.scalar(select(func.count()).select_from(LedgerLine))
    assert report.errors == []
    assert lines == report.lines and total == report.amount_kopecks
    benchmark.extra_info.update(lines=report.lines, accounts=report.accounts,
                                seconds=round(report.seconds, 2),
                                rows_per_second=round(report.lines / report.seconds),
                                stages={k: round(v, 2) for k, v in TIMINGS.items()})
    print(f"\n{label}: {report.accounts} счетов, {report.lines} строк за "
          f"{report.seconds:.1f} с — {report.lines / report.seconds:,.0f} строк/с; этапы, с: "
          + ", ".join(f"{k} {v:.1f}" for k, v in TIMINGS.items()))


@pytest.mark.benchmark(group="monthly-run")
def test_monthly_run_on_sqlite(benchmark, tmp_path: Path) -> None:
    accounts = int(os.environ.get("ZHKH_BENCH_ACCOUNTS", "100000"))
    db, built = _town(f"sqlite:///{tmp_path / 'bench.sqlite'}", accounts)
    print(f"\nгород {accounts} счетов построен за {built:.1f} с")
    try:
        _run_once(benchmark, db, "SQLite")
    finally:
        db.dispose()


@pytest.mark.benchmark(group="monthly-run")
def test_monthly_run_on_postgresql(benchmark) -> None:
    url = os.environ.get("ZHKH_BENCH_POSTGRES_URL")
    if not url:
        pytest.skip("ZHKH_BENCH_POSTGRES_URL не задан")
    accounts = int(os.environ.get("ZHKH_BENCH_PG_ACCOUNTS", "1000000"))
    db, built = _town(url, accounts)
    print(f"\nгород {accounts} счетов построен за {built:.1f} с")
    try:
        _run_once(benchmark, db, "PostgreSQL")
    finally:
        db.dispose()


@pytest.mark.benchmark(group="online")
def test_online_recalculation_latency_on_sqlite(benchmark, tmp_path: Path) -> None:
    db, _ = _town(f"sqlite:///{tmp_path / 'online.sqlite'}", 5000)
    calculator = bootstrap(Settings(rules_dir=RULES_DIR)).batch_calculator
    run_period(db.session, calculator, str(PERIOD))
    with db.reader() as session:
        numbers = list(session.scalars(select(Account.number)))
    rng = random.Random(2)
    sample = [rng.choice(numbers) for _ in range(int(os.environ.get("ZHKH_BENCH_CHANGES", "300")))]
    timings: list[float] = []

    def one_change(number: str) -> list[dict]:
        started = time.perf_counter()
        with db.session() as session:
            lines = recalculate_account(session, number, str(PERIOD), calculator=calculator)
        timings.append(time.perf_counter() - started)
        return lines

    assert one_change(sample[0]), "a recalculation must return the account's lines"
    timings.clear()
    benchmark.pedantic(lambda: [one_change(n) for n in sample], rounds=1, iterations=1)
    ordered = sorted(timings)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
    benchmark.extra_info.update(p50_ms=round(p50, 2), p99_ms=round(p99, 2), changes=len(ordered))
    print(f"\nонлайн-перерасчёт на SQLite: p50 {p50:.1f} мс, p99 {p99:.1f} мс "
          f"({len(ordered)} изменений)")
    db.dispose()
