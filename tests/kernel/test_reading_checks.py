"""Plausibility checks of a reading (``rules/checks``, ``kernel/calc/reading_checks.py``): the
shipped rules on cases a methodologist writes, and properties over generated readings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel.calc.reading_checks import (
    CODES,
    ReadingCase,
    check_reading,
    months_covered,
    rule_for,
)

TODAY = date(2026, 10, 26)
D = Decimal


@pytest.fixture(scope="module")
def water(shipped):
    return rule_for(shipped.rulebook, "cold_water")


def case(**kw) -> ReadingCase:
    base = {"service": "cold_water", "taken_on": date(2026, 10, 24), "value": D("131.789"),
            "today": TODAY, "previous": D("123.456"), "previous_on": date(2026, 9, 24),
            "history": (D("8"), D("9"), D("7.5")), "residents": 2}
    return ReadingCase(**{**base, **kw})


def codes(rule, c) -> list[str]:
    return [f.code for f in check_reading(rule, c)]


class TestShippedWaterChecks:
    def test_an_ordinary_reading_passes(self, water):
        assert codes(water, case()) == []

    def test_a_typo_lower_than_the_previous_is_not_taken_for_a_rollover(self, water):
        (failed,) = check_reading(water, case(value=D("123.4"), capacity=D("100000")))
        assert failed.code == "reading_decrease" and failed.rule_id == "checks.water"
        assert "123,4 меньше предыдущего 123,456" in failed.message

    def test_a_rollover_near_the_capacity_is_plausible(self, water):
        assert codes(water, case(previous=D("99998.5"), value=D("1.5"),
                                 capacity=D("100000"))) == []

    def test_99999_cubic_metres_break_the_average_and_the_physical_maximum(self, water):
        found = check_reading(water, case(value=D("99999")))
        assert [f.code for f in found] == ["volume_above_average", "volume_above_maximum"]
        # (8 + 9 + 7,5) / 3 = 8,166667 × 10 × 1 мес = 81,666667
        assert found[0].message.endswith("= 81,666667")
        assert "30 на человека × 2 чел × 1 мес = 60" in found[1].message

    def test_a_volume_over_three_months_is_compared_with_three_months(self, water):
        c = case(previous_on=date(2026, 7, 24), value=D("123.456") + D("170"))
        assert months_covered(c.previous_on, c.taken_on) == 3
        assert codes(water, c) == []  # 170 ≤ 30 × 2 × 3 = 180 and ≤ 10 × 8,17 × 3

    def test_nobody_registered_still_allows_one_persons_maximum(self, water):
        assert codes(water, case(residents=0, value=D("123.456") + D("31"))) == [
            "volume_above_maximum"]

    def test_a_house_meter_has_no_maximum_per_resident(self, water):
        assert codes(water, case(residents=None, history=(),
                                 value=D("123.456") + D("900"))) == []

    def test_a_reading_from_tomorrow_after_verification_of_a_removed_meter(self, water):
        c = case(taken_on=TODAY + timedelta(days=1), verified_until=date(2026, 10, 1),
                 removed_on=date(2026, 10, 15))
        assert codes(water, c) == ["reading_in_future", "reading_after_verification",
                                   "reading_removed_meter"]

    def test_a_service_no_rule_names_is_not_checked(self, shipped):
        assert rule_for(shipped.rulebook, "heating") is None
        assert check_reading(None, case(value=D("0"))) == []


values = st.decimals(min_value=0, max_value=99999, places=3, allow_nan=False)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@given(previous=values, value=values, capacity=st.one_of(st.none(), st.sampled_from(
    [D("10000"), D("100000")])), residents=st.one_of(st.none(), st.integers(0, 9)),
       history=st.lists(values, max_size=8).map(tuple), taken_on=days,
       back=st.integers(0, 40))
def test_the_checks_are_exactly_their_definitions(shipped, previous, value, capacity,
                                                  residents, history, taken_on, back):
    rule = rule_for(shipped.rulebook, "cold_water")
    previous_on = taken_on - timedelta(days=back)
    c = case(previous=previous, value=value, capacity=capacity, residents=residents,
             history=history, taken_on=taken_on, previous_on=previous_on)
    found = codes(rule, c)
    assert found == [code for code in CODES if code in found]  # fixed order, no repeats
    share = D("0.05")
    rollover = (capacity is not None and value < previous
                and previous >= capacity * (1 - share) and value <= capacity * share)
    assert ("reading_decrease" in found) == (value < previous and not rollover)
    volume = (value - previous if value >= previous
              else capacity - previous + value if rollover else None)
    months = months_covered(previous_on, taken_on)
    over_max = (volume is not None and residents is not None
                and volume > 30 * max(residents, 1) * months)
    assert ("volume_above_maximum" in found) == over_max
    taken = history[:6]
    over_avg = (volume is not None and len(history) >= 3
                and volume > 10 * (sum(taken, D(0)) / len(taken)) * months)
    assert ("volume_above_average" in found) == over_avg
    assert ("reading_in_future" in found) == (taken_on > TODAY)
