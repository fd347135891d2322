"""A benefit and a quality incident posted through the API recalculate at once, with the real
rules: the response (or the account card) carries the benefit and reduction lines.

October 2026, flat of 45 м², one resident (a combat veteran from 1 October), ХВС by norm
(no meter can be installed): ХВС 4,9 × 59,06 = 289,394 → 289,39; содержание 45 × 35,20 =
1 584,00.
"""

import pytest

PROVIDERS = [("vodokanal", "Водоканал", "7700000001"), ("uk_dom", "УК", "7700000002")]
NUMBER = "0000123455"


@pytest.fixture(scope="module")
def flat(admin):
    house = admin.post("/v1/houses", json={"address": "ул. Ленина, д. 1",
                                           "heating_payment": "season"}).json()
    premises = admin.post("/v1/premises", json={
        "house_id": house["id"], "number": "5", "area": "45", "amenities": "full",
        "meter_installable": {"cold_water": False}}).json()
    account = admin.post("/v1/accounts", json={
        "number": NUMBER, "premises_id": premises["id"], "opened_on": "2020-01-01",
        "services": [{"service": "cold_water", "provider": "vodokanal",
                      "date_from": "2020-01-01"},
                     {"service": "maintenance", "provider": "uk_dom",
                      "date_from": "2020-01-01"}]})
    assert account.status_code == 201, account.text
    person = admin.post("/v1/persons", json={"full_name": "Петров П. П."}).json()
    registered = admin.post("/v1/registrations", json={
        "person_id": person["id"], "premises_id": premises["id"], "date_from": "2020-01-01"})
    assert registered.status_code == 201, registered.text
    return {"house": house, "person": person}


def _benefits(lines):
    return {ln["service"]: ln["amount"] for ln in lines if ln["kind"] == "benefit"}


def test_a_benefit_comes_back_with_the_accounts_benefit_lines(admin, flat):
    response = admin.post("/v1/benefits", json={
        "person_id": flat["person"]["id"], "account": NUMBER, "category": "veteran_combat",
        "date_from": "2026-10-01", "document": "удостоверение ветерана боевых действий"})
    assert response.status_code == 201, response.text
    (recalc,) = response.json()["recalculation"]
    assert recalc["error"] is None
    # содержание: 50 % × min(45; 33 м² alone)/45 × 1 584,00 = 580,80;
    # ХВС by norm: 50 % × 289,39 = 144,695 → 144,70 (half up)
    assert _benefits(recalc["lines"]) == {"maintenance": "-580.80", "cold_water": "-144.70"}


def test_a_house_incident_reduces_the_fee_and_the_benefit_follows(admin, flat):
    response = admin.post("/v1/incidents", json={
        "house_id": flat["house"]["id"], "service": "cold_water", "kind": "interruption",
        "started_at": "2026-10-05T08:00", "ended_at": "2026-10-06T02:00"})
    assert response.status_code == 201, response.text
    assert response.json()["recalculated"] == {"period": "2026-10", "accounts": 1,
                                               "errors": []}
    card = admin.get(f"/v1/accounts/{NUMBER}").json()
    lines = [ln for p in card["periods"] for ln in p["lines"]]
    # 18 h, 8 allowed: 10 h × 0,15 % = 1,5 % × 289,39 = 4,34085 → 4,34;
    # the benefit on what is left: 50 % × (289,39 − 4,34) = 142,525 → 142,53
    reductions = [ln["amount"] for ln in lines if ln["kind"] == "quality_reduction"]
    assert reductions == ["-4.34"]
    assert _benefits(lines) == {"maintenance": "-580.80", "cold_water": "-142.53"}
