"""``GET /v1/rules/versions``: the rulebook versions kept in the database, for those who may
read the rules."""

from __future__ import annotations

from zhkh.modules.rulebooks.service import publish


def test_published_versions_are_listed_with_who_and_when(api, shipped):
    with api.database.session() as session:
        publish(session, shipped.rulebook, by="Петрова")
    body = api.ok("GET", "/v1/rules/versions")
    [version] = body["versions"]
    assert version["version"] == shipped.rulebook.version
    assert version["current"] and version["published_by"] == "Петрова"
    assert version["published_at"] and version["files"] > 10


def test_versions_are_read_by_the_methodologist_and_refused_to_the_cashier(api):
    assert api.get("/v1/rules/versions", "methodologist").status_code == 200
    assert api.get("/v1/rules/versions", "cashier").status_code == 403


def test_the_api_keeps_the_version_it_computes_with_from_its_start(api, shipped):
    """Its online recalculations and documents record this version: it is stored before the
    first request, unpublished until a methodologist publishes it."""
    [version] = api.ok("GET", "/v1/rules/versions")["versions"]
    assert version["version"] == shipped.rulebook.version
    assert not version["current"] and version["published_by"] is None
