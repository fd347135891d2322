"""Database fixtures: a migrated SQLite file and, when ``ZHKH_TEST_POSTGRES_URL`` is set,
a uniquely named PostgreSQL database created, migrated and dropped for the test session.

Each test runs inside one outer transaction that is rolled back at the end; the session
joins it with savepoints, so code that commits or rolls back inside a test does not escape.
The ledger triggers work inside a transaction on both backends, so no fresh database per
module is needed; a test expecting a refusal wraps the statement in ``begin_nested()``
(PostgreSQL aborts the whole transaction on an error otherwise).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from zhkh.adapters.db import create_db_engine, normalize_url, upgrade
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Provider
from zhkh.modules.registry.repository import RegistryRepository

PG_ENV = "ZHKH_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


def _pg_admin() -> Engine:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} не задан: варианты тестов на PostgreSQL пропущены")
    return create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")


def _create_pg_database(admin: Engine) -> str:
    name = f"zhkh_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(admin: Engine, url: str) -> None:
    name = make_url(url).database
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file for the whole test session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'zhkh.sqlite'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A migrated PostgreSQL database ``zhkh_test_<random>``, dropped at the end."""
    admin = _pg_admin()
    url = _create_pg_database(admin)
    try:
        upgrade(url)
        yield url
    finally:
        _drop_pg_database(admin, url)
        admin.dispose()


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Callable[[str], str]]:
    """A factory of empty (unmigrated) databases of a backend; PostgreSQL ones are dropped."""
    created: list[tuple[Engine, str]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'empty_{len(created)}.sqlite'}"
        admin = _pg_admin()
        url = _create_pg_database(admin)
        created.append((admin, url))
        return url

    yield make
    for admin, url in created:
        _drop_pg_database(admin, url)
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: every database test runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture(scope="session")
def engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on the migrated database of the backend under test."""
    url = request.getfixturevalue(f"{backend}_url")
    eng = create_db_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()


class World:
    """A small registry: one provider, one house, two flats with accounts, open 2026-10."""

    def __init__(self, session: Session) -> None:
        reg = RegistryRepository(session)
        self.provider = Provider(code="vodokanal", name="Водоканал", inn="7700000000")
        session.add(self.provider)
        self.house = reg.add_house(address="ул. Ленина, 1", total_area_micro=1_000_000_000)
        self.flats = [reg.add_premises(house_id=self.house.id, number=str(n), kind="flat",
                                       area_micro=50_000_000) for n in (1, 2)]
        self.accounts = [
            reg.add_account(number=make_account_number(100 + i), premises_id=p.id,
                            opened_on=date(2020, 1, 1))
            for i, p in enumerate(self.flats)]
        periods = PeriodRepository(session)
        self.open_period = periods.open("2026-10").period


@pytest.fixture
def world(session: Session) -> World:
    """A provider, a house, two flats with accounts and the open period 2026-10."""
    return World(session)
