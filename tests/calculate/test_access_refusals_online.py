"""An act of refused access posted through the API recalculates the account at once, with the
shipped rules: the second act brings the ×1.5 of electricity by norm from the next month
(``rules/facts/meter_access.yaml``: counts_from next_month), a cancelled act takes it away."""

import itertools

import pytest

from zhkh.modules.registry.account_number import make_account_number

PROVIDERS = [("energosbyt", "Энергосбыт", "7700000002")]
PATH = "/v1/meter-access-refusals"


NUMBERS = itertools.count(7001)


@pytest.fixture
def flat(admin):
    """A new flat of two residents with electricity and no meter (charged by the norm):
    (premises id, account number)."""
    number = make_account_number(next(NUMBERS))
    house = admin.post("/v1/houses", json={"address": f"ул. Заводская, д. {number}"}).json()
    premises = admin.post("/v1/premises", json={"house_id": house["id"], "number": "12",
                                                "area": "41"}).json()
    account = admin.post("/v1/accounts", json={
        "number": number, "premises_id": premises["id"], "opened_on": "2020-01-01",
        "services": [{"service": "electricity", "provider": "energosbyt",
                      "date_from": "2020-01-01"}]})
    assert account.status_code == 201, account.text
    for name in ("Сидоров Олег Петрович", "Сидорова Анна Ивановна"):
        person = admin.post("/v1/persons", json={"full_name": name}).json()
        reg = admin.post("/v1/registrations", json={
            "person_id": person["id"], "premises_id": premises["id"], "date_from": "2019-01-01"})
        assert reg.status_code == 201, reg.text
    return premises["id"], number


def _electricity(response) -> dict:
    assert response.status_code in (200, 201), response.text
    (recalc,) = response.json()["recalculation"]
    assert recalc["error"] is None
    (line,) = [ln for ln in recalc["lines"] if ln["service"] == "electricity"
               and ln["period_for"] == "2026-10"]
    return line


def test_two_acts_bring_the_coefficient_and_cancelling_one_takes_it_away(admin, flat):
    act = {"premises_id": flat[0], "service": "electricity",
           "drawn_up_by": "ПАО «Энергосбыт», контролёр Петров П. П."}
    first = admin.post(PATH, json={**act, "refused_on": "2026-08-03", "act_number": "Н-1"})
    line = _electricity(first)
    # one act: 2 persons × 96 kWh × 7.96 = 1 528.32, no coefficient
    assert (line["method"], line["coefficient"], line["amount"]) == ("norm", "1", "1528.32")

    second = admin.post(PATH, json={**act, "refused_on": "2026-09-14", "act_number": "Н-2"})
    line = _electricity(second)
    # two acts before October: 2 × 96 × 7.96 × 1.5 = 2 292.48, excess 764.16
    assert (line["coefficient"], line["amount"], line["excess"]) == ("1.5", "2292.48",
                                                                     "764.16")
    assert "electricity.norm_no_meter_access_refused" in line["rule_ids"]

    cancelled = admin.post(f"{PATH}/{second.json()['id']}/cancel",
                           json={"reason": "акт составлен по другому адресу"})
    line = _electricity(cancelled)
    assert (line["coefficient"], line["amount"]) == ("1", "1528.32")


def test_an_act_of_the_open_month_counts_only_from_the_next_month(admin, flat):
    act = {"premises_id": flat[0], "service": "electricity", "drawn_up_by": "контролёр"}
    admin.post(PATH, json={**act, "refused_on": "2026-08-03", "act_number": "Н-1"})
    line = _electricity(admin.post(PATH, json={**act, "refused_on": "2026-10-12",
                                               "act_number": "Н-2"}))
    # 03.08 counts in October, 12.10 only from November: 1 528.32 without the coefficient
    assert (line["coefficient"], line["amount"]) == ("1", "1528.32")
    card = admin.get(f"/v1/accounts/{flat[1]}").json()
    (october,) = [ln for p in card["periods"] for ln in p["lines"]
                  if ln["service"] == "electricity" and p["period"] == "2026-10"]
    assert october["amount"] == "1528.32"


def test_an_act_for_another_service_does_not_count_for_electricity(admin, flat):
    act = {"premises_id": flat[0], "drawn_up_by": "контролёр"}
    admin.post(PATH, json={**act, "service": "electricity", "refused_on": "2026-08-03",
                           "act_number": "Н-1"})
    line = _electricity(admin.post(PATH, json={**act, "service": "gas",
                                               "refused_on": "2026-09-03",
                                               "act_number": "Г-1"}))
    assert (line["coefficient"], line["amount"]) == ("1", "1528.32")
