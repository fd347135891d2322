"""POST /v1/calculate: heating paid evenly (ф. 2(1)) with the season coefficient of the rules'
calendar, and published norms with up to nine decimals, through the real app."""

from __future__ import annotations

import copy

EVENLY = {"period": "2026-07", "house": {"heat_meter": False, "heating_payment": "evenly"},
          "accounts": [{"number": "2000000018", "area": "54.3",
                        "services": [{"service": "heating", "provider": "teploset"}]}]}


def test_heating_evenly_is_the_published_norm_times_seven_twelfths_with_its_explain(client):
    r = client.post("/v1/calculate", json=EVENLY)
    assert r.status_code == 200, r.text
    (line,) = r.json()["lines"]
    # 54,3 × 0,0187 × 7/12 = 0,5923225 → 0,592323 Гкал × 2 385,55 = 1 413,0161 → 1 413,02
    assert (line["volume"], line["amount"], line["method"]) == ("0.592323", "1413.02",
                                                                "area_norm")
    assert line["rule_ids"][0] == "heating.by_area_norm_evenly"
    assert line["explain"] == (
        "54,3 м² × 0,0187 Гкал/м²·мес × 7/12 (мес. отопительного периода / 12) = 0,592323 Гкал"
        " × 2\u00a0385,55 ₽/Гкал = 1\u00a0413,02\u00a0₽ (ПП РФ №354, п. 42(1), прил. 2, ф. 2(1))")


def test_a_norm_published_with_nine_decimals_is_taken_as_published(client):
    sit = copy.deepcopy(EVENLY)
    sit["overrides"] = {"norms": {"heating.norm": "0.020612345"}}
    r = client.post("/v1/calculate", json=sit)
    assert r.status_code == 200, r.text
    (line,) = r.json()["lines"]
    # 54,3 × 0,020612345 × 7/12 = 0,652896027875 → 0,652896 Гкал × 2 385,55 = 1 557,5161
    #   → 1 557,52
    assert (line["volume"], line["amount"]) == ("0.652896", "1557.52")
    assert "× 0,020612345 Гкал/м²·мес × 7/12" in line["explain"]


def test_a_norm_with_ten_decimals_is_a_422_naming_the_field(client):
    sit = copy.deepcopy(EVENLY)
    sit["overrides"] = {"norms": {"heating.norm": "0.0206123451"}}
    r = client.post("/v1/calculate", json=sit)
    assert r.status_code == 422
    assert "heating.norm" in r.text and "больше 9 знаков" in r.text


def test_the_house_may_state_the_months_of_its_season(client):
    sit = copy.deepcopy(EVENLY)
    sit["house"]["heating_season_months"] = 8
    (line,) = client.post("/v1/calculate", json=sit).json()["lines"]
    # 54,3 × 0,0187 × 8/12 = 0,67694 Гкал × 2 385,55 = 1 614,8742 → 1 614,87
    assert (line["volume"], line["amount"]) == ("0.67694", "1614.87")


CORRECTION = {
    "period": "2026-01",
    "house": {"heat_meter": True, "heating_payment": "evenly", "total_area": "4512.7",
              "heating_last_year": {f"2025-{m:02d}": v for m, v in enumerate(
                  ("180", "160", "140", "80", "0", "0", "0", "0", "0", "90", "150", "175"),
                  start=1)}},
    "accounts": [{"number": "2000000026", "area": "54.3",
                  "services": [{"service": "heating", "provider": "teploset",
                                "charged_last_year": "15925.44"}]}]}


def test_january_brings_the_annual_correction_by_the_house_meter(client):
    r = client.post("/v1/calculate", json=CORRECTION)
    assert r.status_code == 200, r.text
    by_kind = {ln["kind"]: ln for ln in r.json()["lines"]}
    fix = by_kind["recalculation"]
    # Σ months (V × 54,3 / 4 512,7 → Гкал × tariff of the month) = 26 102,27 − 15 925,44
    assert (fix["amount"], fix["volume"], fix["method"]) == ("10176.83", "11.73189",
                                                              "house_share")
    assert fix["explain"] == (
        "Корректировка за 2025 год по ОДПУ: 975 Гкал × 54,3 / 4\u00a0512,7 м² = 11,73189 Гкал "
        "(по месяцам), по тарифам месяцев 26\u00a0102,27\u00a0₽ − начислено за год "
        "15\u00a0925,44\u00a0₽ = 10\u00a0176,83\u00a0₽ (ПП РФ №354, п. 42(1), прил. 2, ф. 3(2))")
    assert by_kind["charge"]["amount"] == "1413.02"
    assert r.json()["total"] == "11589.85"


def test_a_correction_without_the_sum_charged_is_a_422_naming_it(client):
    sit = copy.deepcopy(CORRECTION)
    del sit["accounts"][0]["services"][0]["charged_last_year"]
    r = client.post("/v1/calculate", json=sit)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "charged_missing"
    assert "charged_last_year" in r.json()["error"]["message"]
