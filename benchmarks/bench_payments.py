"""Money at scale: a bank registry imported, the month's penalties booked, one payment through
the API with the account's new balance.

    pytest benchmarks/bench_payments.py -s -k registry_on_sqlite     # 100,000 lines
    ZHKH_BENCH_REGISTRY_LINES=1000000 ZHKH_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1/\\
zhkh_bench pytest benchmarks/bench_payments.py -s -k registry_on_postgresql
    ZHKH_BENCH_PENALTY_RUN_ACCOUNTS=20000 pytest benchmarks/bench_payments.py -s -k penalties
    pytest benchmarks/bench_payments.py -s -k api                    # 300 payments, SQLite

The data is a *money town* (``money_town``): one house, ``accounts`` accounts, two services
of two providers, and ``months`` closed months of bills, most of them paid in the next month
(some late, some partly, some never), written straight with the bulk writer — the finance
module only reads a ledger, so how the lines came there does not matter to what is timed.

* Registry: one file of ``ZHKH_BENCH_REGISTRY_LINES`` lines in the classic layout (2 % with
  an unknown account), rendered by the bank adapter, read and taken in as ``zhkh payments
  import`` does (``intake.read`` + ``intake.take_in``: parse, identify, allocate, post, one
  unit of work). Checked after each round: posted + unidentified = lines, the sum posted
  equals the allocation rows' sum.
* Penalties in the run: the phase of the monthly run (``book_penalties``) for every account
  of a town with 36 months of history, the month before already booked by the same phase
  (untimed) as a living database has it — which also builds the penalty state, so the timed
  run moves it a month. Checked: the lines written equal the report.
* Penalties, old and new (``-k old_and_new``): the same town, the phase reading whole
  histories (``incremental=False``) and the phase on the penalty state in the same rounds,
  interleaved, the state restored to the one the phase built for the month before at every
  round; the lines of both must be equal. ``ZHKH_BENCH_PENALTY_DEBTORS=0.15``: only 15 % of
  the accounts leave bills owed (by default every account does).
* API: ``POST /v1/payments`` through ``zhkh serve`` (uvicorn, its own process) over one
  keep-alive connection; one payment per round, the figure is the median latency with its
  spread and p99. Every response is checked (201, allocation sums to the amount, a balance).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from zhkh.adapters.bank import FooterInput, RegistryLine, get_profile, intake, render_registry
from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import Database, normalize_url, upgrade
from zhkh.adapters.settings import Settings
from zhkh.kernel.period import Period
from zhkh.modules.audit import Actor
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.db.bulk import insert_rows
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.finance.penalties import book_penalties
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Account, Premises
from zhkh.rules import RULES_DIR

REGISTRY_LINES = int(os.environ.get("ZHKH_BENCH_REGISTRY_LINES", "100000"))
PENALTY_ACCOUNTS = int(os.environ.get("ZHKH_BENCH_PENALTY_RUN_ACCOUNTS", "20000"))
_DEBTORS = os.environ.get("ZHKH_BENCH_PENALTY_DEBTORS")
PENALTY_DEBTORS = float(_DEBTORS) if _DEBTORS else None
"""Share of the penalty town's accounts that leave bills owed (unset: all of them)."""
PAYMENTS = int(os.environ.get("ZHKH_BENCH_PAYMENTS", "300"))
PG_URL = os.environ.get("ZHKH_BENCH_POSTGRES_URL")
needs_postgresql = pytest.mark.skipif(not PG_URL, reason="ZHKH_BENCH_POSTGRES_URL is not set")
ZHKH = str(Path(sys.executable).with_name("zhkh"))
SERVICES = (("cold_water", 0), ("heating", 1))
OPEN = Period(2026, 10)
"""The open month of every money town; its history is the months before."""


@pytest.fixture(scope="module")
def rules():
    return bootstrap(Settings(rules_dir=RULES_DIR)).finance_rules


# --- the money town ---------------------------------------------------------------------------

