"""API fixtures: the real app from ``create_app`` on a migrated SQLite file, one key per role.

The database is migrated once per session into a template file and copied for every app, so
each test module (or test) starts from an empty migrated database without re-running Alembic.
The calculator is a test double: these tests are about the REST layer, not about rules.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from zhkh.adapters.db import upgrade
from zhkh.adapters.db.session import Database
from zhkh.adapters.settings import Settings
from zhkh.api.app import create_app
from zhkh.modules.access.permissions import ROLES
from zhkh.modules.access.service import create_api_key
from zhkh.modules.billing.compute import calculator_for
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.registry import service as registry_service
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.rules import RULES_DIR


class StubCalculator:
    """Enough of ``Calculator`` for the rules and calculate routes to answer; the rulebook is
    the shipped one, which the services read to check benefit categories and incident kinds."""

    rulebook = calculator_for(RULES_DIR).rulebook
    engine = SimpleNamespace()  # never asked: these tests replace the recalculation

    def rules_at(self, _day: date) -> list[dict[str, Any]]:
        return []

    def rule(self, _rule_id: str) -> None:
        return None


@pytest.fixture(scope="session", autouse=True)
def no_recalculation() -> Iterator[None]:
    """The recalculation seam answers "not available" unless a test installs its own: these
    tests are about the REST layer; ``test_recalculation_seam.py`` checks the seam itself."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry_service, "recalculator", lambda: None)
        yield


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy from."""
    path = tmp_path_factory.mktemp("template") / "zhkh.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


class Api:
    """A client of one fresh app with a key per role and a small registry seeded."""

    def __init__(self, url: str) -> None:
        self.database = Database.from_url(url)
        self.app = create_app(Settings(database_url=url), calculator=StubCalculator(),
                              database=self.database)
        self.client = TestClient(self.app)
        with self.database.session() as session:
            self.keys = {role: create_api_key(session, f"test-{role}", role) for role in ROLES}
            reg = RegistryRepository(session)
            reg.add_provider(code="vodokanal", name="Водоканал", inn="7700000000")
            PeriodRepository(session).open("2026-10")

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        """``Authorization: Bearer`` with the key of ``role`` (plus extra headers)."""
        return {"Authorization": f"Bearer {self.keys[role]}", **extra}

    def call(self, method: str, path: str, role: str = "admin", *, json: Any = None,
             **headers: str) -> Any:
        """One request as ``role``."""
        return self.client.request(method, path, json=json, headers=self.headers(role, **headers))

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


def _make_api(template: Path, folder: Path) -> Api:
    path = folder / "zhkh.sqlite"
    shutil.copyfile(template, path)
    return Api(f"sqlite:///{path}")


@pytest.fixture
def api(template_db: Path, tmp_path: Path) -> Iterator[Api]:
    """A fresh app and database for one test."""
    made = _make_api(template_db, tmp_path)
    yield made
    made.close()


@pytest.fixture(scope="module")
def module_api(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app and database shared by a module's tests (for read-mostly tables of cases)."""
    made = _make_api(template_db, tmp_path_factory.mktemp("module"))
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
