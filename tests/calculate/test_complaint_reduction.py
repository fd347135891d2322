"""A complaint confirmed by the dispatcher reduces the fee, with the real rules: the incident
it records recalculates the account at once and the reduction is in the account card.

October 2026, flat of 45 м², one resident, ХВС by norm (no meter can be installed):
ХВС 4,9 × 59,06 = 289,394 → 289,39. No cold water from 5 October 08:00 to 6 October 02:00:
18 h, 8 allowed in a row (ПП РФ №354, прил. 1, п. 1) → 10 h × 0,15 % = 1,5 % × 289,39 =
4,34085 → 4,34.
"""

PROVIDERS = [("vodokanal", "Водоканал", "7700000001")]
NUMBER = "0000123455"


def test_a_confirmed_complaint_puts_the_reduction_in_the_account_card(admin):
    house = admin.post("/v1/houses", json={"address": "ул. Мира, д. 3"}).json()
    premises = admin.post("/v1/premises", json={
        "house_id": house["id"], "number": "7", "area": "45", "amenities": "full",
        "meter_installable": {"cold_water": False}}).json()
    assert admin.post("/v1/accounts", json={
        "number": NUMBER, "premises_id": premises["id"], "opened_on": "2020-01-01",
        "services": [{"service": "cold_water", "provider": "vodokanal",
                      "date_from": "2020-01-01"}]}).status_code == 201
    person = admin.post("/v1/persons", json={"full_name": "Петров П. П."}).json()
    assert admin.post("/v1/registrations", json={
        "person_id": person["id"], "premises_id": premises["id"],
        "date_from": "2020-01-01"}).status_code == 201
    complaint = admin.post("/v1/complaints", json={
        "channel": "phone", "caller_name": "Петров П. П.", "account": NUMBER,
        "service": "cold_water", "kind": "interruption", "started_at": "2026-10-05T08:00",
        "text": "нет холодной воды"}).json()
    path = f"/v1/complaints/{complaint['id']}/transition"
    for to in ("accepted", "inspection"):
        assert admin.post(path, json={"to": to}).status_code == 200
    confirmed = admin.post(path, json={"to": "confirmed", "comment": "акт №3",
                                       "ended_at": "2026-10-06T02:00"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["recalculated"] == {"period": "2026-10", "accounts": 1,
                                                "errors": []}
    card = admin.get(f"/v1/accounts/{NUMBER}").json()
    lines = [ln for p in card["periods"] for ln in p["lines"]]
    assert [ln["amount"] for ln in lines if ln["kind"] == "quality_reduction"] == ["-4.34"]
