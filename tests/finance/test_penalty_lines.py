"""``penalty_lines`` (penalty lines of a calculation) and properties of the finance service."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from zhkh.kernel.calc.balance import BalanceInput, penalty_lines
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import Line
from zhkh.kernel.rulebook import load_rulebook
from zhkh.modules.finance.calculators import allocate_json, penalties_json
from zhkh.modules.finance.examples import ALLOCATION, PENALTIES
from zhkh.rules import RULES_DIR

RULEBOOK = load_rulebook(RULES_DIR)


def balance(**overrides) -> BalanceInput:
    return BalanceInput.model_validate({**PENALTIES, **overrides})


def test_one_line_per_account_and_debt_period_with_the_fields_of_a_penalty_line():
    (line,) = penalty_lines(balance(), RULEBOOK, "2026-05")
    assert isinstance(line, Line)
    assert (line.account, line.service, line.provider, line.kind, line.method) == (
        "1000000019", "penalty", "penalty", "penalty", "penalty")
    assert (line.period, line.component) == ("2026-05", "2026-01")
    assert (line.date_from, line.date_to) == ("2026-02-11", "2026-05-20")
    assert (line.volume, line.unit, line.tariff, line.coefficient) == ("69", "дн.", "3000.00", "1")
    assert (line.amount, line.excess) == ("55.27", "0.00")
    assert line.source == "ЖК РФ ст. 155 ч. 14"
    assert line.explain.startswith("Пени за 2026-01: ") and line.explain.endswith(
        "= 55,27\u00a0₽ (ЖК РФ ст. 155 ч. 14)")
    assert {"penalties.scale", "penalties.rates", "penalties.due_date"} <= set(line.rule_ids)


def test_debts_without_a_positive_penalty_give_no_line():
    quiet = balance(calc_date="2026-03-12")  # day 30 of the January debt
    assert penalty_lines(quiet, RULEBOOK, "2026-03") == []
    paid = balance(payments=[{"account": "1000000019", "date": "2026-02-10",
                              "amount": "3000.00"}])
    assert penalty_lines(paid, RULEBOOK, "2026-05") == []
    assert penalty_lines(BalanceInput(), RULEBOOK, "2026-05") == []


def test_without_a_calculation_date_the_last_day_of_the_billing_period_is_used():
    undated = balance(calc_date=None)
    (may,) = penalty_lines(undated, RULEBOOK, "2026-05")
    (dated,) = penalty_lines(balance(calc_date="2026-05-31"), RULEBOOK, "2026-05")
    assert may == dated and may.date_to == "2026-05-31"


def test_only_the_moratoria_that_covered_days_are_named():
    data = {"calc_date": "2022-12-01", "debts": [
        {"account": "1", "period": "2022-01", "amount": "100.00"},
        {"account": "1", "period": "2022-04", "amount": "100.00"}]}
    jan, apr = penalty_lines(BalanceInput.model_validate(data), RULEBOOK, "2022-11")
    assert "penalties.moratorium_2022" in jan.rule_ids
    assert "penalties.moratorium_2022" not in apr.rule_ids
    assert "penalties.moratorium_2020" not in jan.rule_ids


def test_the_lines_equal_the_positive_lines_of_the_penalties_service():
    response = penalties_json(PENALTIES, RULEBOOK)
    lines = penalty_lines(balance(), RULEBOOK, "2026-05")
    assert [(ln.account, ln.component, ln.amount, ln.explain) for ln in lines] == [
        (x["account"], x["period"], x["penalty"], x["explain"]) for x in response["lines"]
        if x["penalty"] != "0.00"]


def test_a_debt_the_rules_do_not_cover_is_a_calculation_error_naming_the_account():
    old = BalanceInput.model_validate({"debts": [
        {"account": "7", "period": "2005-01", "amount": "1.00"}]})
    with pytest.raises(CalculationError) as caught:
        penalty_lines(old, RULEBOOK, "2026-01")
    assert (caught.value.code, caught.value.account) == ("penalty_rules", "7")


def test_the_balance_is_json_friendly_and_refuses_floats():
    assert BalanceInput.model_validate_json(json.dumps(PENALTIES)) == balance()
    with pytest.raises(ValidationError, match="строкой"):
        BalanceInput.model_validate({"debts": [{"account": "1", "period": "2026-01",
                                                "amount": 1.5}]})


# --- properties of the service ---------------------------------------------------------------

periods = st.sampled_from(["2025-09", "2025-10", "2025-11", "2025-12", "2026-01"])
money = st.integers(0, 500_000).map(lambda k: f"{k // 100}.{k % 100:02d}")
days = st.integers(0, 300).map(lambda n: (date(2025, 10, 1) + timedelta(days=n)).isoformat())


@st.composite
def balances(draw):
    accounts = draw(st.lists(st.sampled_from("ab"), min_size=1, max_size=2, unique=True))
    debts = [{"account": a, "period": p, "amount": draw(money)}
             for a in accounts for p in draw(st.lists(periods, max_size=3, unique=True))]
    owners = sorted({d["account"] for d in debts})
    payments = [] if not owners else draw(st.lists(st.fixed_dictionaries(
        {"account": st.sampled_from(owners), "date": days, "amount": money},
        optional={"period": periods}), max_size=4))
    return {"calc_date": draw(days), "debts": debts, "payments": payments}


@settings(max_examples=40, deadline=None)
@given(balances())
def test_totals_are_the_sums_of_the_lines_and_penalty_lines_keep_the_positive_ones(body):
    response = penalties_json(body, RULEBOOK)
    cents = [int(x["penalty"].replace(".", "")) for x in response["lines"]]
    assert sum(cents) == int(response["total"].replace(".", ""))
    assert len(response["lines"]) == len(body["debts"])
    lines = penalty_lines(BalanceInput.model_validate(body), RULEBOOK, "2026-07")
    assert sorted(ln.amount for ln in lines) == sorted(
        x["penalty"] for x in response["lines"] if x["penalty"] != "0.00")


@st.composite
def allocation_requests(draw):
    keys = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=0, max_size=3, unique=True))
    lines = [{"period": p, "key": k, "amount": draw(money),
              "kind": draw(st.sampled_from(["principal", "penalty"]))}
             for p in draw(st.lists(periods, max_size=3, unique=True)) for k in keys]
    payment = draw(st.fixed_dictionaries({"amount": money},
                                         optional={"period": periods,
                                                   "to_penalties": st.booleans()}))
    return {"payment": payment, "open_lines": lines}


@settings(max_examples=60, deadline=None)
@given(allocation_requests())
def test_allocated_lines_plus_advance_equal_the_payment_and_paid_plus_remaining_the_debt(body):
    result = allocate_json(body, RULEBOOK)

    def c(text: str) -> int:
        return int(text.replace(".", ""))

    assert sum(c(x["amount"]) for x in result["lines"]) + c(result["advance"]) == c(
        body["payment"]["amount"])
    assert sum(c(x["amount"]) for x in result["lines"] + result["remaining"]) == sum(
        c(x["amount"]) for x in body["open_lines"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=12) | st.sampled_from(["2026-01", "2026-01-31", "1.00", "-1", "1e999"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["calc_date", "debts", "payments", "account", "period", "amount",
                         "date", "due_date", "payment", "open_lines", "key", "kind",
                         "to_penalties", "x"]), inner, max_size=5),
    max_leaves=20)


MONEY_KEYS = {"amount", "penalty", "debt", "advance", "total"}


def _money_fields(value, found):
    """Every (key, value) under a money key anywhere in a JSON result."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in MONEY_KEYS and not isinstance(inner, dict | list):
                found.append((key, inner))
            _money_fields(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _money_fields(inner, found)
    return found


def _mutated(example: dict, data) -> dict:
    """A valid example with one top-level key replaced by a generated JSON value (or not)."""
    key = data.draw(st.sampled_from([None, *example]))
    if key is None:
        return json.loads(json.dumps(example))
    return {**example, key: data.draw(json_values)}


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from([(penalties_json, PENALTIES), (allocate_json, ALLOCATION)]))
def test_any_json_gives_a_result_or_a_named_refusal_never_another_exception(data, case):
    call, example = case
    payload = _mutated(example, data) if data.draw(st.booleans()) else data.draw(json_values)
    try:
        result = call(payload, RULEBOOK)
    except ValidationError as exc:
        errors = exc.errors()
        assert errors and all(isinstance(e["loc"], tuple) and e["type"] for e in errors)
        return
    except CalculationError as exc:
        assert exc.code and str(exc)
        return
    # a result: every money value is a decimal string with two decimals
    assert isinstance(result, dict) and result
    money = _money_fields(result, [])
    assert money, result
    for key, value in money:
        assert isinstance(value, str) and re.fullmatch(r"-?\d+\.\d{2}", value), (key, value)
    if call is allocate_json:
        def c(text: str) -> int:
            return int(text.replace(".", ""))

        assert sum(c(x["amount"]) for x in result["lines"]) + c(result["advance"]) == c(
            payload["payment"]["amount"])


def test_the_allocation_example_through_the_service_matches_reference_3():
    result = allocate_json(ALLOCATION, RULEBOOK)
    assert [x["amount"] for x in result["lines"]] == ["1000.00", "266.67", "400.00", "333.33"]