def money_town(url: str, accounts: int, months: int, *, open_month: Period = OPEN,
               bill_open: bool = False, seed: int = 3, debtors: float | None = None
               ) -> list[str]:
    """Write the money town into the empty database ``url`` (migrated here); returns the
    account numbers. Months ``OPEN − months … OPEN − 1`` are closed with one bill line per
    service, ``OPEN`` is open; ~85 % of bills are paid in the month after (10 % of them
    partly, 20 % late), the rest stay owed. ``debtors``: only that share of the accounts
    leaves bills unpaid or partly paid, the others pay every bill in full (20 % late); by
    default every account does (after 36 months each has some eight open bills)."""
    upgrade(url)
    rng = random.Random(seed)
    db = Database.from_url(url)
    numbers = [make_account_number(i + 1) for i in range(accounts)]
    history = [open_month.shift(-back) for back in range(months, 0, -1)]
    try:
        with db.session() as session:
            conn = session.connection()
            conn.execute(text("INSERT INTO providers (id, code, name, inn) VALUES "
                              "(1, 'water', 'Водоканал', '7707083893'), "
                              "(2, 'heat', 'Теплосеть', '7736050003')"))
            conn.execute(text("INSERT INTO houses (id, address, house_type, house_heat_meter, "
                              "heating_payment, total_area_micro, common_area_micro) VALUES "
                              "(1, 'г. Бенчмарк, ул. Денежная, д. 1', 'apartment_building', "
                              "false, 'evenly', 0, 0)"))
            insert_rows(session, Premises.__table__,
                        ("id", "house_id", "number", "kind", "area_micro", "rooms"),
                        ((i + 1, 1, str(i + 1), "flat", 50_000_000, 2) for i in range(accounts)))
            insert_rows(session, Account.__table__,
                        ("id", "number", "premises_id", "opened_on"),
                        ((i + 1, n, i + 1, date(2020, 1, 1)) for i, n in enumerate(numbers)))
            for m in [*history, open_month]:
                conn.execute(text("INSERT INTO billing_periods (period, status) "
                                  "VALUES (:p, 'open')"), {"p": str(m)})
            lines, pays, parts = [], [], []
            pay_id = 0
            for m in history + ([open_month] if bill_open else []):
                nxt = m.shift(1)
                for a in range(1, accounts + 1):
                    bill = []
                    for service, k in SERVICES:
                        amount = rng.randint(30_000, 400_000) if k else rng.randint(5_000, 90_000)
                        bill.append((service, k + 1, amount))
                        lines.append((a, service, k + 1, str(m), str(m), "charge", "tariff",
                                      amount, "bench", f"{service} {m}"))
                    if nxt > open_month:
                        continue
                    good = debtors is not None and a % 1000 >= debtors * 1000
                    if rng.random() > 0.85 and not good:
                        continue
                    day = min(nxt.first_day.toordinal() + rng.randint(0, 24)
                              + (rng.randint(20, 60) if rng.random() < 0.2 else 0),
                              nxt.shift(1).first_day.toordinal() - 1)
                    paid_on = date.fromordinal(day)
                    share = rng.randint(30, 99) if rng.random() < 0.1 else 100
                    if good:
                        share = 100
                    pay_id += 1
                    total = 0
                    for service, provider, amount in bill:
                        part = amount * share // 100
                        total += part
                        parts.append((pay_id, a, service, provider, str(m), "principal", part,
                                      paid_on, paid_on, str(nxt), "bench", "bench"))
                    pays.append((pay_id, a, paid_on, total, 0, "cashdesk", str(nxt), "bench"))
            insert_rows(session, LedgerLine.__table__,
                        ("account_id", "service", "provider_id", "period_for", "period_booked",
                         "kind", "method", "amount_kopecks", "rulebook_version", "explain"),
                        lines)
            insert_rows(session, Payment.__table__,
                        ("id", "account_id", "paid_on", "amount_kopecks", "commission_kopecks",
                         "channel", "posted_period", "actor"), pays)
            insert_rows(session, Allocation.__table__,
                        ("payment_id", "account_id", "service", "provider_id", "bill_period",
                         "kind", "amount_kopecks", "paid_on", "booked_on", "period_booked",
                         "rule_id", "note"), parts)
            conn.execute(text("UPDATE billing_periods SET status = 'closed', closed_at = :at "
                              "WHERE period < :open"),
                         {"at": datetime.now(UTC), "open": str(open_month)})
            _fix_sequences(conn)
    finally:
        db.dispose()
    return numbers


