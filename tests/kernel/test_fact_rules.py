"""Fact rules (``rules/facts/``): the heating-season calendar and the counting of refusal acts —
their loading errors, their meaning, and how a calculation takes them from the rulebook."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.fact_rules import access_refusals, heating_season, with_derived_facts
from zhkh.kernel.calc.situation import AccountService, Situation
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Problem, RulebookError, load_rulebook
from zhkh.kernel.rulebook.kinds.facts import AccessRefusals, HeatingSeason
from zhkh.rules import RULES_DIR

SERVICES = """\
services:
  heating:
    title: Отопление
    unit: Гкал
"""
TARIFF = """\
tariffs:
  - id: heating.teploset
    title: Тепло
    source: иллюстративно
    service: heating
    unit: руб/Гкал
    values: {2020-01-01: "2000"}
"""
METHODS = """\
methods:
  - id: heating.in_season
    title: В сезон
    source: ф. 2
    when: {service: heating, heating_season: true}
    then: {method: area}
  - id: heating.off_season
    title: Вне сезона
    source: п. 42(1)
    when: {service: heating, heating_season: false}
    then: {method: fixed, quantity: "0"}
"""
SEASON = """\
facts:
  - id: facts.season
    title: Отопительный период
    source: п. 5
    heating_season:
      usual: {first_day: "10-01", last_day: "04-30"}
      starts: {2025-10-06: "постановление №1"}
      ends: {2026-04-20: "постановление №2"}
