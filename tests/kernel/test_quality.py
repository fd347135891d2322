"""Quality reductions (ПП РФ №354, прил. 1; REFERENCE 1.7)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.extras import ExtrasInput, extra_lines
from zhkh.kernel.calc.extras.models import Incident
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


def situation() -> Situation:
    services = [{"service": s, "provider": "p"} for s in
                ("cold_water", "hot_water", "heating", "solid_waste", "maintenance")]
    return Situation.model_validate({
        "period": "2026-01",
        "accounts": [{"number": n, "area": "50", "services": services,
                      "residents": [{"person": "A", "from": "2020-01-01"}]} for n in ("1", "2")],
    })


def charge(service: str, amount: str, account: str = "1", component: str | None = None) -> Line:
    return Line(
        account=account, service=service, component=component, provider="p", period="2026-01",
        date_from="2026-01-01", date_to="2026-01-31", method="meter", rule_ids=["x"],
        source="ПП РФ №354", volume="1", unit="м³", tariff=amount, coefficient="1",
        amount=amount, excess="0.00", explain="",
    )


def incident(service: str, kind: str, start: str, hours: float | int, magnitude: str | None = None,
             accounts: list[str] | None = None) -> Incident:
    begin = datetime.fromisoformat(start)
    data = {"service": service, "kind": kind, "start": begin.isoformat(),
            "end": (begin + timedelta(hours=hours)).isoformat(), "magnitude": magnitude}
    if accounts:
        data |= {"scope": "premises", "accounts": accounts}
    return Incident.model_validate(data)


def run(book, base: list[Line], *incidents: Incident) -> list[Line]:
    return extra_lines(situation(), base, ExtrasInput(incidents=list(incidents)), book, None)


class TestReferenceExamples:
    def test_hot_water_interruption_of_20_hours_reduces_by_12_excess_hours(self, book):
        out = run(book, [charge("hot_water", "1000.00", component="water"),
                         charge("hot_water", "234.56", component="heat")],
                  incident("hot_water", "interruption", "2026-01-10T08:00", 20, accounts=["1"]))
        assert [x.amount for x in out] == ["-22.22"]  # 1 234.56 × 12 × 0.15 %
        assert out[0].kind == "quality_reduction" and out[0].volume == "1.8"
        assert "12 ч" in out[0].explain and "прил. 1, п. 4" in out[0].explain

    def test_heating_two_degrees_below_norm_for_72_hours_is_21_6_percent(self, book):
        out = run(book, [charge("heating", "2381.82")],
                  incident("heating", "temperature", "2026-01-05T00:00", 72, "2", ["1"]))
        assert [(x.amount, x.volume) for x in out] == [("-514.47", "21.6")]

    def test_hot_water_one_full_three_degree_step_for_100_hours_is_10_percent(self, book):
        out = run(book, [charge("hot_water", "603.27", component="water")],
                  incident("hot_water", "temperature", "2026-01-05T00:00", 100, "6", ["1"]))
        assert [x.amount for x in out] == ["-60.33"]

    def test_a_partial_three_degree_step_is_not_counted_with_the_floor_setting(self, book):
        out = run(book, [charge("hot_water", "603.27", component="water")],
                  incident("hot_water", "temperature", "2026-01-05T00:00", 100, "8", ["1"]))
        assert [x.amount for x in out] == ["-60.33"]  # 5 °C beyond 3 → 1 full step


class TestLimits:
    def test_an_interruption_within_the_permitted_hours_reduces_nothing(self, book):
        out = run(book, [charge("cold_water", "500.00")],
                  incident("cold_water", "interruption", "2026-01-10T08:00", 8, accounts=["1"]))
        assert out == []

    def test_interruptions_of_the_month_are_summed_before_the_permitted_total(self, book):
        out = run(book, [charge("cold_water", "500.00")],
                  incident("cold_water", "interruption", "2026-01-10T08:00", 6, accounts=["1"]),
                  incident("cold_water", "interruption", "2026-01-20T08:00", 6, accounts=["1"]))
        assert [x.amount for x in out] == ["-3.00"]  # 4 h × 0.15 % × 500

    def test_pressure_far_off_removes_the_fee_of_the_days_touched(self, book):
        out = run(book, [charge("cold_water", "310.00")],
                  incident("cold_water", "pressure", "2026-01-10T20:00", 10, "40", ["1"]))
        assert [x.amount for x in out] == ["-20.00"]  # 2 days of 31 → 310 × 2/31

    def test_solid_waste_delay_counts_whole_days_beyond_72_hours(self, book):
        out = run(book, [charge("solid_waste", "241.00")],
                  incident("solid_waste", "tko_delay", "2026-01-03T00:00", 130, accounts=["1"]))
        assert [x.amount for x in out] == ["-15.91"]  # 58 h → 2 × 24 h × 3.3 % = 6.6 %

    def test_a_house_incident_reaches_every_account_with_the_service(self, book):
        out = run(book, [charge("heating", "1000.00", "1"), charge("heating", "2000.00", "2")],
                  incident("heating", "interruption", "2026-01-05T00:00", 34))
        assert sorted(x.amount for x in out) == ["-15.00", "-30.00"]

    def test_an_incident_without_a_rule_is_an_error_naming_the_service(self, book):
        with pytest.raises(CalculationError) as err:
            run(book, [charge("maintenance", "1000.00")],
                incident("maintenance", "interruption", "2026-01-05T00:00", 34, accounts=["1"]))
        assert err.value.code == "no_quality_rule" and err.value.service == "maintenance"

    def test_the_media_reading_of_one_percent_per_step_is_a_rule_setting(self, book):
        rules = tuple(r.model_copy(update={"percent": r.percent.parse({"2012-09-01": "1"})})
                      if r.id == "quality.hot_water.temperature" else r
                      for r in book.rules("quality"))
        other = Rulebook(version="t", source_dir=None, services=book.services,
                         kind_rules={**book.kind_rules, "quality": rules})
        out = run(other, [charge("hot_water", "603.27", component="water")],
                  incident("hot_water", "temperature", "2026-01-05T00:00", 10, "6", ["1"]))
        assert [x.amount for x in out] == ["-60.33"]  # 10 h × 1 step × 1 %


@settings(max_examples=60, deadline=None)
@given(fee=st.integers(1, 10**8), hours=st.integers(1, 24 * 40),
       kind=st.sampled_from(["interruption", "temperature", "pressure", "unsafe"]),
       magnitude=st.integers(0, 60), repeat=st.integers(1, 3))
def test_a_reduction_never_exceeds_the_charge(fee, hours, kind, magnitude, repeat):
    amount = f"{Decimal(fee) / 100:.2f}"
    incidents = [incident("hot_water", kind, "2025-12-25T00:00", hours, str(magnitude), ["1"])
                 for _ in range(repeat)]
    out = run(shipped(), [charge("hot_water", amount, component="water")], *incidents)
    total = sum(Decimal(x.amount) for x in out)
    assert -Decimal(amount) <= total <= 0


class TestRuleSelection:
    def test_an_engine_that_knows_the_kind_decides_which_rules_match(self, book):
        class NoMatch:
            def matching(self, kind, fact):
                return ()

        with pytest.raises(CalculationError) as err:
            extra_lines(situation(), [charge("heating", "1000.00")], ExtrasInput(incidents=[
                incident("heating", "interruption", "2026-01-05T00:00", 34, accounts=["1"])]),
                book, NoMatch())
        assert err.value.code == "no_quality_rule"

    def test_an_engine_built_without_the_kind_falls_back_to_the_reference_semantics(self, book):
        class OnlyCharges:
            def matching(self, kind, fact):
                raise KeyError(kind)

        out = extra_lines(situation(), [charge("heating", "1000.00")], ExtrasInput(incidents=[
            incident("heating", "interruption", "2026-01-05T00:00", 34, accounts=["1"])]),
            book, OnlyCharges())
        assert [x.amount for x in out] == ["-15.00"]

    def test_a_temperature_rule_without_a_degree_step_is_refused(self):
        from pydantic import ValidationError

        from zhkh.kernel.rulebook.kinds.quality import Rule
        with pytest.raises(ValidationError, match="step_degrees"):
            Rule.model_validate({"id": "q.x", "title": "Т", "source": "и", "incident":
                                 "temperature", "when": {"service": "heating"},
                                 "percent": "0.15"})
