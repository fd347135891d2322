"""Test-wide settings: hypothesis profiles (CI runs the `ci` profile with more examples)."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def shipped():
    """The composition root (``adapters/bootstrap.py``) on the shipped rules, for the whole
    test session: the rulebook, its engine and both calculators are built once. Its database
    is never opened: tests that need one assemble their own application around this one's
    calculator."""
    from zhkh.adapters.bootstrap import bootstrap
    from zhkh.adapters.settings import Settings
    from zhkh.rules import RULES_DIR

    with bootstrap(Settings(rules_dir=RULES_DIR)) as application:
        yield application


@pytest.fixture(scope="session")
def make_api_client(tmp_path_factory, shipped):
    """Factory: the real app (the composition root's, on the shipped rules) on a fresh
    migrated SQLite file, sending a key of ``role``."""
    from fastapi.testclient import TestClient

    from zhkh.adapters.bootstrap import bootstrap
    from zhkh.adapters.db import Database, upgrade
    from zhkh.adapters.settings import Settings
    from zhkh.api.app import create_app
    from zhkh.modules.access.service import create_api_key

    def make(role: str = "methodologist") -> TestClient:
        url = f"sqlite:///{tmp_path_factory.mktemp('app')}/zhkh.sqlite"
        upgrade(url)
        db = Database.from_url(url)
        with db.session() as session:
            key = create_api_key(session, f"tests {role}", role)
        db.dispose()
        application = bootstrap(Settings(database_url=url), calculator=shipped.calculator)
        client = TestClient(create_app(application=application),
                            raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {key}"
        client.db_url = url  # type: ignore[attr-defined]
        return client

    return make
