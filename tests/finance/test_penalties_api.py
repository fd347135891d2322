"""POST /v1/penalties through the real app with the published rules."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from zhkh.modules.finance.examples import PENALTIES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

ACC = "1000000019"


def request(calc_date: str, debts=(), payments=()) -> dict:
    return {"calc_date": calc_date, "debts": list(debts), "payments": list(payments)}


def debt(period: str, amount: str, account: str = ACC, **extra) -> dict:
    return {"account": account, "period": period, "amount": amount, **extra}


def pay(day: str, amount: str, account: str = ACC, **extra) -> dict:
    return {"account": account, "date": day, "amount": amount, **extra}


def only_line(api, body: dict) -> dict:
    (line,) = api.ok("/v1/penalties", body)["lines"]
    return line


def tiers(line: dict) -> dict[str, int]:
    return {t["fraction"]: t["days"] for t in line["tiers"]}


def test_the_openapi_example_is_the_shipped_example_file():
    assert json.loads((EXAMPLES / "penalties.json").read_text(encoding="utf-8")) == PENALTIES


def test_a_january_2026_debt_with_a_partial_payment_gives_55_27_with_days_rates_and_explain(api):
    body = api.ok("/v1/penalties", PENALTIES)
    (line,) = body["lines"]
    assert (line["period"], line["due_date"], line["debt"]) == ("2026-01", "2026-02-10", "3000.00")
    assert line["penalty"] == "55.27"  # 1000×13/300 + 2000×60/300 + 2000×9/130, all × 9,5 %
    assert (line["grace_days"], line["days_charged"], line["moratorium_days"]) == (30, 69, 0)
    assert tiers(line) == {"1/300": 60, "1/130": 9}
    assert line["rates"] == ["9.50"]
    assert [(t["amount"], t["days"], t["fraction"]) for t in line["terms"]] == [
        ("1000.00", 13, "1/300"), ("2000.00", 60, "1/300"), ("2000.00", 9, "1/130")]
    assert line["explain"].endswith("= 55,27\u00a0₽ (ЖК РФ ст. 155 ч. 14)")
    assert "penalties.scale" in line["rule_ids"] and "penalties.moratorium_2022" not in (
        line["rule_ids"])
    assert body["total"] == "55.27" and body["account_totals"] == [
        {"account": ACC, "amount": "55.27"}]
    assert body["rulebook_version"] and body["calc_date"] == "2026-05-20"


@pytest.mark.parametrize(("calc_date", "penalty", "days"), [
    ("2026-03-12", "0.00", {"1/300": 0, "1/130": 0}),   # day 30: still grace
    ("2026-03-13", "0.38", {"1/300": 1, "1/130": 0}),   # day 31: 1200 × 9,5 % / 300
    ("2026-05-11", "22.80", {"1/300": 60, "1/130": 0}),  # day 90: the whole 1/300 window
    ("2026-05-12", "23.68", {"1/300": 60, "1/130": 1}),  # day 91: first day of 1/130
])
def test_day_boundaries_30_31_and_90_91(api, calc_date, penalty, days):
    line = only_line(api, request(calc_date, [debt("2026-01", "1200.00")]))
    assert (line["penalty"], tiers(line)) == (penalty, days)
    assert line["grace_days"] == 30


@pytest.mark.parametrize(("paid_on", "penalty", "days_1_130"), [
    ("2022-10-01", "4.75", 0),  # last moratorium day: only 19 days in March at 7,5 %
    ("2022-10-02", "5.33", 1),  # the day after: one more day, now at 1/130
])
def test_a_payment_on_the_last_day_of_the_2022_moratorium_adds_no_day(
        api, paid_on, penalty, days_1_130):
    line = only_line(api, request("2022-12-01", [debt("2022-01", "1000.00")],
                                  [pay(paid_on, "1000.00")]))
    assert line["moratorium_days"] == 184  # 01.04–01.10.2022
    assert (line["penalty"], tiers(line)) == (penalty, {"1/300": 19, "1/130": days_1_130})
    assert line["rates"] == ["7.50"]  # key rate on the payment date, under the 9,5 % cap
    assert "penalties.moratorium_2022" in line["rule_ids"]
    assert "мораторий: 184 дн." in line["explain"]


def test_a_debt_that_arose_after_the_moratorium_began_is_not_protected_by_it(api):
    line = only_line(api, request("2022-12-01", [debt("2022-04", "1000.00")]))
    assert line["moratorium_days"] == 0
    assert "penalties.moratorium_2022" not in line["rule_ids"]


def test_a_designated_payment_covers_its_period_and_accounts_are_kept_apart(api):
    body = api.ok("/v1/penalties", request(
        "2025-06-01",
        [debt("2025-01", "1000.00"), debt("2025-02", "1000.00"), debt("2025-01", "500.00", "2")],
        [pay("2025-03-01", "1000.00", period="2025-02")]))
    got = {(ln["account"], ln["period"]): ln["penalty"] for ln in body["lines"]}
    assert got[(ACC, "2025-02")] == "0.00" and got[(ACC, "2025-01")] != "0.00"
    assert [t["account"] for t in body["account_totals"]] == [ACC, "2"]
    cents = sum(int(t["amount"].replace(".", "")) for t in body["account_totals"])
    assert cents == int(body["total"].replace(".", ""))


def test_a_due_date_given_in_the_request_overrides_the_rule(api):
    line = only_line(api, request("2026-03-13", [debt("2026-01", "1200.00",
                                                      due_date="2026-02-01")]))
    assert line["due_date"] == "2026-02-01" and tiers(line)["1/300"] == 10


def test_a_debt_before_the_rules_begin_is_a_422_naming_the_account(api):
    r = api.post("/v1/penalties", request("2026-01-01", [debt("2005-01", "100.00")]))
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["code"], err["account"]) == ("penalty_rules", ACC)
    assert "2005-01" in err["message"]


def test_a_request_over_the_work_limit_is_refused_with_a_stable_code(api):
    debts = [debt(f"{2013 + i // 12}-{i % 12 + 1:02d}", "1.00") for i in range(100)]
    r = api.post("/v1/penalties", request("2099-12-31", debts))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "too_large"


def _set(path: str, value):
    def mutate(body: dict) -> None:
        *head, last = path.split(".")
        target = body
        for key in head:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is _DROP:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return mutate


_DROP = object()


@pytest.mark.parametrize(("mutate", "path"), [
    (_set("debts.0.amount", 3000.0), "debts.0.amount"),
    (_set("debts.0.amount", "-1.00"), "debts.0.amount"),
    (_set("debts.0.amount", "10.005"), "debts.0.amount"),
    (_set("debts.0.amount", "NaN"), "debts.0.amount"),
    (_set("debts.0.period", "01.2026"), "debts.0.period"),
    (_set("debts.0.period", "2026-13"), "debts.0.period"),
    (_set("debts.0.period", "0000-01"), "debts.0.period"),
    (_set("debts.0.due_date", "9999-12-31"), "debts.0.due_date"),
    (_set("payments.0.date", _DROP), "payments.0.date"),
    (_set("payments.0.amount", "-5"), "payments.0.amount"),
    (_set("payments.0.period", "2026-1"), "payments.0.period"),
    (_set("payments.0.account", "other"), "payments"),
    (_set("calc_date", _DROP), "calc_date"),
    (_set("calc_date", "вчера"), "calc_date"),
    (_set("extra", 1), "extra"),
])
def test_bad_input_is_a_422_naming_the_field_path(api, mutate, path):
    body = copy.deepcopy(PENALTIES)
    mutate(body)
    r = api.post("/v1/penalties", body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert path in [f["path"] for f in err["fields"]]


def test_a_debt_period_given_twice_for_one_account_is_a_422_naming_both(api):
    body = request("2026-05-01", [debt("2026-01", "1.00"), debt("2026-01", "2.00")])
    r = api.post("/v1/penalties", body)
    assert r.status_code == 422
    assert "debts.0 и debts.1" in r.json()["error"]["fields"][0]["message"]


@pytest.mark.parametrize("content", [
    "", "[]", "null", "not json", '"x"', "{", '{"calc_date": 5}', '{"debts": {}}',
    '{"calc_date": "2026-01-01", "debts": [null]}',
    '{"calc_date": "2026-01-01", "debts": [{"account": "1", "period": "2026-01", '
    '"amount": "1e999999999"}]}',
    '{"calc_date": "2026-01-01", "debts": [{"account": "1", "period": "2026-01", '
    '"amount": "-1e999999999"}]}',
    '{"calc_date": "2026-01-01", "debts": [{"account": "", "period": 202601, "amount": true}]}',
    '{"calc_date": 1e308, "debts": [], "payments": [{"account": "1"}]}',
    '{"calc_date": "2026-01-01", "debts": [], "payments": [{"account": "1", "date": '
    '"2026-01-01", "amount": "1.00"}]}',
])
def test_garbage_never_produces_a_500(api, content):
    r = api.post("/v1/penalties", content=content)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"


def test_without_a_key_it_is_401_and_a_role_without_calculate_run_is_403(api):
    assert api.client.post("/v1/penalties", json=PENALTIES).status_code == 401
    r = api.post("/v1/penalties", PENALTIES, role="operator")
    assert r.status_code == 403 and r.json()["error"]["permission"] == "calculate:run"


def test_the_openapi_shows_the_example_and_the_routes(api):
    spec = api.client.get("/openapi.json").json()
    body = spec["paths"]["/v1/penalties"]["post"]["requestBody"]["content"]["application/json"]
    assert body["examples"]["partial_payment"]["value"] == PENALTIES
    assert "/v1/allocate" in spec["paths"]
