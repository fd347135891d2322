"""One app per module with a key of a role allowed to calculate and read rules."""

import pytest


@pytest.fixture(scope="module")
def client(make_api_client):
    with make_api_client("methodologist") as c:
        yield c
