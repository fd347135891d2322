"""Billing tests reuse the database fixtures of ``tests/db`` (both backends, rolled back), and
add a tiny synthetic town and a unit of work joined to the test's transaction."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.demo.town import Town, TownBuilder, write_readings

_spec = importlib.util.spec_from_file_location(
    "zhkh_tests_db_conftest", Path(__file__).resolve().parent.parent / "db" / "conftest.py")
_db = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_db)

sqlite_url = _db.sqlite_url
postgresql_url = _db.postgresql_url
backend = _db.backend
engine = _db.engine
session = _db.session

START = Period(2026, 8)


@pytest.fixture(scope="session")
def calculator(shipped) -> BatchCalculator:
    """The batch calculator of the shipped rules (the composition root's, built once)."""
    return shipped.batch_calculator


@pytest.fixture
def unit(session: Session) -> Callable[[], object]:
    """A unit of work inside the test's transaction: a savepoint per unit."""

    @contextmanager
    def scope() -> Iterator[Session]:
        with session.begin_nested():
            yield session
        session.expire_all()

    return scope


@pytest.fixture
def town(session: Session) -> Town:
    """Two houses, 24 accounts; readings up to 2026-09 (history from 2026-04)."""
    rng = random.Random(7)
    built = TownBuilder(session, rng, accounts=24, houses=2, start=START).build()
    for month in range(-4, 2):
        write_readings(session, built, rng, START.shift(month), missing=0.0)
    session.flush()
    return built