def _fix_sequences(conn) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in ("providers", "houses", "premises", "accounts", Payment.__tablename__):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT max(id) FROM {table}))"))


def fresh_sqlite(tmp: Path, name: str) -> str:
    path = tmp / f"{name}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgresql(url: str) -> str:
    parsed = make_url(normalize_url(url))
    admin = create_engine(parsed.set(database="postgres"), poolclass=NullPool,
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {parsed.database} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {parsed.database}")
    admin.dispose()
    return url


def analyze(url: str) -> None:
    engine = create_engine(normalize_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql"
                             else "ANALYZE")
    engine.dispose()


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


class ServerCPU:
    """CPU seconds the PostgreSQL backends of ``db`` spend while checked out (read from
    ``/proc/<backend pid>/stat``: the server runs on this machine). Under load the wall time
    mostly measures the other jobs; CPU seconds do not, so both are printed."""

    def __init__(self, db: Database) -> None:
        from sqlalchemy import event
        self.seconds = 0.0
        self._started: dict[int, float] = {}
        if db.engine.dialect.name != "postgresql":
            return
        event.listen(db.engine, "checkout", self._checkout)
        event.listen(db.engine, "checkin", self._checkin)

    @staticmethod
    def _cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _checkout(self, dbapi_connection, record, proxy) -> None:
        pid = dbapi_connection.info.backend_pid
        self._started[id(dbapi_connection)] = self._cpu(pid)

    def _checkin(self, dbapi_connection, record) -> None:
        if dbapi_connection is None:
            return
        started = self._started.pop(id(dbapi_connection), None)
        if started is not None:
            self.seconds += self._cpu(dbapi_connection.info.backend_pid) - started


# --- registry -------------------------------------------------------------------------------

def registry_file(numbers: list[str], count: int, *, seed: int = 5) -> bytes:
    """A classic registry of ``count`` lines paying the accounts in turn (2 % unknown)."""
    rng = random.Random(seed)
    day = OPEN.first_day
    lines = []
    for i in range(count):
        number = numbers[i % len(numbers)] if rng.random() > 0.02 else f"99{i:08d}"
        lines.append(RegistryLine(day.replace(day=1 + i % 20), number,
                                  rng.randint(10_000, 500_000), commission=rng.randint(0, 900),
                                  operation_id=f"op{i:09d}", payer="Плательщик",
                                  address="ул. Денежная, д. 1"))
    return render_registry(lines, get_profile(intake.DEFAULT_PROFILE), footer=FooterInput())


def _registry_rounds(benchmark, figures, rounds, rules, tmp_path: Path, fresh, accounts: int):
    numbers_box: list[list[str]] = []
    path = tmp_path / "registry.txt"
    state: dict = {}

    def setup():
        db = state.pop("db", None)
        if db is not None:
            _check_registry(db, state.pop("report"))
            db.dispose()
        url = fresh()
        numbers = money_town(url, accounts, 2)
        if not numbers_box:
            numbers_box.append(numbers)
            path.write_bytes(registry_file(numbers, REGISTRY_LINES))
        analyze(url)
        state["db"] = Database.from_url(url)
        return (state["db"],), {}

    def run(db):
        server = ServerCPU(db)
        started, cpu = time.perf_counter(), time.process_time()
        parsed = intake.read(path, file_name=path.name, profile=None, today=date(2026, 12, 1))
        report = intake.take_in(db.session, db.reader, rules, parsed,
                                actor=Actor("bench", "registry"), received_on=date(2026, 10, 25))
        state["report"] = report
        print(f"\nround: {report.lines} lines, {report.posted} posted, {report.unidentified} "
              f"unidentified in {time.perf_counter() - started:.1f} s (CPU python "
              f"{time.process_time() - cpu:.1f} s, postgres {server.seconds:.1f} s); "
              f"load {load()}")

    benchmark.pedantic(run, setup=setup, rounds=rounds(3), iterations=1)
    _check_registry(state["db"], state["report"])
    state["db"].dispose()
    figures.rate(REGISTRY_LINES, "lines")


def _check_registry(db: Database, report) -> None:
    assert report.posted + report.unidentified + report.duplicates == report.lines
    with db.reader() as session:
        payments, paid = session.execute(text(
            "SELECT count(*), coalesce(sum(amount_kopecks), 0) FROM payments "
            "WHERE channel = 'bank'")).one()
        allocated = session.execute(text(
            "SELECT coalesce(sum(a.amount_kopecks), 0) FROM payment_allocations a "
            "JOIN payments p ON p.id = a.payment_id WHERE p.channel = 'bank'")).scalar()
    assert payments == report.posted
    assert int(paid) == int(allocated) == _kopecks(report.posted_amount)


def _kopecks(value) -> int:
    from zhkh.kernel.money import to_kopecks
    return to_kopecks(value)


@pytest.mark.benchmark(group="registry import")
def test_registry_on_sqlite(benchmark, figures, rounds, rules, tmp_path):
    _registry_rounds(benchmark, figures, rounds, rules, tmp_path,
                     lambda: fresh_sqlite(tmp_path, "registry"), max(1000, REGISTRY_LINES // 2))


@needs_postgresql
@pytest.mark.benchmark(group="registry import")
def test_registry_on_postgresql(benchmark, figures, rounds, rules, tmp_path):
    _registry_rounds(benchmark, figures, rounds, rules, tmp_path,
                     lambda: fresh_postgresql(PG_URL), max(1000, REGISTRY_LINES // 2))


# --- penalties in the run -----------------------------------------------------------------------

def _penalty_rounds(benchmark, figures, rounds, rules, fresh):
    """Rounds of the phase over a town of 36 months whose month before was booked by the
    same phase (untimed), then closed."""
    state: dict = {}
    before, month = OPEN.shift(-1), OPEN

    def setup():
        db = state.pop("db", None)
        if db is not None:
            db.dispose()
        url = fresh()
        money_town(url, PENALTY_ACCOUNTS, 35, open_month=before, bill_open=True)
        db = Database.from_url(url)
        ids = list(range(1, PENALTY_ACCOUNTS + 1))
        started = time.perf_counter()
        book_penalties(db.session, ids, before, rules.penalty, version=rules.version,
                       run_id="bench-before")
        print(f"\nsetup: {before} booked in {time.perf_counter() - started:.1f} s")
        with db.session() as session:
            session.execute(text("UPDATE billing_periods SET status = 'closed', closed_at = :at "
                                 "WHERE period = :p"), {"at": datetime.now(UTC), "p": str(before)})
            session.execute(text("INSERT INTO billing_periods (period, status) "
                                 "VALUES (:p, 'open')"), {"p": str(month)})
        db.dispose()
        analyze(url)
        state["db"] = Database.from_url(url)
        return (state["db"], ids), {}

    def run(db, ids):
        started, cpu = time.perf_counter(), time.process_time()
        report = book_penalties(db.session, ids, month, rules.penalty, version=rules.version,
                                run_id="bench")
        state["report"] = report
        print(f"\nround: {len(ids)} accounts, {report.lines} lines in "
              f"{time.perf_counter() - started:.1f} s (CPU python "
              f"{time.process_time() - cpu:.1f} s); load {load()}")

    benchmark.pedantic(run, setup=setup, rounds=rounds(2), iterations=1)
    report = state["report"]
    with state["db"].reader() as session:
        lines, total = session.execute(text(
            "SELECT count(*), coalesce(sum(amount_kopecks), 0) FROM ledger_lines "
            "WHERE service = 'penalty' AND period_booked = :p"), {"p": str(month)}).one()
    state["db"].dispose()
    assert lines == report.lines > 0
    assert int(total) == report.penalty_kopecks + report.correction_kopecks
    figures.rate(PENALTY_ACCOUNTS, "accounts")


@pytest.mark.benchmark(group="penalties in the run")
def test_penalties_on_sqlite(benchmark, figures, rounds, rules, tmp_path):
    _penalty_rounds(benchmark, figures, rounds, rules, lambda: fresh_sqlite(tmp_path, "pen"))


@needs_postgresql
@pytest.mark.benchmark(group="penalties in the run")
def test_penalties_on_postgresql(benchmark, figures, rounds, rules):
    _penalty_rounds(benchmark, figures, rounds, rules, lambda: fresh_postgresql(PG_URL))


def _ledger_digest(db, month) -> tuple[int, int, int]:
    """Count, sum and an order-free hash of the penalty lines booked in ``month``."""
    with db.reader() as session:
        rows = session.execute(text(
            "SELECT account_id, component, provider_id, kind, amount_kopecks, explain "
            "FROM ledger_lines WHERE service = 'penalty' AND period_booked = :p"),
            {"p": str(month)}).all()
    return len(rows), sum(r[4] for r in rows), hash(frozenset(map(tuple, rows)))


def book_month_before(url: str, ids: list[int], rules, before: Period) -> int:
    """Book the penalties of ``before`` (the open month of a fresh town: no state yet, so
    whole histories are read and the state built) as a living database has them, close it,
    open the month after, and keep the state as ``saved_states`` for the rounds to restore;
    returns the number of inputs the state kept."""
    db = Database.from_url(url)
    try:
        started = time.perf_counter()
        book_penalties(db.session, ids, before, rules.penalty, version=rules.version,
                       run_id="bench-before")
        print(f"setup: {before} booked (whole read, state built) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        with db.session() as session:
            session.execute(text("UPDATE billing_periods SET status = 'closed', "
                                 "closed_at = :at WHERE period = :p"),
                            {"at": datetime.now(UTC), "p": str(before)})
            session.execute(text("INSERT INTO billing_periods (period, status) "
                                 "VALUES (:p, 'open')"), {"p": str(before.shift(1))})
            session.execute(text("CREATE TABLE saved_states AS SELECT * FROM penalty_states"))
            return session.execute(text("SELECT coalesce(sum(length(data)), 0) / 32 "
                                        "FROM penalty_states")).scalar_one()
    finally:
        db.dispose()


def _penalty_old_and_new(benchmark, figures, rounds, rules, fresh):
    """The phase of the open month over a town of 36 months, the full read (``incremental=
    False``: the path before the penalty state) and the state (``incremental=True``) in the
    same rounds, interleaved. The state was built by the phase itself: the month before was
    booked by ``book_penalties`` with the state (which, finding none, read whole and built it
    as of that month); every round restores that state (untimed) so the timed run moves it a
    month, as a monthly run does. Both runs must write the same lines."""
    state: dict = {"old": [], "rerun": []}
    before, month = OPEN.shift(-1), OPEN
    url = fresh()
    started = time.perf_counter()
    money_town(url, PENALTY_ACCOUNTS, 35, open_month=before, bill_open=True,
               debtors=PENALTY_DEBTORS)
    print(f"\ntown: {PENALTY_ACCOUNTS} accounts × 36 months (debtors: "
          f"{PENALTY_DEBTORS or 'all'}) in "
          f"{time.perf_counter() - started:.0f} s")
    ids = list(range(1, PENALTY_ACCOUNTS + 1))
    kept = book_month_before(url, ids, rules, before)
    print(f"state: {kept} inputs kept for {PENALTY_ACCOUNTS} accounts")
    analyze(url)
    db = Database.from_url(url)

    def check_and_rerun():
        """After a timed run: its lines equal the whole read's; then a rerun of the month on
        the state it moved (timed apart)."""
        if "new" not in state:
            return
        assert _ledger_digest(db, month) == state["old_digest"]
        started = time.perf_counter()
        book_penalties(db.session, ids, month, rules.penalty, version=rules.version,
                       run_id="bench")
        state["rerun"].append(time.perf_counter() - started)
        assert _ledger_digest(db, month) == state["old_digest"]
        print(f"\nround: {len(ids)} accounts, {state['report'].lines} lines: whole read "
              f"{state['old'][-1]:.1f} s, state {state['new']:.1f} s (rerun on the moved "
              f"state {state['rerun'][-1]:.1f} s); load {load()}")

    def setup():
        check_and_rerun()
        with db.session() as session:
            session.execute(text("DELETE FROM penalty_states"))
            session.execute(text("INSERT INTO penalty_states SELECT * FROM saved_states"))
        started = time.perf_counter()
        book_penalties(db.session, ids, month, rules.penalty, version=rules.version,
                       run_id="bench", incremental=False)
        state["old"].append(time.perf_counter() - started)
        state["old_digest"] = _ledger_digest(db, month)
        return (), {}

    def run():
        started = time.perf_counter()
        state["report"] = book_penalties(db.session, ids, month, rules.penalty,
                                         version=rules.version, run_id="bench")
        state["new"] = time.perf_counter() - started

    benchmark.pedantic(run, setup=setup, rounds=rounds(3), iterations=1)
    check_and_rerun()
    new = sorted(benchmark.stats.stats.sorted_data)
    old, rerun = sorted(state["old"]), sorted(state["rerun"])

    def med(xs):
        return xs[len(xs) // 2]
    print(f"old (whole read): median {med(old):.2f} s [{old[0]:.2f}–{old[-1]:.2f}], "
          f"{PENALTY_ACCOUNTS / med(old):,.0f} accounts/s")
    print(f"new (state moved a month): median {med(new):.2f} s [{new[0]:.2f}–{new[-1]:.2f}], "
          f"{PENALTY_ACCOUNTS / med(new):,.0f} accounts/s; ratio {med(old) / med(new):.1f}×")
    print(f"new, rerun in the month: median {med(rerun):.2f} s, "
          f"{PENALTY_ACCOUNTS / med(rerun):,.0f} accounts/s")
    db.dispose()
    figures.rate(PENALTY_ACCOUNTS, "accounts")


@pytest.mark.benchmark(group="penalties old and new")
def test_penalties_old_and_new_on_sqlite(benchmark, figures, rounds, rules, tmp_path):
    _penalty_old_and_new(benchmark, figures, rounds, rules,
                         lambda: fresh_sqlite(tmp_path, "pen_state"))


@needs_postgresql
@pytest.mark.benchmark(group="penalties old and new")
def test_penalties_old_and_new_on_postgresql(benchmark, figures, rounds, rules):
    _penalty_old_and_new(benchmark, figures, rounds, rules,
                         lambda: fresh_postgresql(PG_URL))


# --- one payment through the API --------------------------------------------------------------

def zhkh(*args: str, url: str) -> str:
    done = subprocess.run([ZHKH, *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "ZHKH_DATABASE_URL": url})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, list[str]]]:
    """``zhkh serve`` over a money town of 5,000 accounts × 12 months; (base URL, key,
    account numbers)."""
    url = fresh_sqlite(tmp_path, "api")
    numbers = money_town(url, 5000, 12)
    analyze(url)
    key = zhkh("keys", "create", "--role", "admin", "--name", "bench",
               url=url).strip().splitlines()[-1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([ZHKH, "serve", "--port", str(port)], stdout=log, stderr=log,
                               env={**os.environ, "ZHKH_DATABASE_URL": url})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "zhkh serve exited; see serve.log"
            try:
                httpx.get(f"{base}/v1/rules", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "zhkh serve did not answer within 60 s"
                time.sleep(0.2)
        yield base, key, numbers
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.mark.benchmark(group="payment through the API")
def test_api_payment_on_sqlite(benchmark, figures, server):
    base, key, numbers = server
    rng = random.Random(11)
    answers = []
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
        def one():
            body = {"account": rng.choice(numbers), "paid_on": "2026-10-05",
                    "amount": f"{rng.randint(100, 5000)}.{rng.randint(0, 99):02d}",
                    "channel": "portal"}
            answers.append((body, client.post("/v1/payments", json=body)))

        for _ in range(10):
            one()  # warm-up
        answers.clear()
        benchmark.pedantic(one, rounds=PAYMENTS, iterations=1)
    for body, answer in answers:
        assert answer.status_code == 201, answer.text
        data = answer.json()
        assert sum(_kopecks(a["amount"]) for a in data["allocation"]) == _kopecks(body["amount"])
        assert data["balance"] is not None
    figures.duration(scale=1000, unit="ms", p99=True)
    print(f"load {load()}")
