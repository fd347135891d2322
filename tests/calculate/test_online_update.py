"""A reading posted through the API recalculates the account at once, with the real rules."""



PROVIDERS = [("vodokanal", "Водоканал", "7700000001")]


def test_a_new_reading_comes_back_with_the_accounts_new_lines(admin):
    house = admin.post("/v1/houses", json={"address": "ул. Ленина, д. 1",
                                           "heating_payment": "season"}).json()
    premises = admin.post("/v1/premises", json={"house_id": house["id"], "number": "5",
                                                "area": "54.3", "amenities": "full"}).json()
    account = admin.post("/v1/accounts", json={
        "number": "0000123455", "premises_id": premises["id"], "opened_on": "2020-01-01",
        "services": [{"service": "cold_water", "provider": "vodokanal",
                      "date_from": "2020-01-01"}]})
    assert account.status_code == 201, account.text
    meter = admin.post("/v1/meters", json={"serial": "ХВ-1", "service": "cold_water",
                                           "premises_id": premises["id"],
                                           "installed_on": "2020-01-01"}).json()
    first = admin.post(f"/v1/meters/{meter['id']}/readings", json={
        "taken_on": "2026-09-24", "value": "123.456", "source": "portal", "source_id": "p-1"})
    assert first.status_code == 201, first.text
    second = admin.post(f"/v1/meters/{meter['id']}/readings", json={
        "taken_on": "2026-10-24", "value": "131.789", "source": "portal", "source_id": "p-2"})
    assert second.status_code == 201, second.text
    (recalc,) = second.json()["recalculation"]
    assert recalc["error"] is None
    (line,) = [ln for ln in recalc["lines"] if ln["service"] == "cold_water"]
    # 8,333 м³ × 59,06 = 492,15 — the same as POST /v1/calculate gives for this flat
    assert (line["volume"], line["amount"], line["method"]) == ("8.333", "492.15", "meter")
    card = admin.get("/v1/accounts/0000123455").json()
    amounts = [ln["amount"] for p in card["periods"] for ln in p["lines"]]
    assert "492.15" in amounts
