"""The real app (the composition root's, on the published rules) on a migrated SQLite file,
with API keys.

One app per test session: the finance routes are stateless, so tests share it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import upgrade
from zhkh.adapters.db.session import Database
from zhkh.adapters.settings import Settings
from zhkh.api.app import create_app
from zhkh.modules.access.service import create_api_key

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class FinanceApi:
    """A client of the app; ``post`` calls as the methodologist (``calculate:run``)."""

    def __init__(self, url: str, calculator: Any) -> None:
        self.database = Database.from_url(url)
        self.app = create_app(application=bootstrap(
            Settings(database_url=url), database=self.database, calculator=calculator))
        self.client = TestClient(self.app, raise_server_exceptions=False)
        with self.database.session() as session:
            self.keys = {role: create_api_key(session, f"finance-{role}", role)
                         for role in ("methodologist", "operator")}

    def post(self, path: str, json: Any = None, *, role: str = "methodologist",
             content: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.keys[role]}"}
        if content is not None:
            headers["content-type"] = "application/json"
            return self.client.post(path, content=content, headers=headers)
        return self.client.post(path, json=json, headers=headers)

    def ok(self, path: str, json: Any) -> dict[str, Any]:
        response = self.post(path, json)
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.client.close()
        self.database.dispose()


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory, shipped) -> Iterator[FinanceApi]:
    path = tmp_path_factory.mktemp("finance") / "zhkh.sqlite"
    upgrade(f"sqlite:///{path}")
    made = FinanceApi(f"sqlite:///{path}", shipped.calculator)
    yield made
    made.close()
