"""POST /v1/calculate and GET /v1/rules through the real app."""

import copy
import json
from pathlib import Path

import pytest

from zhkh.api.examples import METERED_FLAT, NORM_WITH_COEFFICIENT

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SITUATIONS = sorted(
    p for p in EXAMPLES.glob("*.json") if "accounts" in json.loads(p.read_text(encoding="utf-8"))
)


def test_the_openapi_examples_are_the_shipped_example_files():
    assert json.loads((EXAMPLES / "metered_flat.json").read_text()) == METERED_FLAT
    assert json.loads((EXAMPLES / "norm_with_coefficient.json").read_text()) == (
        NORM_WITH_COEFFICIENT
    )


def test_at_least_five_example_situations_are_shipped():
    assert len(SITUATIONS) >= 5


@pytest.mark.parametrize("path", SITUATIONS, ids=lambda p: p.name)
def test_every_shipped_example_calculates_with_explain(client, path):
    r = client.post("/v1/calculate", json=json.loads(path.read_text()))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rulebook_version"] and body["lines"]
    for line in body["lines"]:
        assert line["explain"].endswith(")") and "₽" in line["explain"]
        assert len(line["amount"].split(".")[1]) == 2
    total = sum(int(ln["amount"].replace(".", "")) for ln in body["lines"])
    assert total == int(body["total"].replace(".", ""))


def test_money_and_volumes_are_decimal_strings(client):
    body = client.post("/v1/calculate", json=METERED_FLAT).json()
    line = next(ln for ln in body["lines"] if ln["service"] == "cold_water")
    assert (line["volume"], line["tariff"], line["amount"]) == ("8.333", "59.06", "492.15")
    assert line["explain"].startswith(
        "(131,789 − 123,456) м³ = 8,333 м³ × 59,06 ₽/м³ = 492,15"
    )


def test_inline_override_of_a_tariff_changes_the_amount_and_the_version(client):
    plain = client.post("/v1/calculate", json=METERED_FLAT).json()
    sit = copy.deepcopy(METERED_FLAT)
    sit["overrides"] = {"tariffs": {"cold_water.vodokanal": "48.72"}}
    over = client.post("/v1/calculate", json=sit).json()
    line = next(ln for ln in over["lines"] if ln["service"] == "cold_water")
    assert line["amount"] == "405.98"  # 8,333 × 48,72 (REFERENCE 1.1)
    assert over["rulebook_version"] != plain["rulebook_version"]


def test_an_override_of_an_unknown_rule_is_a_422_naming_it(client):
    sit = copy.deepcopy(METERED_FLAT)
    sit["overrides"] = {"tariffs": {"no.such.rule": "1.00"}}
    r = client.post("/v1/calculate", json=sit)
    assert r.status_code == 422
    assert "no.such.rule" in r.text


def _reading(s):
    return s["accounts"][0]["services"][0]["meters"][0]["readings"][0]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda s: s.update(period="2026-13"), "period"),
        (lambda s: s["accounts"][0].update(area=54.3), "accounts.0.area"),
        (lambda s: s["accounts"][0].update(area="-1"), "accounts.0.area"),
        (lambda s: _reading(s).update(date="вчера"),
         "accounts.0.services.0.meters.0.readings.0.date"),
        (lambda s: s["accounts"][0].pop("number"), "accounts.0.number"),
        (lambda s: s.update(unexpected=1), "unexpected"),
    ],
)
def test_malformed_input_is_a_422_naming_the_field_path(client, mutate, path):
    sit = copy.deepcopy(METERED_FLAT)
    mutate(sit)
    r = client.post("/v1/calculate", json=sit)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert path in [f["path"] for f in err["fields"]]


def test_a_reading_lower_than_the_previous_is_a_422_with_a_stable_code(client):
    sit = copy.deepcopy(METERED_FLAT)
    meter = sit["accounts"][0]["services"][0]["meters"][0]
    meter.pop("capacity")
    meter["readings"][1]["value"] = "100.000"
    r = client.post("/v1/calculate", json=sit)
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["code"], err["account"], err["service"]) == (
        "reading_decrease", "1000000019", "cold_water")


def test_a_fact_no_rule_covers_is_a_422_naming_account_service_and_signature(client):
    # no norm of hot water for a flat without centralised hot water (amenities no_hot_water)
    sit = {"period": "2026-10",
           "accounts": [{"number": "1", "area": "40", "amenities": "no_hot_water",
                         "residents": [{"person": "p", "from": "2020-01-01"}],
                         "services": [{"service": "hot_water", "provider": "t",
                                       "meter_installable": False}]}]}
    r = client.post("/v1/calculate", json=sit)
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["code"], err["service"], err["account"]) == ("no_rule", "hot_water", "1")
    assert err["signature"]["amenities"] == "no_hot_water"


@pytest.mark.parametrize(
    "body", ["", "[]", "null", '{"period": 5}', "not json", '{"accounts": {}}']
)
def test_garbage_never_produces_a_500(client, body):
    r = client.post("/v1/calculate", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422


def _rule(body, rule_id):
    return next(r for r in body["rules"] if r["id"] == rule_id)


def test_rules_list_shows_the_value_in_force_at_a_date(client):
    before = client.get("/v1/rules", params={"date": "2026-09-30", "kind": "tariffs"}).json()
    after = client.get("/v1/rules", params={"date": "2026-10-01", "kind": "tariffs"}).json()
    assert _rule(before, "cold_water.vodokanal")["value"] == "53.74"
    assert _rule(after, "cold_water.vodokanal")["value"] == "59.06"


def test_one_rule_with_its_whole_history(client):
    body = client.get("/v1/rules/cold_water.vodokanal").json()
    assert body["rule"]["values"]["2026-10-01"] == "59.06"
    assert body["rule"]["source"]
    r = client.get("/v1/rules/no.such")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "rule_not_found"


def test_the_heating_season_calendar_and_the_refusal_counting_are_listed_as_rules(client):
    body = client.get("/v1/rules", params={"kind": "facts"}).json()
    rules = {r["id"]: r for r in body["rules"]}
    season = rules["facts.heating_season"]["heating_season"]
    assert season["usual"] == {"first_day": "10-01", "last_day": "04-30"}
    assert list(season["starts"]) == ["2025-10-06"] and list(season["ends"]) == ["2026-04-20"]
    counting = rules["facts.meter_access_refusals"]
    assert counting["when"] == {"service": "electricity"}
    assert counting["meter_access_refusals"] == {"counts_from": "next_month",
                                                 "window_months": None}


def test_a_situation_without_a_heating_season_takes_the_calendar(client):
    sit = {"period": "2026-05", "house": {"heat_meter": False, "heating_payment": "season"},
           "accounts": [{"number": "1", "area": "54.3",
                         "services": [{"service": "heating", "provider": "teploset"}]}]}
    (line,) = client.post("/v1/calculate", json=sit).json()["lines"]
    assert (line["amount"], line["rule_ids"][0]) == ("0.00", "heating.out_of_season")
    sit["period"] = "2026-04"
    (line,) = client.post("/v1/calculate", json=sit).json()["lines"]
    # 54.3 × 0.0187 × 2 385.55 = 2 422.31 (the season 2025–2026 ended on 20 April)
    assert (line["amount"], line["method"]) == ("2422.31", "area_norm")
