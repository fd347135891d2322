"""API fixtures: the real app from ``create_app`` on a migrated SQLite file, one key per role.

The database is migrated once per session into a template file and copied for every app, so
each test module (or test) starts from an empty migrated database without re-running Alembic.
``backend_api`` runs a test on SQLite and, when ``ZHKH_TEST_POSTGRES_URL`` is set, on a
PostgreSQL database created from a migrated template database (dropped after the test).
The app is the composition root's with doubles: a calculator that never calculates and a
recalculation that records its calls — these tests are about the REST layer, not about rules.
The finance rules (allocation, penalties) are the shipped rulebook's.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.engine import make_url

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import normalize_url, upgrade
from zhkh.adapters.db.session import Database
from zhkh.adapters.settings import Settings
from zhkh.api.app import create_app
from zhkh.modules.access.permissions import ROLES
from zhkh.modules.access.service import create_api_key
from zhkh.modules.billing import service as billing
from zhkh.modules.billing.repository import LedgerRepository, LedgerRow, PeriodRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Account, Provider


class StubCalculator:
    """Enough of ``Calculator`` for the rules and calculate routes to answer; the rulebook is
    the shipped one, which the services read to check benefit categories and incident kinds."""

    def __init__(self, rulebook: Any) -> None:
        self.rulebook = rulebook
        self.engine = SimpleNamespace()  # never asked: the recalculation is a double

    def rules_at(self, _day: date) -> list[dict[str, Any]]:
        return []

    def rule(self, _rule_id: str) -> None:
        return None


class RecordingRecalculation:
    """The recalculation seam with the calculation replaced: ``calls`` records
    ``(account, period)`` and the answer is ``lines(number, period)`` (no lines by default);
    the open period and the queue are billing's own. These tests are about the REST layer;
    ``tests/calculate`` recalculates with the real rules."""

    current_period = staticmethod(billing.current_period)
    enqueue = staticmethod(billing.enqueue)

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.lines: Callable[[str, str], list[dict[str, Any]]] = lambda _n, _p: []

    def recalculate_account(self, _session: Any, number: str, period: str
                            ) -> list[dict[str, Any]]:
        self.calls.append((number, period))
        return self.lines(number, period)

    def recalculate_house(self, _session: Any, house_id: int, period: str
                          ) -> dict[str, list[dict[str, Any]] | dict[str, Any]]:
        self.calls.append((f"house:{house_id}", period))
        return {}


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy from."""
    path = tmp_path_factory.mktemp("template") / "zhkh.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


class Api:
    """A client of one fresh app with a key per role and a small registry seeded."""

    def __init__(self, url: str, rulebook: Any) -> None:
        self.database = Database.from_url(url)
        self.recalculation = RecordingRecalculation()
        self.app = create_app(application=bootstrap(
            Settings(database_url=url), database=self.database,
            calculator=StubCalculator(rulebook), recalculation=self.recalculation))
        self.client = TestClient(self.app)
        with self.database.session() as session:
            self.keys = {role: create_api_key(session, f"test-{role}", role) for role in ROLES}
            session.add(Provider(code="vodokanal", name="Водоканал", inn="7700000000"))
            PeriodRepository(session).open("2026-10")

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        """``Authorization: Bearer`` with the key of ``role`` (plus extra headers)."""
        return {"Authorization": f"Bearer {self.keys[role]}", **extra}

    def call(self, method: str, path: str, role: str = "admin", *, json: Any = None,
             files: Any = None, data: Any = None, **headers: str) -> Any:
        """One request as ``role`` (a JSON body, or a multipart form of ``files`` and
        ``data``)."""
        return self.client.request(method, path, json=json, files=files, data=data,
                                   headers=self.headers(role, **headers))

    def upload(self, content: bytes, name: str = "reestr.txt", fmt: str = "sberbank_classic",
               role: str = "admin") -> Any:
        """``POST /v1/payment-registries`` with a file as ``role``."""
        return self.call("POST", "/v1/payment-registries", role, files={"file": (name, content)},
                         data={"format": fmt})

    def post(self, path: str, json: Any, role: str = "admin", **headers: str) -> Any:
        return self.call("POST", path, role, json=json, **headers)

    def get(self, path: str, role: str = "admin", **headers: str) -> Any:
        return self.call("GET", path, role, **headers)

    def patch(self, path: str, json: Any, role: str = "admin", **headers: str) -> Any:
        return self.call("PATCH", path, role, json=json, **headers)

    def ok(self, method: str, path: str, json: Any = None, status: int | None = None) -> Any:
        """A request as admin that must succeed; returns the JSON body."""
        response = self.call(method, path, json=json)
        expected = status or (201 if method == "POST" else 200)
        assert response.status_code == expected, response.text
        return response.json()

    def close(self) -> None:
        self.client.close()
        self.database.dispose()


def _make_api(template: Path, folder: Path, rulebook: Any) -> Api:
    path = folder / "zhkh.sqlite"
    shutil.copyfile(template, path)
    return Api(f"sqlite:///{path}", rulebook)


