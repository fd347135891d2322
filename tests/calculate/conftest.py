"""One app per module with a key of a role allowed to calculate and read rules; for the
online-recalculation modules, an admin app whose changes recalculate with the real rules."""

import pytest

from zhkh.adapters.db import Database
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.registry.models import Provider


@pytest.fixture(scope="module")
def client(make_api_client):
    with make_api_client("methodologist") as c:
        yield c


@pytest.fixture(scope="module")
def admin(make_api_client, request):
    """An admin client on a fresh database with the module's ``PROVIDERS`` ((code, name, inn)
    tuples) and 2026-10 open; every change recalculates the account with the shipped rules."""
    with make_api_client("admin") as api:
        db = Database.from_url(api.db_url)
        with db.session() as session:
            session.add_all(Provider(code=code, name=name, inn=inn)
                            for code, name, inn in request.module.PROVIDERS)
            PeriodRepository(session).open("2026-10")
        db.dispose()
        yield api