"""


def write_rules(root: Path, **files: str) -> Path:
    base = {"services.yaml": SERVICES, "tariffs/heat.yaml": TARIFF,
            "methods/heating.yaml": METHODS, "facts/season.yaml": SEASON}
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def only(root: Path) -> Problem:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(root)
    (problem,) = caught.value.problems
    return problem


def season(**fields) -> HeatingSeason:
    return HeatingSeason.model_validate({"usual": {"first_day": "10-01", "last_day": "04-30"},
                                         **fields})


class TestTheCalendar:
    def test_a_month_with_one_heating_day_is_in_the_season(self):
        # the act starts the season on 31 October: October has one heating day
        cal = season(starts={date(2027, 10, 31): "акт"})
        assert cal.in_season(Period(2027, 10))
        assert not cal.in_season(Period(2027, 9))

    def test_a_season_starting_on_the_first_of_november_leaves_october_out(self):
        cal = season(starts={date(2027, 11, 1): "акт"})
        assert not cal.in_season(Period(2027, 10))
        assert cal.in_season(Period(2027, 11))

    def test_an_end_act_replaces_the_usual_last_day_of_its_year_only(self):
        cal = season(ends={date(2026, 5, 12): "акт"})
        assert cal.last_day(2026) == date(2026, 5, 12)
        assert cal.in_season(Period(2026, 5))
        assert not cal.in_season(Period(2027, 5))
        assert cal.last_day(2027) == date(2027, 4, 30)  # 2027: the usual 30 April

    def test_without_acts_the_usual_days_hold_every_year(self):
        cal = season()
        for year in (2012, 2026, 2040):
            months = [m for m in range(1, 13) if cal.in_season(Period(year, m))]
            assert months == [1, 2, 3, 4, 10, 11, 12]

    def test_the_shipped_calendar_keeps_the_months_october_to_april(self):
        rule = load_rulebook(RULES_DIR).by_id("facts.heating_season")
        for year in range(2012, 2036):
            months = [m for m in range(1, 13) if rule.heating_season.in_season(Period(year, m))]
            assert months == [1, 2, 3, 4, 10, 11, 12], year


class TestCountingRefusals:
    ACTS = (date(2025, 3, 10), date(2026, 9, 14), date(2026, 10, 5))

    def test_from_the_next_month_an_act_of_the_period_does_not_count_yet(self):
        counting = AccessRefusals(counts_from="next_month")
        assert counting.count(self.ACTS, Period(2026, 10)) == 2  # 10.03.2025, 14.09.2026
        assert counting.count(self.ACTS, Period(2026, 11)) == 3

    def test_from_the_act_month_it_counts_at_once(self):
        counting = AccessRefusals(counts_from="act_month")
        assert counting.count(self.ACTS, Period(2026, 10)) == 3
        assert counting.count(self.ACTS, Period(2026, 9)) == 2

    def test_a_window_drops_acts_older_than_its_months(self):
        # 12 months ending with September 2026 (next_month for October): 2025-10 … 2026-09
        counting = AccessRefusals.model_validate({"window_months": {"2020-07-01": "12"}})
        assert counting.count(self.ACTS, Period(2026, 10)) == 1
        assert counting.count([date(2025, 10, 1), date(2025, 9, 30)], Period(2026, 10)) == 1


class TestLoading:
    def test_the_minimal_folder_with_a_calendar_loads(self, tmp_path):
        book = load_rulebook(write_rules(tmp_path))
        assert [r.id for r in book.rules("facts")] == ["facts.season"]

    def test_a_bad_day_of_year_names_the_field(self, tmp_path):
        text = SEASON.replace('first_day: "10-01"', 'first_day: "02-29"')
        p = only(write_rules(tmp_path, **{"facts/season.yaml": text}))
        assert (p.file, p.line, p.rule_id, p.field) == (
            "facts/season.yaml", 6, "facts.season", "heating_season.usual.first_day")
        assert "ММ-ДД" in p.message and "29 февраля" in p.message

    def test_a_usual_season_not_crossing_new_year_is_refused(self, tmp_path):
        text = SEASON.replace('last_day: "04-30"', 'last_day: "10-15"')
        p = only(write_rules(tmp_path, **{"facts/season.yaml": text}))
        assert (p.rule_id, p.field) == ("facts.season", "heating_season.usual.last_day")
        assert "через Новый год" in p.message

    def test_two_starts_in_one_year_point_at_the_second(self, tmp_path):
        text = SEASON.replace('starts: {2025-10-06: "постановление №1"}',
                              'starts:\n        2025-10-06: "№1"\n        2025-10-20: "№3"')
        p = only(write_rules(tmp_path, **{"facts/season.yaml": text}))
        assert (p.line, p.rule_id, p.field) == (9, "facts.season",
                                                "heating_season.starts.2025-10-20")
        assert "в 2025 году уже есть дата 2025-10-06" in p.message

    def test_an_end_after_the_next_start_is_refused(self, tmp_path):
        text = SEASON.replace("2026-04-20", "2026-10-02").replace(
            'starts: {2025-10-06: "постановление №1"}',
            'starts: {2026-10-01: "постановление №1"}')
        p = only(write_rules(tmp_path, **{"facts/season.yaml": text}))
        assert (p.rule_id, p.field) == ("facts.season", "heating_season.ends.2026-10-02")
        assert "кончается 2026-10-02" in p.message

    def test_a_calendar_chosen_by_an_account_attribute_is_refused(self, tmp_path):
        text = SEASON.replace("    source: п. 5\n", "    source: п. 5\n    when: {meter: absent}\n")
        p = only(write_rules(tmp_path, **{"facts/season.yaml": text}))
        assert (p.file, p.rule_id, p.field) == ("facts/season.yaml", "facts.season",
                                                "when.meter")
        assert "только по house_type" in p.message

    def test_a_rule_with_no_section_or_two_sections_is_refused(self, tmp_path):
        text = SEASON + ("    meter_access_refusals: {counts_from: act_month}\n")
        p = only(write_rules(tmp_path, **{"facts/season.yaml": text}))
        assert p.rule_id == "facts.season" and "ровно один раздел" in p.message

    def test_two_calendars_tying_for_a_house_are_refused(self, tmp_path):
        other = SEASON.replace("facts.season", "facts.private").replace(
            "    source: п. 5\n", "    source: п. 5\n    when: {house_type: private}\n")
        p = only(write_rules(tmp_path, **{"facts/private.yaml": other.replace(
            "    when: {house_type: private}\n", "    when: {house_heat_meter: false}\n")}))
        assert p.field == "priority" and "facts.private" in p.message
        assert "facts.season" in p.message

    def test_a_more_specific_calendar_with_priority_wins(self, tmp_path):
        other = SEASON.replace("facts.season", "facts.private").replace(
            "    source: п. 5\n", "    source: п. 5\n    when: {house_type: private}\n"
                             "    priority: 10\n").replace('"10-01"', '"09-15"')
        book = load_rulebook(write_rules(tmp_path, **{"facts/private.yaml": other}))
        sept = Period(2027, 9)
        assert heating_season(book, sept, house_type="private", heat_meter=False,
                              heating_payment="season") is True
        assert heating_season(book, sept, house_type="apartment_building", heat_meter=False,
                              heating_payment="season") is False

    def test_methods_reading_the_season_need_a_calendar_for_every_house(self, tmp_path):
        text = SEASON.replace("    source: п. 5\n",
                              "    source: п. 5\n    when: {house_type: apartment_building}\n")
        p = only(write_rules(tmp_path, **{"facts/season.yaml": text}))
        assert (p.file, p.field) == ("facts/", "heating_season")
        assert "house_type=private" in p.message and "нет календаря" in p.message


COUNTING = """\
facts:
  - id: facts.refusals
    title: Недопуски
    source: 522-ФЗ
    when: {service: heating}
    meter_access_refusals:
      counts_from: next_month
      window_months: {2020-07-01: "12"}
