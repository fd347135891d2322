"""The engine and unit of work: SQLite pragmas, BEGIN IMMEDIATE, URL rewriting, one commit."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from zhkh.adapters.db import Database, create_db_engine, normalize_url, upgrade
from zhkh.modules.billing.repository import PeriodRepository


@pytest.mark.parametrize(("given", "expected"), [
    ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///zhkh.sqlite", "sqlite:///zhkh.sqlite"),
])
def test_postgres_urls_are_rewritten_to_psycopg_3(given, expected):
    assert normalize_url(given) == expected


def test_an_unsupported_database_is_refused_by_name():
    with pytest.raises(ValueError, match="mysql"):
        create_db_engine("mysql://u@h/db")


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        engine.dispose()


def test_a_sqlite_write_unit_takes_the_write_lock_at_begin(tmp_path):
    path = tmp_path / "lock.sqlite"
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:  # BEGIN IMMEDIATE, no statement yet
            other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
            conn.exec_driver_sql("SELECT 1")
        with engine.connect().execution_options(zhkh_sqlite_begin="DEFERRED") as conn:
            conn.begin()
            other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # a reader does not hold the write lock
            other.execute("ROLLBACK")
            other.close()
    finally:
        engine.dispose()


def test_a_unit_of_work_commits_once_or_rolls_back_everything(tmp_path):
    url = f"sqlite:///{tmp_path / 'uow.sqlite'}"
    upgrade(url)
    db = Database.from_url(url)
    try:
        with db.session() as session:
            PeriodRepository(session).open("2026-10")
        with pytest.raises(RuntimeError), db.session() as session:
            PeriodRepository(session).open("2026-11")
            raise RuntimeError("сбой посреди работы")
        with db.reader() as session:
            assert PeriodRepository(session).latest_open() == "2026-10"
            assert session.execute(text("SELECT count(*) FROM billing_periods")).scalar() == 1
    finally:
        db.dispose()


def test_with_the_checkpointer_running_commits_leave_the_wal_to_its_thread(tmp_path):
    from zhkh.adapters.db.checkpoint import WalCheckpointer

    engine = create_db_engine(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    checkpointer = WalCheckpointer(engine, interval=3600).start()  # checkpoints when told
    try:
        with engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        for i in range(50):
            with engine.begin() as conn:
                conn.exec_driver_sql(f"INSERT INTO t VALUES ({i})")
        busy, frames, copied = checkpointer.checkpoint()
        assert (busy, copied) == (0, frames) and frames > 0
    finally:
        checkpointer.stop()
    with engine.begin() as conn:  # stopped: SQLite's automatic checkpoints again
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 50
    engine.dispose()


def test_the_checkpointer_has_nothing_to_do_on_postgresql():
    from zhkh.adapters.db.checkpoint import WalCheckpointer

    engine = create_db_engine("postgresql://nobody@127.0.0.1:1/none")
    checkpointer = WalCheckpointer(engine).start()
    assert not checkpointer.applies and checkpointer._thread is None
    checkpointer.stop()
