"""Common property (СОИ) through the real app: ``POST /v1/calculate`` with the house's facts,
the house's dated decisions, and readings of a house meter recalculating the house's accounts
of the open month at once, with the real rules.

House: S_об 100 m² (flats of 60 and 40 m²), common area 200 m², cold water on common property
0,025 m³/m² → cap 5 m³, tariff 59,06 (October 2026). Flat 1 uses 8,333 m³, flat 2 uses 9 m³.
"""

from __future__ import annotations

from zhkh.modules.registry.account_number import make_account_number

PROVIDERS = [("vodokanal", "Водоканал", "7700000001"), ("uk", "УК", "7700000003")]


def _reading(admin, meter: int, day: str, value: str, key: str):
    response = admin.post(f"/v1/meters/{meter}/readings", json={
        "taken_on": day, "value": value, "source": "operator", "source_id": key})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_house_meter_reading_recalculates_the_common_property_of_every_account(admin):
    house = admin.post("/v1/houses", json={"address": "ул. Общая, д. 2", "total_area": "100",
                                           "common_area": "200"}).json()
    meters = []
    for i, (area, used) in enumerate((("60", "8.333"), ("40", "9"))):
        flat = admin.post("/v1/premises", json={"house_id": house["id"], "number": str(i + 1),
                                                "area": area, "amenities": "full"}).json()
        account = admin.post("/v1/accounts", json={
            "number": make_account_number(300 + i), "premises_id": flat["id"],
            "opened_on": "2020-01-01",
            "services": [{"service": s, "provider": p, "date_from": "2020-01-01"}
                         for s, p in (("cold_water", "vodokanal"),
                                      ("cold_water_common", "uk"))]})
        assert account.status_code == 201, account.text
        meter = admin.post("/v1/meters", json={"serial": f"ХВ-{i}", "service": "cold_water",
                                               "premises_id": flat["id"],
                                               "installed_on": "2020-01-01"}).json()
        _reading(admin, meter["id"], "2026-09-24", "100", f"s{i}")
        meters.append((meter["id"], str(100 + float(used)), account.json()["number"]))
    odpu = admin.post("/v1/meters", json={"serial": "ОДПУ", "service": "cold_water",
                                          "kind": "house", "house_id": house["id"],
                                          "installed_on": "2020-01-01"})
    assert odpu.status_code == 201, odpu.text
    _reading(admin, odpu.json()["id"], "2026-09-24", "1000", "h9")
    for i, (meter, value, _number) in enumerate(meters):
        _reading(admin, meter, "2026-10-24", value, f"o{i}")
    body = _reading(admin, odpu.json()["id"], "2026-10-24", "1020.5", "h10")
    got = {r["account"]: {ln["service"]: ln for ln in r["lines"]} for r in body["recalculation"]}
    first, second = (number for _m, _v, number in meters)
    # 20,5 − 17,333 = 3,167 × 60 / 100 = 1,9002 × 59,06 = 112,23; × 40 / 100 = 1,2668 → 74,82
    assert got[first]["cold_water_common"]["amount"] == "112.23"
    assert got[second]["cold_water_common"]["amount"] == "74.82"
    assert "(20,5 − 17,333) м³ × 60 м² / 100 м²" in got[first]["cold_water_common"]["explain"]
    assert got[first]["cold_water"]["amount"] == "492.15"  # 8,333 × 59,06, kept


def test_a_decision_is_recorded_once_per_date_and_listed(admin):
    house = admin.post("/v1/houses", json={"address": "ул. Общая, д. 3"}).json()
    path = f"/v1/houses/{house['id']}/common-decisions"
    made = admin.post(path, json={"date_from": "2026-10-01", "cap_lifted": True,
                                  "document": "протокол №1 от 20.09.2026"})
    assert made.status_code == 201, made.text
    again = admin.post(path, json={"date_from": "2026-10-01", "cap_lifted": False,
                                   "document": "протокол №2"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "common_decision_exists"
    admin.post(path, json={"date_from": "2027-01-01", "cap_lifted": False,
                           "document": "протокол №2"})
    listed = admin.get(path).json()
    assert [(d["date_from"], d["cap_lifted"]) for d in listed] == [
        ("2026-10-01", True), ("2027-01-01", False)]
    assert admin.get("/v1/houses/999999/common-decisions").status_code == 404


def test_a_decision_dated_outside_the_years_the_books_know_is_refused_by_its_field(admin):
    """A date past 2099 cannot name a billing month: 422 on ``date_from``, not a server error
    when the house's accounts are queued for recalculation (found by schemathesis)."""
    house = admin.post("/v1/houses", json={"address": "ул. Общая, д. 4"}).json()
    admin.post("/v1/premises", json={"house_id": house["id"], "number": "1",
                                     "area": "40.0"})
    path = f"/v1/houses/{house['id']}/common-decisions"
    for day in ("4029-06-01", "1899-12-31"):
        refused = admin.post(path, json={"date_from": day, "cap_lifted": True,
                                         "document": "протокол №1"})
        assert refused.status_code == 422, refused.text
        assert [f["path"] for f in refused.json()["error"]["fields"]] == ["date_from"]
    assert admin.get(path).json() == []


def test_calculate_takes_the_house_meter_and_the_other_premises_volumes(client):
    response = client.post("/v1/calculate", json={
        "period": "2026-10",
        "house": {"total_area": "4512.7", "common_area": "800",
                  "resources": [{"service": "electricity", "reading_from": "1000",
                                 "reading_to": "13500", "other_volume": "11900"}]},
        "accounts": [{"number": "1000000019", "area": "54.3",
                      "services": [{"service": "electricity_common", "provider": "uk"}]}]})
    assert response.status_code == 200, response.text
    body = response.json()
    (line,) = body["lines"]
    # 12 500 − 11 900 = 600 × 54,3 / 4 512,7 = 7,219625 кВт·ч × 7,96 = 57,47
    assert (line["method"], line["volume"], line["amount"]) == (
        "common_property", "7.219625", "57.47")
    (house,) = body["houses"]
    assert (house["resource"], house["source"], house["house_volume"], house["cap"],
            house["outcome"]) == ("electricity", "meter", "12500", "720", "difference")


def test_a_house_resource_with_both_a_volume_and_readings_is_refused(client):
    response = client.post("/v1/calculate", json={
        "period": "2026-10", "house": {"resources": [{"service": "electricity", "volume": "1",
                                                      "reading_from": "1", "reading_to": "2"}]},
        "accounts": [{"number": "1", "area": "1", "services": [
            {"service": "electricity_common", "provider": "uk"}]}]})
    assert response.status_code == 422
    assert "либо числом (volume), либо показаниями" in response.text
