"""Readings: a resent reading is stored once; a correction supersedes the old one."""

from __future__ import annotations

import pytest


@pytest.fixture
def path(world):
    return f"/v1/meters/{world.meter['id']}/readings"


READING = {"taken_on": "2026-10-20", "value": "123.456", "source": "portal",
           "source_id": "portal-42"}


def test_the_same_reading_sent_twice_is_stored_once_and_returned_with_200(api, path):
    first = api.post(path, READING)
    again = api.post(path, READING)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["value"] == "123.456"
    assert again.json()["recalculation"] is None
    assert api.get(path).json()["total"] == 1
    assert api.get("/v1/audit?action=reading.create").json()["total"] == 1


def test_the_same_source_id_with_other_content_is_409(api, path):
    api.ok("POST", path, READING)
    response = api.post(path, {**READING, "value": "124"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reading_source_conflict"


def test_a_correction_supersedes_the_reading_which_stays_in_the_history(api, path):
    old = api.ok("POST", path, READING)
    new = api.ok("POST", path, {"taken_on": "2026-10-20", "value": "120", "source": "operator",
                                "supersedes_id": old["id"], "reason": "опечатка абонента"})
    assert new["supersedes_id"] == old["id"] and new["superseded"] is False
    current = api.get(path).json()
    assert [r["id"] for r in current["items"]] == [new["id"]]
    history = api.get(f"{path}?include_superseded=true").json()["items"]
    assert {r["id"]: r["superseded"] for r in history} == {old["id"]: True, new["id"]: False}


def test_a_reading_already_corrected_cannot_be_corrected_again(api, path):
    old = api.ok("POST", path, READING)
    fix = {"taken_on": "2026-10-20", "value": "120", "source": "operator",
           "supersedes_id": old["id"], "reason": "опечатка"}
    api.ok("POST", path, fix)
    response = api.post(path, {**fix, "value": "121"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reading_already_corrected"


def test_a_correction_needs_a_reason(api, path):
    old = api.ok("POST", path, READING)
    response = api.post(path, {"taken_on": "2026-10-20", "value": "120", "source": "operator",
                               "supersedes_id": old["id"]})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "reason"


@pytest.mark.parametrize(("body", "field"), [
    ({**READING, "zone": "night"}, "zone"),
    ({**READING, "taken_on": "2020-01-01"}, "taken_on"),
    ({**READING, "supersedes_id": 999}, "supersedes_id"),
])
def test_a_reading_that_breaks_a_meter_rule_is_422_naming_the_field(api, path, body, field):
    response = api.post(path, body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_a_new_reading_reports_its_account_for_recalculation(api, world, path):
    body = api.ok("POST", path, READING)
    assert body["recalculation"] == [{"account": world.accounts[0]["number"],
                                      "period": "2026-10", "status": "recalculated",
                                      "lines": [], "error": None, "queued": False}]