PG_ENV = "ZHKH_TEST_POSTGRES_URL"


class PostgresDatabases:
    """Databases created on the test server from one migrated template (``CREATE DATABASE …
    TEMPLATE``: a copy, no migration per test), each dropped by :meth:`drop`."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.template = self._create(None)
        upgrade(self._url(self.template))

    def _url(self, name: str) -> str:
        return make_url(str(self.admin.url)).set(database=name).render_as_string(
            hide_password=False)

    def _create(self, template: str | None) -> str:
        name = f"zhkh_api_{secrets.token_hex(6)}"
        suffix = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{suffix}')
        return name

    def new(self) -> str:
        """The URL of a new migrated, empty database."""
        return self._url(self._create(self.template))

    def drop(self, url: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" '
                                 "WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """The PostgreSQL databases of the API tests (skipped without ``ZHKH_TEST_POSTGRES_URL``)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} не задан: варианты тестов на PostgreSQL пропущены")
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    made = PostgresDatabases(admin)
    yield made
    made.drop(made._url(made.template))
    admin.dispose()


@pytest.fixture(params=("sqlite", "postgresql"))
def backend_api(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path,
                shipped) -> Iterator[Api]:
    """A fresh app and database for one test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        made = _make_api(template_db, tmp_path, shipped.rulebook)
        yield made
        made.close()
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = databases.new()
    made = Api(url, shipped.rulebook)
    try:
        yield made
    finally:
        made.close()
        databases.drop(url)


@pytest.fixture
def api(template_db: Path, tmp_path: Path, shipped) -> Iterator[Api]:
    """A fresh app and database for one test."""
    made = _make_api(template_db, tmp_path, shipped.rulebook)
    yield made
    made.close()


@pytest.fixture(scope="module")
def module_api(template_db: Path, tmp_path_factory: pytest.TempPathFactory, shipped
               ) -> Iterator[Api]:
    """One app and database shared by a module's tests (for read-mostly tables of cases)."""
    made = _make_api(template_db, tmp_path_factory.mktemp("module"), shipped.rulebook)
    yield made
    made.close()


class World:
    """Objects created through the API as admin: a house, two flats, accounts, a meter, a
    person registered in flat 1."""

    def __init__(self, api: Api) -> None:
        self.house = api.ok("POST", "/v1/houses", {"address": "ул. Ленина, 1",
                                                   "total_area": "1000.5"})
        self.flats = [api.ok("POST", "/v1/premises", {"house_id": self.house["id"],
                                                      "number": str(n), "area": "50.25"})
                      for n in (1, 2)]
        self.accounts = [api.ok("POST", "/v1/accounts", {
            "number": make_account_number(100 + i), "premises_id": flat["id"],
            "opened_on": "2020-01-01",
            "services": [{"service": "cold_water", "provider": "vodokanal",
                          "date_from": "2020-01-01"}]}) for i, flat in enumerate(self.flats)]
        self.meter = api.ok("POST", "/v1/meters", {
            "serial": "X-1", "service": "cold_water", "premises_id": self.flats[0]["id"],
            "installed_on": "2024-01-01"})
        self.person = api.ok("POST", "/v1/persons", {
            "full_name": "Иванов Иван Иванович", "birth_date": "1980-05-06",
            "document_kind": "passport", "document_number": "4500 123456"})
        self.registration = api.ok("POST", "/v1/registrations", {
            "person_id": self.person["id"], "premises_id": self.flats[0]["id"],
            "date_from": "2021-03-01"})


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


@pytest.fixture(scope="module")
def module_world(module_api: Api) -> World:
    return World(module_api)


class Books:
    """The ledger side of money tests: bills written as the monthly run would leave them (a
    month's charge lines, then the month closed), and providers created through the API."""

    def __init__(self, api: Api) -> None:
        self.api = api
        with api.database.session() as session:
            self.vodokanal = session.scalar(select(Provider.id).where(
                Provider.code == "vodokanal"))
        self.teplo = api.ok("POST", "/v1/providers", {
            "code": "teplo", "name": "АО «Теплосеть»", "inn": "7702070139",
            "kpp": "770201001"})["id"]

    def bill(self, number: str, period: str, lines: dict[tuple[str, int], int], *,
             close: bool = True, kind: str = "charge") -> None:
        """Charge lines of ``period`` for the account ``number``: (service, provider id) →
        kopecks; the month is then closed (its bill exists) unless ``close`` is False."""
        with self.api.database.session() as session:
            account_id = session.scalar(select(Account.id).where(Account.number == number))
            periods = PeriodRepository(session)
            periods.open(period)
            LedgerRepository(session).write_lines([LedgerRow(
                account_id=account_id, service=service, component=None, zone=None,
                provider_id=provider, period_for=period, period_booked=period, kind=kind,
                method=None, volume_micro=None, tariff_micro=None, amount_kopecks=kopecks,
                rulebook_version="test", explain=None, run_id=None)
                for (service, provider), kopecks in lines.items()])
            if close:
                periods.close(period)
