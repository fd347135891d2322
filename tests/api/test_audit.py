"""Every mutation writes an audit entry in its own transaction: who, what, before, after, why."""

from __future__ import annotations

from urllib.parse import quote


def test_creating_and_changing_a_house_leaves_entries_with_before_and_after(api):
    house = api.ok("POST", "/v1/houses", {"address": "ул. Новая, 3", "total_area": "10"})
    response = api.patch(f"/v1/houses/{house['id']}", {"total_area": "12.75"},
                         **{"X-Reason": quote("обмер БТИ от 01.10.2026")})
    assert response.status_code == 200
    entries = api.get(f"/v1/audit?object_type=house&object_id={house['id']}",
                      "auditor").json()["items"]
    update, create = entries
    assert create["action"] == "house.create" and create["before"] is None
    assert create["after"]["address"] == "ул. Новая, 3"
    assert update["before"]["total_area_micro"] == 10_000_000
    assert update["after"]["total_area_micro"] == 12_750_000
    assert update["reason"] == "обмер БТИ от 01.10.2026"
    assert update["actor"].startswith("api_key:") and update["actor"].endswith(":test-admin")


def test_a_reason_in_the_body_wins_over_the_header(api):
    api.post("/v1/houses", {"address": "ул. Тихая, 1", "reason": "из тела"},
             **{"X-Reason": "header"})
    entry = api.get("/v1/audit?action=house.create").json()["items"][0]
    assert entry["reason"] == "из тела"


def test_a_refused_change_leaves_no_entry_and_no_partial_data(api, world):
    before = api.get("/v1/audit").json()["total"]
    duplicate = {"number": world.accounts[0]["number"], "premises_id": world.flats[0]["id"],
                 "opened_on": "2024-01-01"}
    assert api.post("/v1/accounts", duplicate).status_code == 409
    bad_service = {"number": "0000009993", "premises_id": world.flats[0]["id"],
                   "opened_on": "2024-01-01",
                   "services": [{"service": "gas", "provider": "nobody",
                                 "date_from": "2024-01-01"}]}
    response = api.post("/v1/accounts", bad_service)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "services.0.provider"
    assert api.get("/v1/accounts/0000009993").status_code == 404
    assert api.get("/v1/audit").json()["total"] == before


def test_the_audit_log_is_readable_only_by_admin_and_auditor(api):
    assert api.get("/v1/audit", "auditor").status_code == 200
    assert api.get("/v1/audit", "analyst").status_code == 403


def test_a_reading_correction_records_the_superseded_reading_as_before(api, world):
    path = f"/v1/meters/{world.meter['id']}/readings"
    first = api.ok("POST", path, {"taken_on": "2026-10-20", "value": "15", "source": "portal"})
    api.ok("POST", path, {"taken_on": "2026-10-20", "value": "14.5", "source": "operator",
                          "supersedes_id": first["id"], "reason": "опечатка"})
    entry = api.get("/v1/audit?action=reading.correct").json()["items"][0]
    assert entry["before"]["value_micro"] == 15_000_000
    assert entry["after"]["value_micro"] == 14_500_000
    assert entry["reason"] == "опечатка"
