"""Penalties in the monthly run at the scale of a region: the phase of one month over a town of
``ZHKH_BENCH_PENALTY_ACCOUNTS`` accounts (default 1,000,000) with 36 months of history, on
PostgreSQL, the penalty state kept by the month before as a living database has it.

    ZHKH_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1/zhkh_bench_penalties \\
        pytest benchmarks/bench_penalties_scale.py -s -p no:randomly

(the URL's database holds the town between runs: built when it holds no town of this size,
dropped and created again first). The town is the money town of
``bench_payments`` (one house, two services of two providers, 15 % of the accounts leaving
bills unpaid or partly paid, the others paying every bill in full, a fifth of them late),
written by the server itself (``generate_series``, indexes built after the rows, the ledger's
triggers off while it is written) — the Python writer takes about 45 minutes for a million
accounts. Its random draws are the server's, so it is the same kind of town, not the same
town. The month before the timed one is booked by the phase (untimed; no state yet: whole
histories read, the state built) and closed; every round restores that state and deletes the
month's penalty lines (untimed), then books the month (timed), which moves the state a month.
Checked every round: the lines in the ledger are those the report counts, and every round
books the same lines (count, sum and an order-free hash).

About 40 GB of disk; building the town of a million accounts takes about 25 minutes, each
round about 3 (most of it restoring the state).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from zhkh.adapters.db import Database, normalize_url, upgrade
from zhkh.modules.finance.penalties import book_penalties

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_payments import (
    OPEN,
    PG_URL,
    ServerCPU,
    _ledger_digest,
    book_month_before,
    fresh_postgresql,
    load,
    needs_postgresql,
    rules,  # noqa: F401  (fixture)
)

ACCOUNTS = int(os.environ.get("ZHKH_BENCH_PENALTY_ACCOUNTS", "1000000"))
DEBTORS = 0.15
MONTHS = 36
"""Bills per account: 35 closed months and the month before the timed one."""


def _execute(engine, sql: str, **params) -> None:
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(text(sql), params)
    print(f"  {time.perf_counter() - started:7.1f} s  {' '.join(sql.split())[:80]}", flush=True)


def sql_money_town(url: str, accounts: int, *, before) -> None:
    """Write the town into the empty database ``url`` (migrated here): bills of months
    ``before − 35 … before``, payments of each in the month after it (up to ``before``)."""
    upgrade(url)
    first = before.shift(-(MONTHS - 1))
    engine = create_engine(normalize_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    bulk = ("ledger_lines", "payments", "payment_allocations")
    indexes: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in bulk:
            rows = conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"), {"t": table}).all()
            indexes[table] = [r[1] for r in rows]
            for name, _ in rows:
                conn.execute(text(f"DROP INDEX {name}"))
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    month = "to_char(CAST(:first AS date) + make_interval(months => {}), 'YYYY-MM')"
    day = "CAST(CAST(:first AS date) + make_interval(months => {}) AS date)"
    steps = [
        ("INSERT INTO providers (id, code, name, inn) VALUES "
         "(1, 'water', 'Водоканал', '7707083893'), (2, 'heat', 'Теплосеть', '7736050003')", {}),
        ("INSERT INTO houses (id, address, house_type, house_heat_meter, heating_payment, "
         "total_area_micro, common_area_micro) VALUES (1, 'г. Бенчмарк, ул. Денежная, д. 1', "
         "'apartment_building', false, 'evenly', 0, 0)", {}),
        ("INSERT INTO premises (id, house_id, number, kind, area_micro, rooms) "
         "SELECT i, 1, i::text, 'flat', 50000000, 2 FROM generate_series(1, :n) i", {}),
        ("INSERT INTO accounts (id, number, premises_id, opened_on) "
         "SELECT i, lpad(i::text, 10, '0'), i, DATE '2020-01-01' FROM generate_series(1, :n) i",
         {}),
        (f"INSERT INTO billing_periods (period, status) SELECT {month.format('k')}, 'open' "
         f"FROM generate_series(0, {MONTHS - 1}) k", {}),
        ("SELECT setseed(0.3)", {}),
        # one row per account × bill: its amounts and how it is paid
        (f"CREATE UNLOGGED TABLE town_bills AS SELECT a, k, {month.format('k')} AS m, "
         f"{month.format('k + 1')} AS nxt, {day.format('k + 1')} AS nfirst, "
         f"{day.format('k + 2')} - 1 AS nlast, "
         "5000 + floor(random() * 85001)::bigint AS c1, "
         "30000 + floor(random() * 370001)::bigint AS c2, (a % 1000 >= :good) AS good, "
         "random() AS skip, floor(random() * 25)::int AS d0, "
         "CASE WHEN random() < 0.2 THEN 20 + floor(random() * 41)::int ELSE 0 END AS late, "
         "CASE WHEN random() < 0.1 THEN 30 + floor(random() * 70)::int ELSE 100 END AS share0, "
         f"row_number() OVER () AS pay_id FROM generate_series(1, :n) a, "
         f"generate_series(0, {MONTHS - 1}) k", {}),
        ("INSERT INTO ledger_lines (account_id, service, provider_id, period_for, period_booked, "
         "kind, method, amount_kopecks, rulebook_version, explain) "
         "SELECT a, s.service, s.p, m, m, 'charge', 'tariff', "
         "CASE s.p WHEN 1 THEN c1 ELSE c2 END, 'bench', s.service || ' ' || m "
         "FROM town_bills, (VALUES ('cold_water', 1), ('heating', 2)) s(service, p) "
         "ORDER BY k, a, s.p", {}),
        ("CREATE UNLOGGED TABLE town_paid AS SELECT pay_id, a, m, nxt, c1, c2, "
         "least(nfirst + d0 + late, nlast) AS paid_on, "
         "CASE WHEN good THEN 100 ELSE share0 END AS share "
         "FROM town_bills WHERE nxt <= :before AND (good OR skip <= 0.85)", {}),
        ("INSERT INTO payments (id, account_id, paid_on, amount_kopecks, commission_kopecks, "
         "channel, posted_period, actor) SELECT pay_id, a, paid_on, "
         "c1 * share / 100 + c2 * share / 100, 0, 'cashdesk', nxt, 'bench' "
         "FROM town_paid ORDER BY nxt, a", {}),
        ("INSERT INTO payment_allocations (payment_id, account_id, service, provider_id, "
         "bill_period, kind, amount_kopecks, paid_on, booked_on, period_booked, rule_id, note) "
         "SELECT pay_id, a, s.service, s.p, m, 'principal', "
         "CASE s.p WHEN 1 THEN c1 ELSE c2 END * share / 100, paid_on, paid_on, nxt, "
         "'bench', 'bench' FROM town_paid, (VALUES ('cold_water', 1), ('heating', 2)) "
         "s(service, p) ORDER BY nxt, a, s.p", {}),
        ("DROP TABLE town_bills", {}),
        ("DROP TABLE town_paid", {}),
    ]
    params = {"n": accounts, "first": str(first.first_day), "good": int(DEBTORS * 1000),
              "before": str(before)}
    for sql, extra in steps:
        _execute(engine, sql, **{k: v for k, v in {**params, **extra}.items()
                                 if f":{k}" in sql})
    for table in bulk:
        for definition in indexes[table]:
            _execute(engine, definition)
        _execute(engine, f"ALTER TABLE {table} ENABLE TRIGGER USER")
    _execute(engine, "UPDATE billing_periods SET status = 'closed', closed_at = now() "
             "WHERE period < :before", before=str(before))
    for table in ("providers", "houses", "premises", "accounts", "payments"):
        _execute(engine, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                 f"(SELECT max(id) FROM {table}))")
    _execute(engine, "VACUUM ANALYZE")
    engine.dispose()


def _kept_town(url: str) -> bool:
    """Whether ``url`` holds the town of this size, built by an earlier run (its state of the
    month before saved): then it is used again, as it is restored before every round."""
    engine = create_engine(normalize_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT (SELECT count(*) FROM accounts) = :n "
                "AND to_regclass('saved_states') IS NOT NULL "
                "AND EXISTS (SELECT 1 FROM billing_periods WHERE period = :p "
                "AND status = 'open')"), {"n": ACCOUNTS, "p": str(OPEN)}).scalar_one()
    except Exception:  # no such database, or not a town
        return False
    finally:
        engine.dispose()


@needs_postgresql
@pytest.mark.benchmark(group="penalties at scale")
def test_penalties_in_the_run_at_scale_on_postgresql(benchmark, figures, rounds, rules):  # noqa: F811
    before, month = OPEN.shift(-1), OPEN
    url = PG_URL
    ids = list(range(1, ACCOUNTS + 1))
    if not _kept_town(url):
        fresh_postgresql(url)
        started = time.perf_counter()
        sql_money_town(url, ACCOUNTS, before=before)
        print(f"town: {ACCOUNTS} accounts × {MONTHS} months in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        book_month_before(url, ids, rules, before)
    db = Database.from_url(url)
    state: dict = {"digests": []}

    def check() -> None:
        report = state.pop("report", None)
        if report is None:
            return
        digest = _ledger_digest(db, month)
        assert digest[:2] == (report.lines, report.penalty_kopecks + report.correction_kopecks)
        state["digests"].append(digest)
        assert len(set(state["digests"])) == 1

    def setup():
        check()
        with db.session() as session:
            session.execute(text("DELETE FROM ledger_lines WHERE service = 'penalty' "
                                 "AND period_booked = :p"), {"p": str(month)})
            session.execute(text("DELETE FROM penalty_states"))
            session.execute(text("INSERT INTO penalty_states SELECT * FROM saved_states"))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # the month's lines deleted must leave the indexes too, as before the month's
            # first run (VACUUM may skip the indexes when few pages changed)
            for table in ("penalty_states", "ledger_lines"):
                conn.exec_driver_sql(f"VACUUM (ANALYZE, INDEX_CLEANUP ON) {table}")
        return (), {}

    def run():
        server = ServerCPU(db)
        started, cpu = time.perf_counter(), time.process_time()
        state["report"] = report = book_penalties(db.session, ids, month, rules.penalty,
                                                  version=rules.version, run_id="bench")
        print(f"\nround: {ACCOUNTS} accounts, {report.lines} lines in "
              f"{time.perf_counter() - started:.1f} s (CPU python "
              f"{time.process_time() - cpu:.1f} s, postgres {server.seconds:.1f} s); "
              f"load {load()}", flush=True)

    benchmark.pedantic(run, setup=setup, rounds=rounds(3), iterations=1)
    check()
    db.dispose()
    figures.rate(ACCOUNTS, "accounts")
