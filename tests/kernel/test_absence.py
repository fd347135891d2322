"""Recalculation for temporary absence (ПП РФ №354, п. 86–98; REFERENCE 1.6)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.extras import ExtrasInput, extra_lines
from zhkh.kernel.calc.extras.absence import counted_days
from zhkh.kernel.calc.extras.models import Absence
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


def situation(period: str = "2026-06", installable: bool = False) -> Situation:
    services = [
        {"service": "cold_water", "provider": "vodokanal", "meter_installable": installable},
        {"service": "hot_water", "provider": "teplo", "meter_installable": installable},
        {"service": "wastewater", "provider": "vodokanal"},
        {"service": "solid_waste", "provider": "regoperator"},
        {"service": "heating", "provider": "teplo"},
    ]
    return Situation.model_validate({
        "period": period,
        "accounts": [{
            "number": "1", "area": "54.0", "services": services,
            "residents": [{"person": "A", "from": "2020-01-01"},
                          {"person": "B", "from": "2020-01-01"}],
        }],
    })


def charge(service: str, amount: str, *, method: str = "norm", persons: int | None = 2,
           volume: str = "9.8", tariff: str = "48.72", component: str | None = None,
           start: str = "2026-06-01", end: str = "2026-06-30", unit: str = "м³") -> Line:
    return Line(
        account="1", service=service, component=component, provider="p", period=start[:7],
        date_from=start, date_to=end, method=method, rule_ids=["x"], source="ПП РФ №354",
        volume=volume, unit=unit, tariff=tariff, coefficient="1", persons=persons,
        norm="4.9" if method == "norm" else None, amount=amount, excess="0.00", explain="",
    )


def away(start: str, end: str, person: str = "A", documents: bool = True) -> ExtrasInput:
    return ExtrasInput(absences=[Absence.model_validate(
        {"account": "1", "person": person, "from": start, "to": end, "documents": documents})])


def by_service(lines: list[Line]) -> dict[str, Line]:
    return {x.service: x for x in lines}


class TestReferenceExample:
    """REFERENCE 1.6: 2 residents, norm 4.9, tariff 48.72; away 05.06–20.06 → 14 days."""

    def test_cold_water_by_norm_is_recalculated_for_fourteen_days(self, book):
        base = [charge("cold_water", "477.46")]
        out = by_service(extra_lines(situation(), base, away("2026-06-05", "2026-06-20"),
                                     book, None))
        line = out["cold_water"]
        assert line.amount == "-111.41"
        assert line.kind == "recalculation"
        assert (line.date_from, line.date_to) == ("2026-06-06", "2026-06-19")
        assert "14" in line.explain and "п. 86" in line.explain
        assert line.rule_ids == ["absence.by_norm"]

    def test_solid_waste_is_recalculated_per_person(self, book):
        base = [charge("solid_waste", "241.00", volume="0.3666", tariff="657.42")]
        out = by_service(extra_lines(situation(), base, away("2026-06-05", "2026-06-20"),
                                     book, None))
        assert out["solid_waste"].amount == "-56.23"  # 120.50 × 14/30


class TestConditions:
    def test_an_absence_of_exactly_five_full_days_is_not_recalculated(self, book):
        base = [charge("cold_water", "477.46")]
        assert extra_lines(situation(), base, away("2026-06-05", "2026-06-11"), book, None) == []

    def test_an_absence_of_six_full_days_is_recalculated(self, book):
        base = [charge("cold_water", "477.46")]
        out = extra_lines(situation(), base, away("2026-06-05", "2026-06-12"), book, None)
        assert [x.amount for x in out] == ["-47.75"]  # 477.46 × 6 / 60 = 47.746

    def test_without_the_no_meter_act_water_is_not_recalculated_but_solid_waste_is(self, book):
        base = [charge("cold_water", "477.46"), charge("solid_waste", "241.00")]
        out = extra_lines(situation(installable=True), base,
                          away("2026-06-05", "2026-06-20"), book, None)
        assert [x.service for x in out] == ["solid_waste"]

    def test_heating_and_metered_water_are_never_recalculated(self, book):
        base = [charge("heating", "2381.82", method="area_norm", persons=None, unit="Гкал"),
                charge("hot_water", "900.00", method="meter", persons=None, component="water")]
        assert extra_lines(situation(), base, away("2026-06-05", "2026-06-20"), book, None) == []

    def test_without_documents_nothing_is_recalculated(self, book):
        base = [charge("cold_water", "477.46")]
        out = extra_lines(situation(), base, away("2026-06-05", "2026-06-20", documents=False),
                          book, None)
        assert out == []

    def test_an_absence_from_the_previous_month_counts_only_days_of_this_period(self, book):
        base = [charge("cold_water", "477.46")]
        out = extra_lines(situation(), base, away("2026-05-20", "2026-06-10"), book, None)
        assert (out[0].date_from, out[0].date_to) == ("2026-06-01", "2026-06-09")
        assert out[0].amount == "-71.62"  # 477.46 × 9 / 60 = 71.619

    def test_an_unknown_person_is_an_error_naming_the_account(self, book):
        with pytest.raises(CalculationError) as err:
            extra_lines(situation(), [charge("cold_water", "477.46")],
                        away("2026-06-05", "2026-06-20", person="Z"), book, None)
        assert err.value.code == "absence_unknown_person" and err.value.account == "1"


class TestWastewater:
    def test_wastewater_follows_the_recalculated_volume_of_its_sources(self, book):
        base = [
            charge("cold_water", "477.46"),
            charge("hot_water", "350.78", volume="7.2", tariff="48.72", component="water"),
            charge("wastewater", "600.00", method="derived", persons=None, volume="17",
                   tariff="35.294118"),
        ]
        out = by_service(extra_lines(situation(), base, away("2026-06-05", "2026-06-20"),
                                     book, None))
        # recalculated volume: (9.8 + 7.2) × 14/60 = 3.966667 of 17 m³ → 600 × 14/60 = 140.00
        assert out["wastewater"].amount == "-140.00"
        assert out["hot_water"].amount == "-81.85"  # 350.78 × 14/60 = 81.849


class TestTravelDaysSetting:
    def test_counting_travel_days_adds_the_departure_and_return_days(self, book):
        rules = tuple(r.model_copy(update={"exclude_travel_days": False})
                      for r in book.rules("absence"))
        kinds = {**book.kind_rules, "absence": rules}
        other = Rulebook(version="t", source_dir=None, services=book.services, kind_rules=kinds)
        out = extra_lines(situation(), [charge("cold_water", "477.46")],
                          away("2026-06-05", "2026-06-20"), other, None)
        assert (out[0].date_from, out[0].date_to) == ("2026-06-05", "2026-06-20")
        assert out[0].amount == "-127.32"  # 477.46 × 16 / 60 = 127.322


@settings(max_examples=60, deadline=None)
@given(start=st.dates(date(2026, 5, 1), date(2026, 7, 10)), length=st.integers(0, 60),
       amount=st.integers(1, 10**7))
def test_absence_days_never_include_departure_or_return_and_never_exceed_the_charge(
        start, length, amount):
    book = shipped()
    end = start + timedelta(days=length)
    counted = counted_days(Absence.model_validate(
        {"account": "1", "person": "A", "from": start.isoformat(), "to": end.isoformat()}), True)
    assert start not in counted and end not in counted
    assert len(counted) == max(0, length - 1)
    base = [charge("cold_water", f"{Decimal(amount) / 100:.2f}")]
    out = extra_lines(situation(), base, away(start.isoformat(), end.isoformat()), book, None)
    for line in out:
        assert date.fromisoformat(line.date_from) > start
        assert date.fromisoformat(line.date_to) < end
        assert Decimal(0) > Decimal(line.amount) >= -Decimal(base[0].amount)


def test_the_shipped_absence_rules_never_name_heating_or_housing_services(book):
    from zhkh.kernel.rulebook.base import named_values
    named = {s for r in book.rules("absence") for s in named_values(r.condition, "service")}
    assert named and not named & {"heating", "maintenance", "capital_repair"}


class TestTheTwoReadingsOfTheAmount:
    """`amount: charged_share` (default) vs `amount: formula` (REFERENCE 1.6: N × T × d/D)."""

    def _book(self, book: Rulebook, reading: str) -> Rulebook:
        rules = tuple(r.model_copy(update={"amount": reading}) for r in book.rules("absence"))
        return Rulebook(f"{book.version}+{reading}", book.source_dir, book.services,
                        {**book.kind_rules, "absence": rules})

    def test_they_agree_on_the_reference_example(self, book):
        base = [charge("cold_water", "477.46")]
        for reading in ("charged_share", "formula"):
            out = extra_lines(situation(), base, away("2026-06-05", "2026-06-20"),
                              self._book(book, reading), None)
            assert out[0].amount == "-111.41"

    def test_they_can_differ_by_a_kopeck(self, book):
        # 2 × 4,9 × 40,03 = 392,294 → 392,29 charged; share of the charge:
        # 392,29 × 14/60 = 91,5343… → 91,53; formula: 4,9 × 14/30 × 40,03 = 91,5353… → 91,54
        base = [charge("cold_water", "392.29", tariff="40.03")]
        got = {
            reading: extra_lines(situation(), base, away("2026-06-05", "2026-06-20"),
                                 self._book(book, reading), None)[0]
            for reading in ("charged_share", "formula")
        }
        assert got["charged_share"].amount == "-91.53"
        assert got["formula"].amount == "-91.54"
        assert "× 40,03 ₽/м³" in got["formula"].explain


class TestLongAbsences:
    """Issue 14, defect 4: an absence is measured by day arithmetic; only the days of the
    charge line are ever listed, however long the absence."""

    def test_a_seventy_five_year_absence_lists_no_day_outside_the_line(self, book, monkeypatch):
        from zhkh.kernel.calc.extras import absence as module
        from zhkh.kernel.calc.extras import context

        listed: list[int] = []
        real = context.days

        def counting(start: date, end: date) -> list[date]:
            listed.append((end - start).days + 1)
            return real(start, end)

        monkeypatch.setattr(module, "days", counting)
        monkeypatch.setattr(context, "days", counting)
        base = [charge("cold_water", "477.46")]
        out = extra_lines(situation(), base, away("2025-01-01", "2099-12-31"), book, None)
        assert [x.amount for x in out] == ["-238.73"]  # the whole month for one of two
        assert max(listed) <= 31

    def test_counted_days_are_clipped_to_the_window_asked(self):
        absence = Absence.model_validate({"account": "1", "person": "A", "from": "1900-01-01",
                                          "to": "2099-12-31"})
        june = counted_days(absence, True, (date(2026, 6, 1), date(2026, 6, 30)))
        assert (len(june), june[0], june[-1]) == (30, date(2026, 6, 1), date(2026, 6, 30))
