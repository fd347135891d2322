"""One app per module with a key of a role allowed to calculate and read rules; for the
online-recalculation modules, an admin app whose changes recalculate with the real rules."""

import pytest

from zhkh.adapters.db import Database
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.registry import service as registry_service
from zhkh.modules.registry.repository import RegistryRepository

REAL_RECALCULATOR = registry_service.recalculator
"""Captured at collection: the REST tests replace the seam for their whole session."""


@pytest.fixture(scope="module")
def client(make_api_client):
    with make_api_client("methodologist") as c:
        yield c


@pytest.fixture(scope="module")
def admin(make_api_client, request):
    """An admin client on a fresh database with the module's ``PROVIDERS`` ((code, name, inn)
    tuples) and 2026-10 open; every change recalculates the account with the shipped rules."""
    with pytest.MonkeyPatch.context() as patch, make_api_client("admin") as api:
        patch.setattr(registry_service, "recalculator", REAL_RECALCULATOR)
        db = Database.from_url(api.db_url)
        with db.session() as session:
            registry = RegistryRepository(session)
            for code, name, inn in request.module.PROVIDERS:
                registry.add_provider(code=code, name=name, inn=inn)
            PeriodRepository(session).open("2026-10")
        db.dispose()
        yield api
