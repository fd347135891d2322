"""The `when:` language: parsing errors name the attribute; the reference meaning."""

import pytest

from zhkh.kernel.rulebook.conditions import ConditionError, Op, matches, parse_when


def test_equality_membership_comparison_and_presence_are_understood():
    cond = parse_when({
        "service": "cold_water",
        "meter": ["absent", "failed"],
        "months_without_readings": {"lte": 6},
        "meter_installable": {"present": True},
    })
    fact = {"service": "cold_water", "meter": "absent", "months_without_readings": 3,
            "meter_installable": True}
    assert matches(cond, fact)
    assert not matches(cond, {**fact, "months_without_readings": 7})
    assert not matches(cond, {**fact, "meter": "working"})
    assert not matches(cond, {k: v for k, v in fact.items() if k != "meter_installable"})


def test_a_comparison_on_a_missing_attribute_is_false():
    assert not matches(parse_when({"history_months": {"gte": 3}}), {})
    assert not matches(parse_when({"history_months": {"ne": 3}}), {})
    assert matches(parse_when({"history_months": {"absent": True}}), {})


def test_an_unknown_operation_is_refused_naming_the_attribute():
    with pytest.raises(ConditionError) as err:
        parse_when({"zones": {"between": [1, 2]}})
    assert err.value.field == "zones"


def test_present_false_means_absent():
    (test,) = parse_when({"meter": {"present": False}})
    assert test.op is Op.ABSENT
