"""Every data statement of the hardening tour (issue 14, defect 2) is refused, and the row is
really still there: INSERT OR REPLACE / REPLACE / ON CONFLICT DO UPDATE on SQLite and
PostgreSQL; TRUNCATE, session_replication_role and DISABLE TRIGGER as the application's
PostgreSQL role, which owns nothing (``adapters/db/roles.py``, migration 0114)."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.db.conftest import PG_ENV, World, _create_pg_database, _drop_pg_database, _pg_admin
from zhkh.adapters.db import create_db_engine, normalize_url
from zhkh.adapters.db.migrate import upgrade_as_owner
from zhkh.adapters.db.roles import RoleError, ensure_app_role
from zhkh.modules.audit.repository import AuditRepository
from zhkh.modules.billing.repository import LedgerRepository, LedgerRow, PeriodRepository

LINE_COLUMNS = ("id, account_id, service, provider_id, period_for, period_booked, kind, "
                "amount_kopecks, rulebook_version")


def _seed(session: Session) -> dict[str, int]:
    """A closed 2026-09 with one line of 123.45 ₽, an open 2026-10, one audit entry."""
    world = World(session)
    periods = PeriodRepository(session)
    periods.open("2026-09")
    LedgerRepository(session).write_lines([LedgerRow(
        world.accounts[0].id, "cold_water", None, None, world.provider.id, "2026-09",
        "2026-09", "charge", "meter", 3_000_000, 41_150_000, 12_345, "v1", "3 м³", "run-1")])
    periods.close("2026-09")
    AuditRepository(session).record(actor="tester", action="period.close",
                                     object_type="period", object_id="2026-09",
                                     before={"status": "open"}, after={"status": "closed"})
    session.flush()
    line = session.execute(text("SELECT id FROM ledger_lines WHERE period_booked = '2026-09'"))
    audit = session.execute(text("SELECT max(id) FROM audit_log"))
    return {"line": line.scalar_one(), "audit": audit.scalar_one(),
            "account": world.accounts[0].id, "provider": world.provider.id}


def _state(conn: Connection | Session, ids: dict[str, int]) -> tuple:
    return (
        conn.execute(text("SELECT status FROM billing_periods WHERE period = '2026-09'"))
        .scalar_one_or_none(),
        conn.execute(text("SELECT amount_kopecks FROM ledger_lines WHERE id = :i"),
                     {"i": ids["line"]}).scalar_one_or_none(),
        conn.execute(text("SELECT actor FROM audit_log WHERE id = :i"),
                     {"i": ids["audit"]}).scalar_one_or_none(),
    )


INTACT = ("closed", 12_345, "tester")


def _statements(ids: dict[str, int], dialect: str) -> list[str]:
    line = (f"{ids['line']}, {ids['account']}, 'cold_water', {ids['provider']}, '2026-10', "
            "'2026-10', 'charge', 1, 'v1'")
    audit = (f"INTO audit_log (id, at, actor, action, object_type, object_id) VALUES "
             f"({ids['audit']}, CURRENT_TIMESTAMP, 'forger', 'period.close', 'period', "
             "'2026-09')")
    upsert_period = ("INSERT INTO billing_periods (period, status) VALUES ('2026-09', 'open') "
                     "ON CONFLICT (period) DO UPDATE SET status = 'open', closed_at = NULL")
    upsert_line = (f"INSERT INTO ledger_lines ({LINE_COLUMNS}) VALUES ({line}) "
                   "ON CONFLICT (id) DO UPDATE SET amount_kopecks = 1")
    upsert_audit = f"INSERT {audit} ON CONFLICT (id) DO UPDATE SET actor = 'forger'"
    if dialect == "postgresql":
        return [upsert_period, upsert_line, upsert_audit]
    return [
        "INSERT OR REPLACE INTO billing_periods (period, status) VALUES ('2026-09', 'open')",
        "REPLACE INTO billing_periods (period, status) VALUES ('2026-09', 'open')",
        f"INSERT OR REPLACE INTO ledger_lines ({LINE_COLUMNS}) VALUES ({line})",
        f"REPLACE INTO ledger_lines ({LINE_COLUMNS}) VALUES ({line})",
        f"INSERT OR REPLACE {audit}",
        f"REPLACE {audit}",
        upsert_period, upsert_line, upsert_audit,
    ]


def test_no_replace_or_upsert_changes_a_closed_period_line_or_audit_entry(session):
    ids = _seed(session)
    assert _state(session, ids) == INTACT
    for statement in _statements(ids, session.get_bind().dialect.name):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text(statement))
        assert _state(session, ids) == INTACT, statement
    # the period reopened by REPLACE could then have lost its lines: it cannot be reached
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("DELETE FROM ledger_lines WHERE period_booked = '2026-09'"))
    assert _state(session, ids) == INTACT


def test_replace_over_a_payment_is_refused_on_sqlite(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("REPLACE is SQLite's")
    ids = _seed(session)
    session.execute(text(
        "INSERT INTO payments (id, account_id, amount_kopecks, commission_kopecks, paid_on, "
        "posted_period, channel, actor) VALUES (1, :a, 100000, 0, '2026-10-05', '2026-10', "
        "'cashdesk', 't')"),
        {"a": ids["account"]})
    with pytest.raises(DBAPIError, match="замена"), session.begin_nested():
        session.execute(text(
            "INSERT OR REPLACE INTO payments (id, account_id, amount_kopecks, "
            "commission_kopecks, paid_on, posted_period, channel, actor) VALUES (1, :a, 1, 0, "
            "'2026-10-05', '2026-10', 'cashdesk', 't')"), {"a": ids["account"]})
    assert session.execute(text("SELECT amount_kopecks FROM payments WHERE id = 1")
                           ).scalar_one() == 100000


def test_every_replace_guard_searches_an_index_never_scans_its_table(session):
    """Migration 0125: a guard that scanned its table cost one full scan per inserted row
    (≈10 ms per payment at 50,000 payments)."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the guards are SQLite's")
    guards = session.execute(text(
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND name LIKE '%no_replace'")).all()
    assert {"payments", "registry_lines", "issued_documents"} <= {t for t, _ in guards}
    for table, sql in guards:
        condition = sql.split(" WHEN ", 1)[1].rsplit(" BEGIN ", 1)[0]
        probe = condition.replace("NEW.status", "'posted'").replace("NEW.kind", "'monthly'")
        probe = re.sub(r"NEW\.\w+", "1", probe)
        plan = [row[3] for row in session.execute(text(f"EXPLAIN QUERY PLAN SELECT {probe}"))]
        scans = [step for step in plan if step.startswith("SCAN ") and "CONSTANT" not in step]
        assert not scans, (table, plan)
        assert [step for step in plan if step.startswith("SEARCH ")], (table, plan)


def test_truncating_billing_periods_is_refused_even_for_the_owner(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    ids = _seed(session)
    with pytest.raises(DBAPIError, match="TRUNCATE"), session.begin_nested():
        session.execute(text("TRUNCATE billing_periods"))
    assert _state(session, ids) == INTACT


@pytest.fixture
def two_roles() -> Iterator[tuple[str, str]]:
    """A fresh database migrated by the owner (the test server's superuser) with the
    application's role created by ``upgrade_as_owner``: (owner URL, application URL)."""
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} не задан")
    admin = _pg_admin()
    owner_url = _create_pg_database(admin)
    role = f"zhkh_test_app_{secrets.token_hex(4)}"
    app_url = make_url(owner_url).set(username=role, password="app-secret").render_as_string(
        hide_password=False)
    try:
        assert upgrade_as_owner(app_url, owner_url) == role
        yield owner_url, app_url
    finally:
        _drop_pg_database(admin, owner_url)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        admin.dispose()


TOUR_AS_APP = [
    "TRUNCATE billing_periods",
    "TRUNCATE ledger_lines",
    "TRUNCATE audit_log",
    "TRUNCATE payments",
    "SET session_replication_role = replica",
    "ALTER TABLE ledger_lines DISABLE TRIGGER ALL",
    "ALTER TABLE billing_periods DISABLE TRIGGER USER",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_frozen",
    "DROP TRIGGER billing_periods_guard ON billing_periods",
    "UPDATE audit_log SET actor = 'forger'",
    "DELETE FROM audit_log",
    "UPDATE billing_periods SET status = 'open', closed_at = NULL WHERE period = '2026-09'",
    "DELETE FROM ledger_lines WHERE period_booked = '2026-09'",
]


def test_the_application_role_cannot_switch_the_protection_off(two_roles):
    owner_url, app_url = two_roles
    owner = create_db_engine(owner_url)
    with Session(owner) as session:
        ids = _seed(session)
        session.commit()
    owner.dispose()
    app = create_db_engine(app_url)
    try:
        with app.connect() as conn:
            assert conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = "
                                     "current_user")).scalar_one() is False
            conn.rollback()
            for statement in [*TOUR_AS_APP, *_statements(ids, "postgresql")]:
                with pytest.raises(DBAPIError), conn.begin():
                    conn.execute(text(statement))
                assert _state(conn, ids) == INTACT, statement
                conn.rollback()
            # and it still does its work: reads, opens a period, books a line, analyzes
            with conn.begin():
                conn.execute(text("INSERT INTO billing_periods (period, status) "
                                  "VALUES ('2026-11', 'open')"))
                conn.execute(text("SELECT zhkh_analyze_ledger_lines()"))
    finally:
        app.dispose()


def test_a_superuser_application_role_is_refused(two_roles):
    owner_url, _ = two_roles
    admin = create_engine(normalize_url(owner_url))
    su = f"zhkh_test_su_{secrets.token_hex(4)}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{su}" LOGIN SUPERUSER')
    try:
        app_url = make_url(owner_url).set(username=su).render_as_string(hide_password=False)
        with pytest.raises(RoleError, match="суперпользователь"):
            ensure_app_role(owner_url, app_url)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{su}"')
        admin.dispose()
