"""POST /v1/allocate through the real app with the published allocation rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from zhkh.modules.finance.examples import ALLOCATION, ALLOCATION_OLDEST_FIRST

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def cents(text: str) -> int:
    return int(text.replace(".", ""))


def paid(body: dict) -> list[tuple[str, str, str]]:
    return [(ln["period"], ln["key"], ln["amount"]) for ln in body["lines"]]


def open_line(period: str, key: str, amount: str, kind: str = "principal") -> dict:
    return {"period": period, "key": key, "amount": amount, "kind": kind}


def test_the_openapi_example_is_the_shipped_example_file():
    assert json.loads((EXAMPLES / "allocation.json").read_text(encoding="utf-8")) == ALLOCATION


def test_2000_over_3000_of_charges_gives_1000_266_67_400_333_33_with_the_rest_open(api):
    body = api.ok("/v1/allocate", ALLOCATION)
    assert [ln["amount"] for ln in body["lines"]] == ["1000.00", "266.67", "400.00", "333.33"]
    assert [ln["amount"] for ln in body["remaining"]] == ["500.00", "133.33", "200.00", "166.67"]
    assert (body["payment"], body["advance"], body["rule_id"]) == (
        "2000.00", "0.00", "allocation.default")
    assert "п. 118" in body["source"] and body["rulebook_version"]
    assert "указанный плательщиком период" in body["trace"][0]["text"]
    assert "наибольших остатков" in body["trace"][1]["text"]


def test_500_over_three_lines_of_333_33_gives_166_67_166_66_166_67(api):
    body = api.ok("/v1/allocate", {"payment": {"amount": "500.00"}, "open_lines": [
        open_line("2026-01", "a", "333.33"), open_line("2026-01", "b", "333.33"),
        open_line("2026-01", "c", "333.34")]})
    assert [ln["amount"] for ln in body["lines"]] == ["166.67", "166.66", "166.67"]


def test_without_a_period_the_oldest_debt_is_paid_first_and_a_surplus_is_the_advance(api):
    first = api.ok("/v1/allocate", ALLOCATION_OLDEST_FIRST)
    assert paid(first) == [("2026-01", "all", "1000.00"), ("2026-02", "all", "500.00")]
    assert [(r["period"], r["amount"]) for r in first["remaining"]] == [
        ("2026-02", "700.00"), ("2026-03", "1100.00")]
    body = copy.deepcopy(ALLOCATION_OLDEST_FIRST)
    body["payment"]["amount"] = "4000.00"
    full = api.ok("/v1/allocate", body)
    assert full["advance"] == "700.00" and full["remaining"] == []
    assert "аванс" in full["trace"][-1]["text"]


def test_a_named_period_is_paid_first_then_the_oldest(api):
    body = copy.deepcopy(ALLOCATION_OLDEST_FIRST)
    body["payment"].update(amount="1300.00", period="2026-02")
    assert paid(api.ok("/v1/allocate", body)) == [
        ("2026-02", "all", "1200.00"), ("2026-01", "all", "100.00")]


def test_penalties_are_paid_after_all_principal_unless_the_payer_names_them(api):
    lines = [open_line("2026-01", "x", "100.00"), open_line("2026-01", "penalty", "5.00",
                                                           "penalty"),
             open_line("2026-02", "x", "100.00")]
    after = api.ok("/v1/allocate", {"payment": {"amount": "203.00"}, "open_lines": lines})
    assert [(ln["kind"], ln["amount"]) for ln in after["lines"]][-1] == ("penalty", "3.00")
    named = api.ok("/v1/allocate", {"payment": {"amount": "6.00", "to_penalties": True},
                                    "open_lines": lines})
    assert [(ln["kind"], ln["amount"]) for ln in named["lines"]] == [
        ("penalty", "5.00"), ("principal", "1.00")]


def test_a_payment_with_nothing_open_is_all_advance(api):
    body = api.ok("/v1/allocate", {"payment": {"amount": "10.00"}})
    assert (body["lines"], body["advance"], body["remaining"]) == ([], "10.00", [])


def test_lines_plus_advance_always_equal_the_payment(api):
    body = copy.deepcopy(ALLOCATION)
    for amount in ("0.00", "0.01", "2999.99", "3000.00", "3000.01"):
        body["payment"]["amount"] = amount
        result = api.ok("/v1/allocate", body)
        assert sum(cents(ln["amount"]) for ln in result["lines"]) + cents(
            result["advance"]) == cents(amount)


def _with(path: str, value):
    def mutate(body: dict) -> None:
        *head, last = path.split(".")
        target = body
        for key in head:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value
    return mutate


@pytest.mark.parametrize(("mutate", "path"), [
    (_with("payment.amount", 2000.0), "payment.amount"),
    (_with("payment.amount", "-1.00"), "payment.amount"),
    (_with("payment.amount", "1.001"), "payment.amount"),
    (_with("payment.period", "январь"), "payment.period"),
    (_with("payment.date", "2026-02-30"), "payment.date"),
    (_with("open_lines.0.amount", 1500), None),  # a JSON integer is whole rubles: accepted
    (_with("open_lines.0.amount", "-0.01"), "open_lines.0.amount"),
    (_with("open_lines.1.period", "2026/01"), "open_lines.1.period"),
    (_with("open_lines.2.kind", "fee"), "open_lines.2.kind"),
    (_with("open_lines.3.key", ""), "open_lines.3.key"),
    (_with("open_lines.3.key", "cold_water"), "open_lines"),  # the same line twice
    (_with("payment.extra", 1), "payment.extra"),
])
def test_bad_input_is_a_422_naming_the_field_path(api, mutate, path):
    body = copy.deepcopy(ALLOCATION)
    mutate(body)
    r = api.post("/v1/allocate", body)
    if path is None:
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert path in [f["path"] for f in err["fields"]]


@pytest.mark.parametrize("content", [
    "", "[]", "null", "not json", "{}", '{"payment": null}', '{"payment": {"amount": null}}',
    '{"payment": {"amount": "1"}, "open_lines": [1, 2]}',
    '{"payment": {"amount": "Infinity"}}', '{"payment": {"amount": "1e999999999"}}',
    '{"payment": {"amount": "1"}, "open_lines": {"period": "2026-01"}}',
])
def test_garbage_never_produces_a_500(api, content):
    r = api.post("/v1/allocate", content=content)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"


def test_without_a_key_it_is_401(api):
    assert api.client.post("/v1/allocate", json=ALLOCATION).status_code == 401
