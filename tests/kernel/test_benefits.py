"""Benefits (льготы; REFERENCE 4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.extras import ExtrasInput, extra_lines
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.rulebook import Rulebook, load_rulebook

RULES = Path(__file__).resolve().parents[2] / "rules"


@cache
def shipped() -> Rulebook:
    return load_rulebook(RULES)


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return shipped()


def situation(persons: int = 3, area: str = "65.0", installable: bool = False) -> Situation:
    services = [{"service": s, "provider": "p", "meter_installable": installable}
                for s in ("maintenance", "cold_water", "heating", "intercom")]
    residents = [{"person": f"P{i}", "from": "2020-01-01"} for i in range(persons)]
    return Situation.model_validate({"period": "2026-06", "accounts": [
        {"number": "1", "area": area, "services": services, "residents": residents}]})


def charge(service: str, amount: str, *, method: str, volume: str, tariff: str,
           persons: int | None = None, excess: str = "0.00") -> Line:
    return Line(
        account="1", service=service, provider="p", period="2026-06", date_from="2026-06-01",
        date_to="2026-06-30", method=method, rule_ids=["x"], source="ПП РФ №354",
        volume=volume, unit="м³", tariff=tariff, coefficient="1", persons=persons,
        norm="4.9" if method == "norm" else None, amount=amount, excess=excess, explain="",
    )


def assign(category: str, start: str = "2020-01-01", end: str | None = None,
           person: str = "P0", **more) -> ExtrasInput:
    return ExtrasInput.model_validate({"benefits": [
        {"account": "1", "person": person, "category": category, "from": start, "to": end}],
        **more})


MAINTENANCE = charge("maintenance", "2112.50", method="area", volume="65", tariff="32.50")
COLD_BY_METER = charge("cold_water", "438.48", method="meter", volume="9", tariff="48.72")


def amounts(lines: list[Line]) -> dict[str, str]:
    return {x.service: x.amount for x in lines}


class TestReferenceExample:
    """Family of 3, one combat veteran, 50 % within 18 m² per person; 65 m²; ХВС 9 m³."""

    def test_housing_within_the_social_norm_and_water_within_the_norm(self, book):
        out = extra_lines(situation(), [MAINTENANCE, COLD_BY_METER], assign("veteran_combat"),
                          book, None)
        assert amounts(out) == {"maintenance": "-292.50", "cold_water": "-73.08"}
        assert all(x.kind == "benefit" for x in out)
        housing = next(x for x in out if x.service == "maintenance")
        assert "50 %" in housing.explain and "min(65; 54) м² / 3 чел" in housing.explain
        assert housing.rule_ids == ["benefit.veteran_combat.housing"]


class TestBases:
    def test_a_person_living_alone_gets_the_33_square_metres_standard(self, book):
        line = charge("maintenance", "1300.00", method="area", volume="40", tariff="32.50")
        out = extra_lines(situation(1, "40"), [line], assign("veteran_combat"), book, None)
        assert amounts(out) == {"maintenance": "-536.25"}  # 0.5 × 33 × 32.50

    def test_consumption_above_the_norm_is_compensated_only_up_to_the_norm(self, book):
        line = charge("cold_water", "876.96", method="meter", volume="18", tariff="48.72")
        out = extra_lines(situation(), [line], assign("veteran_combat"), book, None)
        assert amounts(out) == {"cold_water": "-119.36"}  # 0.5 × 4.9 × 48.72

    def test_a_charge_by_norm_gives_the_person_share_without_the_coefficient(self, book):
        line = charge("cold_water", "1074.28", method="norm", volume="14.7", tariff="48.72",
                      persons=3, excess="358.09")
        out = extra_lines(situation(), [line], assign("disabled"), book, None)
        assert amounts(out) == {"cold_water": "-119.37"}  # 0.5 × 716.19 / 3 = 119.365

    def test_a_large_family_member_gets_30_percent_of_their_share(self, book):
        line = charge("heating", "2381.82", method="area_norm", volume="1.2155", tariff="1959.54")
        out = extra_lines(situation(), [line], assign("large_family"), book, None)
        assert amounts(out) == {"heating": "-238.18"}  # 0.3 × 2381.82 / 3

    def test_services_the_category_does_not_name_get_nothing(self, book):
        line = charge("intercom", "60.00", method="fixed", volume="1", tariff="60")
        assert extra_lines(situation(), [line], assign("veteran_combat"), book, None) == []


class TestDates:
    def test_an_assignment_starting_mid_month_is_split_by_days(self, book):
        out = extra_lines(situation(), [MAINTENANCE], assign("veteran_combat", "2026-06-16"),
                          book, None)
        assert amounts(out) == {"maintenance": "-146.25"}  # 292.50 × 15/30
        assert (out[0].date_from, out[0].date_to) == ("2026-06-16", "2026-06-30")
        assert "15/30 дн." in out[0].explain

    def test_a_new_resident_mid_month_changes_the_household_standard_from_that_day(self, book):
        sit = Situation.model_validate({"period": "2026-06", "accounts": [{
            "number": "1", "area": "65.0", "services": [{"service": "maintenance",
                                                         "provider": "p"}],
            "residents": [{"person": "P0", "from": "2020-01-01"},
                          {"person": "P1", "from": "2026-06-11"}]}]})
        out = extra_lines(sit, [MAINTENANCE], assign("veteran_combat"), book, None)
        # 10 days alone: 0.5 × 33 × 32.5 × 10/30; 20 days of two: 0.5 × 21 × 32.5 × 20/30
        assert amounts(out) == {"maintenance": "-406.25"}

    def test_the_holders_recalculated_absence_days_get_no_benefit(self, book):
        line = charge("cold_water", "716.18", method="norm", volume="14.7", tariff="48.72",
                      persons=3)
        inputs = assign("veteran_combat", absences=[
            {"account": "1", "person": "P0", "from": "2026-06-05", "to": "2026-06-20"}])
        out = extra_lines(situation(), [line], inputs, book, None)
        kinds = {x.kind: x.amount for x in out}
        # 14 days away are recalculated (716.18 × 14/90); the benefit covers the other 16 days
        assert kinds == {"recalculation": "-111.41", "benefit": "-63.66"}  # 0.5 × 716.18/3 × 16/30


class TestErrors:
    def test_an_unknown_category_is_an_error_listing_the_known_ones(self, book):
        with pytest.raises(CalculationError) as err:
            extra_lines(situation(), [MAINTENANCE], assign("astronaut"), book, None)
        assert err.value.code == "unknown_benefit_category"
        assert "veteran_combat" in err.value.message

    def test_a_holder_not_registered_in_the_premises_is_an_error(self, book):
        with pytest.raises(CalculationError) as err:
            extra_lines(situation(), [MAINTENANCE], assign("disabled", person="X"), book, None)
        assert err.value.code == "benefit_unknown_person"


PERCENT = {"veteran_combat": Decimal("0.5"), "large_family": Decimal("0.3")}


@settings(max_examples=60, deadline=None)
@given(amount=st.integers(1, 10**8), volume=st.integers(1, 40),
       category=st.sampled_from(sorted(PERCENT)), persons=st.integers(1, 6),
       service=st.sampled_from(["maintenance", "cold_water", "heating"]))
def test_a_benefit_never_exceeds_the_discount_share_of_the_charge(
        amount, volume, category, persons, service):
    money = f"{Decimal(amount) / 100:.2f}"
    line = charge(service, money, method="meter" if service == "cold_water" else "area",
                  volume=str(volume), tariff="1")
    book = shipped()
    out = extra_lines(situation(persons), [line], assign(category), book, None)
    for x in out:
        assert Decimal(0) > Decimal(x.amount) >= -(PERCENT[category] * Decimal(money)).quantize(
            Decimal("0.01"), rounding="ROUND_HALF_UP")


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(1, 29), amount=st.integers(10**4, 10**8), persons=st.integers(1, 5))
def test_day_splits_of_an_assignment_sum_to_the_whole_month(cut, amount, persons):
    book = shipped()
    money = f"{Decimal(amount) / 100:.2f}"
    line = charge("maintenance", money, method="area", volume="65", tariff="1")
    split = date(2026, 6, 1) + timedelta(days=cut)
    first = extra_lines(situation(persons), [line],
                        assign("veteran_combat", "2026-06-01", (split - timedelta(days=1))
                               .isoformat()), book, None)
    second = extra_lines(situation(persons), [line],
                         assign("veteran_combat", split.isoformat()), book, None)
    whole = extra_lines(situation(persons), [line], assign("veteran_combat"), book, None)
    covered = [(x.date_from, x.date_to) for x in first + second]
    assert covered == [("2026-06-01", (split - timedelta(days=1)).isoformat()),
                       (split.isoformat(), "2026-06-30")]
    parts = sum(Decimal(x.amount) for x in first + second)
    assert abs(parts - Decimal(whole[0].amount)) <= Decimal("0.01")


class TestRuleFile:
    BASE: ClassVar[dict] = {"id": "benefit.x", "title": "Т", "source": "иллюстративно",
                            "category": "x", "level": "regional",
                            "when": {"service": "maintenance"}}

    def test_a_discount_above_100_percent_is_refused_with_the_date(self):
        from pydantic import ValidationError

        from zhkh.kernel.rulebook.kinds.benefits import Rule
        with pytest.raises(ValidationError, match="больше 100"):
            Rule.model_validate({**self.BASE, "basis": "person_share",
                                 "percent": {"2020-01-01": "150"}})

    def test_the_area_basis_needs_a_social_norm_starting_at_one_person(self):
        from pydantic import ValidationError

        from zhkh.kernel.rulebook.kinds.benefits import Rule
        with pytest.raises(ValidationError, match="social_norm"):
            Rule.model_validate({**self.BASE, "basis": "area_within_social_norm",
                                 "percent": {"2020-01-01": "50"},
                                 "social_norm": [{"persons": 2, "total": "42"}]})

    def test_a_regional_standard_with_higher_priority_overrides_the_federal_one(self, book):
        from zhkh.kernel.rulebook.kinds.benefits import Rule
        regional = Rule.model_validate({
            "id": "benefit.veteran_combat.housing_region", "title": "Т", "source": "иллюстративно",
            "category": "veteran_combat", "level": "regional", "priority": 1,
            "basis": "area_within_social_norm", "when": {"service": "maintenance"},
            "percent": {"2005-01-01": "50"},
            "social_norm": [{"persons": 1, "total": "32"}, {"persons": 3, "per_person": "21"}]})
        rules = (*book.rules("benefits"), regional)
        other = Rulebook(version="t", source_dir=None, services=book.services,
                         kind_rules={**book.kind_rules, "benefits": rules})
        out = extra_lines(situation(), [MAINTENANCE], assign("veteran_combat"), other, None)
        assert amounts(out) == {"maintenance": "-341.25"}  # 0.5 × 21 × 32.50
        assert out[0].rule_ids == ["benefit.veteran_combat.housing_region"]
