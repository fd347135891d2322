"""152-ФЗ: every read of a person's personal data through the API is logged — who, when,
whose, what and why (``X-Reason``) — and the auditor reads the log at ``GET /v1/audit/access``."""

from __future__ import annotations

from urllib.parse import quote

REASON = "запрос прокуратуры №15"


def reads(api, role="auditor", **params):
    response = api.client.get("/v1/audit/access", params=params, headers=api.headers(role))
    assert response.status_code == 200, response.text
    return response.json()


def officer(api) -> str:
    return "api_key:{}:test-passport_officer".format(
        api.database.engine.connect().exec_driver_sql(
            "SELECT id FROM api_keys WHERE name = 'test-passport_officer'").scalar_one())


def test_a_person_card_read_is_logged_with_who_whose_and_why(api, world):
    person = world.person["id"]
    before = reads(api)["total"]
    response = api.get(f"/v1/persons/{person}", "passport_officer",
                       **{"X-Reason": quote(REASON)})
    assert response.status_code == 200 and response.json()["personal"]["full_name"]
    log = reads(api, person_id=person)
    assert log["total"] == before + 1
    (entry,) = [e for e in log["items"] if e["what"] == "person"]
    assert entry["person_id"] == person and entry["reason"] == REASON
    assert entry["actor"] == officer(api) and entry["at"]


def test_a_list_logs_each_person_of_the_page(api, world):
    second = api.ok("POST", "/v1/persons", {"full_name": "Петров Пётр Петрович",
                                            "birth_date": "1990-01-01"})["id"]
    assert api.get("/v1/persons", "passport_officer").json()["total"] == 2
    listed = reads(api, what="persons_list")
    assert sorted(e["person_id"] for e in listed["items"]) == sorted(
        [world.person["id"], second])
    assert all(e["reason"] is None for e in listed["items"])


def test_a_role_that_is_not_shown_personal_data_leaves_no_entry(api, world):
    assert api.get(f"/v1/persons/{world.person['id']}", "analyst").status_code == 200
    assert api.get("/v1/persons", "analyst").status_code == 200
    assert reads(api)["total"] == 0


def test_a_failed_read_leaves_no_entry(api, world):
    assert api.get("/v1/persons/999999", "passport_officer").status_code == 404
    assert reads(api)["total"] == 0


def test_a_passport_document_logs_the_residents_it_shows(api, world):
    response = api.post(f"/v1/premises/{world.flats[0]['id']}/passport-documents", {
        "kind": "residents_certificate", "requested_by": "Иванов И. И.",
        "purpose": "в школу"}, "passport_officer")
    assert response.status_code == 201, response.text
    (entry,) = reads(api, what="document:residents_certificate")["items"]
    assert entry["person_id"] == world.person["id"] and entry["reason"] == "в школу"


def test_benefits_and_absences_with_documents_are_logged(api, world):
    benefit = api.ok("POST", "/v1/benefits", {
        "person_id": world.person["id"], "account": world.accounts[0]["number"],
        "category": "veteran_labour", "date_from": "2026-01-01", "document": "уд. №1"})
    api.ok("POST", "/v1/absences", {"person_id": world.person["id"],
                                    "date_from": "2026-03-01", "date_to": "2026-03-20"})
    assert api.get(f"/v1/benefits/{benefit['id']}", "passport_officer").status_code == 200
    assert api.get("/v1/benefits", "passport_officer").status_code == 200
    assert api.get("/v1/absences", "passport_officer").status_code == 200
    kinds = sorted(e["what"] for e in reads(api)["items"])
    assert kinds == ["absences_list", "benefit", "benefits_list"]


def test_the_log_is_filtered_by_time_and_paged(api, world):
    for _ in range(3):
        api.get(f"/v1/persons/{world.person['id']}", "passport_officer")
    page = reads(api, limit=2, offset=0)
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["id"] > page["items"][1]["id"]
    assert reads(api, since="2100-01-01T00:00:00Z")["total"] == 0
    assert reads(api, until="2000-01-01T00:00:00Z")["total"] == 0
    assert reads(api, actor="nobody")["total"] == 0


def test_only_the_auditor_and_admin_read_the_access_log(api):
    for role in ("passport_officer", "operator", "analyst", "cashier"):
        response = api.get("/v1/audit/access", role)
        assert response.status_code == 403, role
    assert api.get("/v1/audit/access", "admin").status_code == 200
