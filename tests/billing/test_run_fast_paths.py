"""The pipelined monthly run on PostgreSQL (a writer thread, a transaction per batch) writes the
ledger of the sequential run. The fast bulk writers are tested in ``tests/db/test_bulk_fast``."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

from sqlalchemy import select

from zhkh.adapters.db import Database, upgrade
from zhkh.kernel.period import Period
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.run import run_period
from zhkh.modules.demo.town import TownBuilder, fix_sequences, write_readings

_spec = importlib.util.spec_from_file_location(
    "zhkh_tests_db_conftest_fast", Path(__file__).resolve().parent.parent / "db" / "conftest.py")
_db = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_db)
empty_database = _db.empty_database

PERIOD = Period(2026, 10)
FIELDS = (LedgerLine.account_id, LedgerLine.service, LedgerLine.component, LedgerLine.zone,
          LedgerLine.provider_id, LedgerLine.method, LedgerLine.volume_micro,
          LedgerLine.tariff_micro, LedgerLine.amount_kopecks, LedgerLine.explain,
          LedgerLine.rulebook_version)


def _ledger(db: Database) -> list[tuple]:
    with db.reader() as session:
        return sorted(tuple(r) for r in session.execute(select(*FIELDS).where(
            LedgerLine.period_booked == str(PERIOD))))


def _town(url: str, *, seed: int, accounts: int, houses: int) -> Database:
    """A migrated database at ``url`` holding a synthetic town with six months of readings."""
    upgrade(url)
    db = Database.from_url(url)
    rng = random.Random(seed)
    with db.session() as session:
        town = TownBuilder(session, rng, accounts=accounts, houses=houses,
                           start=PERIOD.shift(-3)).build()
        for back in range(5, -1, -1):
            write_readings(session, town, rng, PERIOD.shift(-back), missing=0.3)
        fix_sequences(session)
    return db


def test_a_pipelined_run_on_postgresql_writes_the_ledger_of_a_sequential_one(
        empty_database, calculator):
    db = _town(empty_database("postgresql"), seed=3, accounts=120, houses=6)
    try:
        plain = run_period(db.session, calculator, str(PERIOD), houses_per_batch=1,
                           process_queue=False)
        before = _ledger(db)
        piped = run_period(db.session, calculator, str(PERIOD), houses_per_batch=1,
                           process_queue=False, pipeline=True)
        assert _ledger(db) == before and len(before) == plain.lines
        assert (piped.lines, piped.accounts, piped.amount_kopecks, piped.by_service) == (
            plain.lines, plain.accounts, plain.amount_kopecks, plain.by_service)
        assert [(e.account, e.code) for e in piped.errors] == [
            (e.account, e.code) for e in plain.errors]
    finally:
        db.dispose()


def _town_run(url: str, calculator) -> list[tuple]:
    db = _town(url, seed=5, accounts=150, houses=5)
    try:
        run_period(db.session, calculator, str(PERIOD), process_queue=False)
        return _ledger(db)
    finally:
        db.dispose()


def test_the_copy_text_of_postgresql_stores_the_lines_sqlite_inserts(empty_database, calculator):
    """PostgreSQL's lines arrive as COPY text joined by compiled code
    (``modules/db/_copy.pyx``), SQLite's as bound parameters: the same town gives the same
    ledger, explain texts included, on both."""
    on_sqlite = _town_run(empty_database("sqlite"), calculator)
    on_postgresql = _town_run(empty_database("postgresql"), calculator)
    assert len(on_sqlite) > 1000
    assert on_postgresql == on_sqlite
