"""Reading checks through the real app with the shipped rules: an implausible reading is held
for review (202, each check named), the month is billed by the п. 59 average meanwhile, and
the operator's decision — confirm (stored, account recalculated) or reject — is final."""

from __future__ import annotations

import pytest

PROVIDERS = [("vodokanal", "Водоканал", "7700000001")]
MONTHS = [("2026-04-24", "100"), ("2026-05-24", "103"), ("2026-06-24", "106.1"),
          ("2026-07-24", "109"), ("2026-08-24", "112.2"), ("2026-09-24", "115")]


@pytest.fixture(scope="module")
def flat(admin):
    house = admin.post("/v1/houses", json={"address": "ул. Проверочная, 5"}).json()
    premises = admin.post("/v1/premises", json={"house_id": house["id"], "number": "9",
                                                "area": "45", "amenities": "full"}).json()
    account = admin.post("/v1/accounts", json={
        "number": "0000777771", "premises_id": premises["id"], "opened_on": "2020-01-01",
        "services": [{"service": "cold_water", "provider": "vodokanal",
                      "date_from": "2020-01-01"}]})
    assert account.status_code == 201, account.text
    person = admin.post("/v1/persons", json={"full_name": "Сидоров С. С."}).json()
    admin.post("/v1/registrations", json={"person_id": person["id"],
                                          "premises_id": premises["id"],
                                          "date_from": "2015-01-01"})
    meter = admin.post("/v1/meters", json={"serial": "ХВ-9", "service": "cold_water",
                                           "premises_id": premises["id"],
                                           "installed_on": "2026-01-01",
                                           "capacity": "100000"}).json()
    for n, (day, value) in enumerate(MONTHS):
        r = admin.post(f"/v1/meters/{meter['id']}/readings", json={
            "taken_on": day, "value": value, "source": "portal", "source_id": f"h-{n}"})
        assert r.status_code == 201, r.text
    return meter


def _october_cold_water(admin):
    card = admin.get("/v1/accounts/0000777771").json()
    return [ln for p in card["periods"] for ln in p["lines"]
            if ln["service"] == "cold_water" and ln["period_for"] == "2026-10"]


def test_99999_is_held_with_each_check_named_and_the_month_billed_by_the_average(admin, flat):
    held = admin.post(f"/v1/meters/{flat['id']}/readings", json={
        "taken_on": "2026-10-24", "value": "99999", "source": "portal", "source_id": "big"})
    assert held.status_code == 202, held.text
    body = held.json()
    assert body["status"] == "pending" and body["recalculation"] is None
    assert [c["code"] for c in body["checks"]] == ["volume_above_average",
                                                    "volume_above_maximum"]
    assert all(c["message"] and c["rule_id"] == "checks.water" for c in body["checks"])
    # the reading is not among the meter's readings, so October is billed by the average:
    # (3 + 3,1 + 2,9 + 3,2 + 2,8) / 5 = 3 м³ × 59,06 = 177,18
    (line,) = _october_cold_water(admin)
    assert (line["method"], line["volume"], line["amount"]) == ("average", "3", "177.18")
    again = admin.post(f"/v1/meters/{flat['id']}/readings", json={
        "taken_on": "2026-10-24", "value": "99999", "source": "portal", "source_id": "big"})
    assert again.status_code == 202 and again.json()["id"] == body["id"]
    queue = admin.get("/v1/reading-review").json()
    assert [r["id"] for r in queue["items"]] == [body["id"]]


def test_a_rejection_needs_a_reason_and_is_final(admin, flat):
    typo = admin.post(f"/v1/meters/{flat['id']}/readings", json={
        "taken_on": "2026-10-25", "value": "11.8", "source": "phone", "source_id": "typo"})
    assert typo.status_code == 202
    (check,) = typo.json()["checks"]
    assert check["code"] == "reading_decrease" and "переход через ноль" in check["message"]
    review = typo.json()["id"]
    no_reason = admin.post(f"/v1/reading-review/{review}/reject", json={})
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["code"] == "reason_required"
    done = admin.post(f"/v1/reading-review/{review}/reject",
                      json={"reason": "опечатка: абонент подтвердил 118,0"})
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    late = admin.post(f"/v1/reading-review/{review}/confirm", json={})
    assert late.status_code == 409 and late.json()["error"]["code"] == "reading_review_decided"


def test_a_confirmed_reading_is_stored_and_recalculates_the_account(admin, flat):
    (pending,) = admin.get("/v1/reading-review").json()["items"]
    done = admin.post(f"/v1/reading-review/{pending['id']}/confirm",
                      json={"reason": "акт контрольного снятия показаний"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "confirmed" and body["reading_id"]
    (recalc,) = body["recalculation"]
    assert recalc["error"] is None
    (line,) = [ln for ln in recalc["lines"] if ln["service"] == "cold_water"]
    assert (line["method"], line["volume"]) == ("meter", "99884")
    assert admin.get("/v1/reading-review").json()["items"] == []
    readings = admin.get(f"/v1/meters/{flat['id']}/readings").json()["items"]
    assert readings[-1]["value"] == "99999"
