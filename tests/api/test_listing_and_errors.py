"""Lists with filters and pagination; 422 with field paths, 404 and 409 with stable codes."""

from __future__ import annotations

import pytest

from zhkh.modules.registry.account_number import make_account_number


def test_pages_report_the_total_and_respect_limit_and_offset(api):
    for n in range(5):
        api.ok("POST", "/v1/houses", {"address": f"ул. Строителей, {n}"})
    page = api.get("/v1/houses?limit=2&offset=2").json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [h["address"] for h in page["items"]] == ["ул. Строителей, 2", "ул. Строителей, 3"]
    assert api.get("/v1/houses?address=Строителей, 4").json()["total"] == 1


def test_accounts_are_filtered_by_house_and_by_the_day_they_are_open(api, world):
    other = api.ok("POST", "/v1/houses", {"address": "ул. Другая, 9"})
    flat = api.ok("POST", "/v1/premises", {"house_id": other["id"], "number": "1"})
    api.ok("POST", "/v1/accounts", {"number": make_account_number(500), "premises_id": flat["id"],
                                    "opened_on": "2025-01-01", "closed_on": "2025-06-30"})
    mine = api.get(f"/v1/accounts?house_id={world.house['id']}").json()
    assert mine["total"] == 2
    assert {a["number"] for a in mine["items"]} == {a["number"] for a in world.accounts}
    assert api.get(f"/v1/accounts?house_id={other['id']}&open_on=2025-07-01").json()["total"] == 0
    assert api.get(f"/v1/accounts?house_id={other['id']}&open_on=2025-03-01").json()["total"] == 1


def test_readings_are_filtered_by_date_range(api, world):
    path = f"/v1/meters/{world.meter['id']}/readings"
    for month, value in (("08", "1"), ("09", "2"), ("10", "3")):
        api.ok("POST", path, {"taken_on": f"2026-{month}-20", "value": value, "source": "portal"})
    page = api.get(f"{path}?date_from=2026-09-01&date_to=2026-10-31&limit=1").json()
    assert page["total"] == 2
    assert page["items"][0]["value"] == "2"


def test_registrations_and_persons_are_filtered_by_premises(api, world):
    flat = world.flats[0]["id"]
    assert api.get(f"/v1/registrations?premises_id={flat}").json()["total"] == 1
    assert api.get(f"/v1/registrations?premises_id={world.flats[1]['id']}").json()["total"] == 0
    assert api.get(f"/v1/persons?premises_id={flat}&registered_on=2026-10-01").json()["total"] == 1
    assert api.get(f"/v1/persons?premises_id={flat}&registered_on=2020-10-01").json()["total"] == 0


def test_the_account_card_shows_details_services_and_an_empty_ledger(api, world):
    card = api.get(f"/v1/accounts/{world.accounts[0]['number']}").json()
    assert card["account"]["premises_number"] == "1"
    assert card["services"][0]["provider"] == "vodokanal"
    assert card["periods"] == []


def test_areas_travel_as_decimal_strings(api, world):
    assert world.house["total_area"] == "1000.5"
    assert world.flats[0]["area"] == "50.25"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/houses", {"address": "x", "total_area": 10.5}, "total_area"),
    ("/v1/houses", {"address": "x", "total_area": "1e3"}, "total_area"),
    ("/v1/houses", {"address": "x", "colour": "red"}, "colour"),
    ("/v1/houses", {}, "address"),
    ("/v1/accounts", {"number": "0000001009", "premises_id": 1, "opened_on": "2024-01-01"},
     "number"),
    ("/v1/accounts", {"number": make_account_number(7), "premises_id": 1,
                      "opened_on": "2024-01-01", "closed_on": "2023-01-01"}, "closed_on"),
    ("/v1/accounts", {"number": make_account_number(7), "premises_id": 1,
                      "opened_on": "2024-01-01", "services": [{"service": "gas"}]},
     "services.0.provider"),
    ("/v1/registrations", {"person_id": 1, "premises_id": 1, "date_from": "2024-02-01",
                           "date_to": "2024-01-01"}, "date_to"),
    ("/v1/premises", {"house_id": 0, "number": "1"}, "house_id"),
    ("/v1/premises", {"house_id": 99999999999999999999, "number": "1"}, "house_id"),
])
def test_malformed_input_is_422_naming_the_field(api, path, body, field):
    response = api.post(path, body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in [f["path"] for f in error["fields"]]


def test_a_reading_value_must_be_a_decimal_string(api, world):
    path = f"/v1/meters/{world.meter['id']}/readings"
    response = api.post(path, {"taken_on": "2026-10-01", "value": 12.5, "source": "portal"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "value"


def test_a_body_that_is_not_json_is_422_not_500(api):
    response = api.client.post("/v1/houses", content=b"{not json",
                               headers={**api.headers("admin"),
                                        "Content-Type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize(("path", "code"), [
    ("/v1/houses/999", "house_not_found"),
    ("/v1/premises/999", "premises_not_found"),
    ("/v1/accounts/0000009993", "account_not_found"),
    ("/v1/persons/999", "person_not_found"),
    ("/v1/registrations/999", "registration_not_found"),
    ("/v1/meters/999", "meter_not_found"),
    ("/v1/meters/999/readings", "meter_not_found"),
])
def test_an_unknown_object_is_404_with_a_stable_code(api, path, code):
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == code


def test_a_huge_id_in_the_path_is_422_not_a_database_overflow(api):
    assert api.get("/v1/houses/99999999999999999999").status_code == 422


def test_a_duplicate_account_number_is_409(api, world):
    response = api.post("/v1/accounts", {"number": world.accounts[0]["number"],
                                         "premises_id": world.flats[1]["id"],
                                         "opened_on": "2024-01-01"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "account_exists"


def test_a_duplicate_premises_number_in_a_house_is_409(api, world):
    response = api.post("/v1/premises", {"house_id": world.house["id"], "number": "1"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "premises_exists"


def test_a_reference_to_a_missing_object_in_the_body_is_422_naming_the_field(api):
    response = api.post("/v1/premises", {"house_id": 999, "number": "1"})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "house_not_found", "message": response.json()["error"]["message"],
        "field": "house_id",
        "fields": [{"path": "house_id", "message": response.json()["error"]["message"]}]}


def test_patch_changes_only_the_fields_sent_and_refuses_nulling_a_required_one(api, world):
    flat = world.flats[0]["id"]
    changed = api.patch(f"/v1/premises/{flat}", {"rooms": 3}).json()
    assert changed["rooms"] == 3 and changed["area"] == "50.25"
    response = api.patch(f"/v1/premises/{flat}", {"number": None})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "number"