"""


class TestLoadingTheCounting:
    def test_a_valid_counting_loads(self, tmp_path):
        book = load_rulebook(write_rules(tmp_path, **{"facts/refusals.yaml": COUNTING}))
        assert book.by_id("facts.refusals").meter_access_refusals.counts_from == "next_month"

    def test_a_window_of_a_fraction_of_a_month_is_refused(self, tmp_path):
        text = COUNTING.replace('"12"', '"1.5"')
        p = only(write_rules(tmp_path, **{"facts/refusals.yaml": text}))
        assert (p.file, p.rule_id, p.field) == (
            "facts/refusals.yaml", "facts.refusals",
            "meter_access_refusals.window_months.2020-07-01")
        assert "целое число месяцев" in p.message

    def test_an_unknown_start_of_counting_is_refused(self, tmp_path):
        text = COUNTING.replace("counts_from: next_month", "counts_from: someday")
        p = only(write_rules(tmp_path, **{"facts/refusals.yaml": text}))
        assert (p.line, p.rule_id, p.field) == (7, "facts.refusals",
                                                "meter_access_refusals.counts_from")

    def test_counting_chosen_by_a_meter_attribute_is_refused(self, tmp_path):
        text = COUNTING.replace("when: {service: heating}", "when: {meter: absent}")
        p = only(write_rules(tmp_path, **{"facts/refusals.yaml": text}))
        assert p.field == "when.meter" and "только по service" in p.message

    def test_two_countings_for_one_service_at_one_priority_are_refused(self, tmp_path):
        other = COUNTING.replace("facts.refusals", "facts.refusals_all").replace(
            "    when: {service: heating}\n", "")
        p = only(write_rules(tmp_path, **{"facts/refusals.yaml": COUNTING,
                                          "facts/all.yaml": other}))
        assert p.field == "priority" and "service=heating" in p.message


HOUSE = {"heat_meter": False, "heating_payment": "season"}
FLAT = {"number": "1", "area": "50", "services": [{"service": "heating", "provider": "t"}]}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return load_rulebook(write_rules(tmp_path_factory.mktemp("rules")))


@pytest.fixture(scope="module")
def engine(book):
    engine = engine_for(book)
    yield engine
    engine.close()


class TestTheCalculationTakesThemFromTheRules:
    @pytest.mark.parametrize(("period", "method", "amount"), [
        # area 50 × 2000 = 100 000.00 in season; the off-season rule gives quantity 0
        ("2025-09", "fixed", "0.00"), ("2025-10", "area", "100000.00"),
        ("2026-04", "area", "100000.00"), ("2026-05", "fixed", "0.00")])
    def test_a_house_without_a_stated_season_follows_the_calendar(self, book, engine, period,
                                                                  method, amount):
        sit = Situation.model_validate({"period": period, "house": HOUSE, "accounts": [FLAT]})
        (line,) = calculate(sit, book, engine).lines
        assert (line.method, line.amount) == (method, amount)

    def test_a_stated_season_wins_over_the_calendar(self, book, engine):
        sit = Situation.model_validate({"period": "2026-07",
                                        "house": {**HOUSE, "heating_season": True},
                                        "accounts": [FLAT]})
        (line,) = calculate(sit, book, engine).lines
        assert line.method == "area"

    def test_refusal_dates_are_counted_by_the_rule_and_a_count_is_taken_as_given(self):
        book = load_rulebook(RULES_DIR)
        acts = [date(2026, 3, 2), date(2026, 10, 12)]
        assert access_refusals(book, Period(2026, 10), "electricity", acts) == 1
        assert access_refusals(book, Period(2026, 11), "electricity", acts) == 2
        sit = Situation.model_validate({"period": "2026-11", "accounts": [{
            "number": "1", "area": "40", "services": [
                {"service": "electricity", "provider": "e", "access_refusals": acts},
                {"service": "gas", "provider": "g", "meter_access_refusals": 5}]}]})
        (elec, gas) = with_derived_facts(sit, book).accounts[0].services
        assert (elec.meter_access_refusals, gas.meter_access_refusals) == (2, 5)

    def test_a_count_and_dates_together_are_refused(self):
        with pytest.raises(ValueError, match="либо числом"):
            AccountService.model_validate({"service": "electricity", "provider": "e",
                                           "meter_access_refusals": 2,
                                           "access_refusals": ["2026-01-10"]})
