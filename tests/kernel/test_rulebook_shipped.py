"""The shipped demo rule set loads, and every realistic fact gets exactly one rule."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from zhkh.kernel.calc.decide import ONE
from zhkh.kernel.rulebook import (
    MethodRule,
    NormRule,
    Rulebook,
    TariffRule,
    load_rulebook,
)
from zhkh.kernel.rulebook.conditions import matches
from zhkh.kernel.rulebook.facts import FACTS, describe
from zhkh.kernel.rulebook.kinds.methods import Average, Norm
from zhkh.rules import RULES_DIR

METERED = ("cold_water", "hot_water", "electricity", "gas")


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load_rulebook(RULES_DIR)


def winners(rules, fact):
    """Rules that hold for ``fact`` with the highest priority among those that hold."""
    hits = [r for r in rules if matches(r.condition, fact)]
    top = max((r.priority for r in hits), default=None)
    return [r.id for r in hits if r.priority == top]


def coefficient(then, day):
    """The coefficient in force on ``day`` as the calculation reads it (``Decider.method``): a
    method rule without one multiplies by 1; None before the first dated value."""
    return (getattr(then, "coefficient", None) or ONE).at(day)


def metered_facts(service):
    for meter, readings, months, history, installable, refusals in itertools.product(
        FACTS["meter"].values, FACTS["readings"].values, range(0, 9), range(0, 13),
        (True, False), (0, 1, 2, 3),
    ):
        yield {"service": service, "meter": meter, "readings": readings,
               "months_without_readings": months, "history_months": history,
               "meter_installable": installable, "meter_access_refusals": refusals}


def test_the_shipped_rules_load_with_a_short_content_version(book):
    assert len(book.version) == 12 and int(book.version, 16) >= 0
    assert book.source_dir == RULES_DIR
    assert {"cold_water", "hot_water", "wastewater", "electricity", "gas", "heating",
            "maintenance", "capital_repair", "solid_waste", "intercom"} <= set(book.services)
    assert all(isinstance(r, TariffRule) for r in book.tariffs)
    assert all(isinstance(r, NormRule) for r in book.norms)
    assert all(isinstance(r, MethodRule) for r in book.methods)


def test_the_catalogue_describes_hot_water_components_and_electricity_zones(book):
    hot = book.services["hot_water"]
    assert [c.id for c in hot.components] == ["water", "heat"]
    assert hot.component("heat").volume_from == "water"
    assert [(s.count, s.zones) for s in book.services["electricity"].zones] == [
        (1, ("single",)), (2, ("day", "night"))]
    assert book.services["wastewater"].derived_from == ("cold_water", "hot_water")


@pytest.mark.parametrize("service", METERED)
def test_every_meter_situation_of_a_metered_service_has_exactly_one_method(book, service):
    for fact in metered_facts(service):
        assert len(winners(book.methods, fact)) == 1, fact


def test_electricity_after_two_refusals_wins_by_priority_and_carries_the_coefficient(book):
    fact = {"service": "electricity", "meter": "absent", "meter_installable": True,
            "meter_access_refusals": 2}
    (rule_id,) = winners(book.methods, fact)
    rule = book.by_id(rule_id)
    assert rule_id == "electricity.norm_no_meter_access_refused"
    assert coefficient(rule.then, date(2026, 1, 1)) == Decimal("1.5")
    fact["meter_access_refusals"] = 1
    assert winners(book.methods, fact) == ["electricity.norm_no_meter"]


def test_a_missing_meter_that_could_be_installed_gives_norm_times_one_and_a_half(book):
    fact = {"service": "cold_water", "meter": "absent", "meter_installable": True}
    (rule_id,) = winners(book.methods, fact)
    then = book.by_id(rule_id).then
    assert isinstance(then, Norm)
    assert coefficient(then, date(2016, 12, 31)) is None  # a calculation before 2017: no_value
    assert coefficient(then, date(2017, 1, 1)) == Decimal("1.5")


def test_missing_readings_use_the_average_for_six_periods_then_the_norm(book):
    base = {"service": "hot_water", "meter": "working", "readings": "missing",
            "history_months": 6}
    (sixth,) = winners(book.methods, {**base, "months_without_readings": 6})
    (seventh,) = winners(book.methods, {**base, "months_without_readings": 7})
    then = book.by_id(sixth).then
    assert isinstance(then, Average)
    assert (then.min_months, then.history_months, then.max_periods) == (3, 6, 6)
    assert book.by_id(seventh).then.method == "norm"
    assert coefficient(book.by_id(seventh).then, date(2026, 1, 1)) == Decimal(1)


@pytest.mark.parametrize("payment,season,house_meter,expected", [
    ("season", True, False, "area_norm"),
    ("season", True, True, "house_share"),
    ("season", False, False, "fixed"),
    ("season", False, True, "fixed"),
    ("evenly", True, False, "area_norm"),
    ("evenly", False, False, "area_norm"),
])
def test_heating_method_follows_payment_mode_season_and_house_meter(
        book, payment, season, house_meter, expected):
    fact = {"service": "heating", "heating_payment": payment, "heating_season": season,
            "house_heat_meter": house_meter}
    (rule_id,) = winners(book.methods, fact)
    assert book.by_id(rule_id).method == expected


@pytest.mark.parametrize("service,method", [
    ("maintenance", "area"), ("capital_repair", "area"), ("solid_waste", "norm"),
    ("intercom", "fixed"),
])
def test_housing_and_other_services_have_one_method_each(book, service, method):
    (rule_id,) = winners(book.methods, {"service": service})
    assert book.by_id(rule_id).method == method


def test_every_service_part_has_exactly_one_tariff(book):
    for service in book.services.values():
        for component in [c.id for c in service.components] or [None]:
            for zone in sorted(service.all_zones) or [None]:
                fact = {"service": service.id}
                fact.update({k: v for k, v in (("component", component), ("zone", zone)) if v})
                assert len(winners(book.tariffs, fact)) == 1, fact


@pytest.mark.parametrize("service,component,amenities", [
    ("cold_water", None, "full"), ("cold_water", None, "no_bath"),
    ("cold_water", None, "no_hot_water"), ("hot_water", "water", "full"),
    ("hot_water", "water", "no_bath"), ("hot_water", "heat", "full"),
    ("gas", None, "full"), ("gas", None, "no_hot_water"), ("electricity", None, "full"),
    ("solid_waste", None, "no_bath"),
])
def test_each_norm_situation_has_exactly_one_norm(book, service, component, amenities):
    fact = {"service": service, "amenities": amenities}
    if component:
        fact["component"] = component
    assert len(winners(book.norms, fact)) == 1


def test_tariff_values_change_on_their_effective_dates(book):
    tariff = book.by_id("cold_water.vodokanal")
    assert tariff.values.at(date(2025, 6, 30)) == Decimal("48.72")
    assert tariff.values.at(date(2025, 7, 1)) == Decimal("52.84")
    assert tariff.values.at(date(2026, 9, 30)) == Decimal("53.74")
    assert tariff.values.at(date(2026, 10, 1)) == Decimal("59.06")
    assert tariff.values.at(date(2024, 6, 30)) is None


def test_every_rule_knows_its_file_and_line(book):
    rule = book.by_id("water.by_meter")
    assert rule.file == "methods/water.yaml"
    text = (RULES_DIR / rule.file).read_text(encoding="utf-8").splitlines()
    assert "id: water.by_meter" in text[rule.line - 1]


def test_the_facts_catalogue_is_described_for_the_api():
    described = {d["name"]: d for d in describe()}
    assert described["meter"]["values"] == ["absent", "working", "failed", "expired"]
    assert described["zones"]["minimum"] == 1 and described["zones"]["maximum"] == 3
    assert all(d["description"] for d in described.values())
