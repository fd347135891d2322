"""Heating paid evenly over the year (ПП РФ №354, прил. 2, ф. 2(1)): the published norm × the
months of the heating season / 12 from the calendar of ``rules/facts/``, on both paths; norms
published with up to nine decimals, kept to the digit."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.columnar import FactColumns, calculate_columns
from zhkh.kernel.calc.columnar_rows import to_lines
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.fact_rules import heating_season_months
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import RulebookError, load_rulebook
from zhkh.kernel.rulebook.overrides import rulebook_from_overrides
from zhkh.rules import RULES_DIR

SEASON_FILE = Path("facts") / "heating_season.yaml"


@pytest.fixture(scope="module")
def book():
    rulebook = load_rulebook(RULES_DIR)
    return rulebook, engine_for(rulebook)


def _rules_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    edit(folder)
    return folder


def _early_start(folder: Path) -> None:
    """A local act starts the 2026–2027 season on 28 September 2026 (one more month in 2026)."""
    path = folder / SEASON_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(
        '        2025-10-06: "иллюстративно: постановление администрации о начале отопительного '
        'периода 2025–2026"\n',
        '        2025-10-06: "иллюстративно: постановление администрации о начале отопительного '
        'периода 2025–2026"\n'
        '        2026-09-28: "иллюстративно: постановление о раннем начале сезона 2026–2027"\n'),
        encoding="utf-8")


def _situation(period: str, *, heat_meter: bool = False, area: str = "54.3",
               overrides: dict | None = None, **house) -> Situation:
    return Situation.model_validate({
        "period": period, "overrides": overrides or {},
        "house": {"heat_meter": heat_meter, "heating_payment": "evenly", **house},
        "accounts": [{"number": "A1", "area": area,
                      "services": [{"service": "heating", "provider": "teploset"}]}]})


def _columns(period: Period, *, heat_meter: bool = False) -> FactColumns:
    """The same fact as :func:`_situation` as the monthly run's columns."""
    one = np.zeros(1, np.int32)
    return FactColumns(
        period=period, account=np.array([1], np.int64),
        codes={k: one for k in ("service", "provider", "house_type", "heating_payment",
                                "premises_kind", "amenities")},
        vocab={"service": ["heating"], "provider": ["teploset"],
               "house_type": ["apartment_building"], "heating_payment": ["evenly"],
               "premises_kind": ["flat"], "amenities": ["full"]},
        flags={"meter_installable": np.ones(1, bool),
               "house_heat_meter": np.full(1, heat_meter, bool)},
        refusals=np.zeros(1, np.int32), area=np.array([54_300_000]), persons=np.ones(1),
        house_total=np.zeros(1, np.int64), house_volume=np.full(1, -1),
        has_meter=np.zeros(1, bool), verified=np.full(1, 10**6), capacity=np.zeros(1, np.int64),
        last_back=np.zeros(1, np.int64), zoneset=np.zeros(1, np.int32), zonesets=[("single",)],
        z_fact=np.zeros(0, np.int32), z_pos=np.zeros(0, np.int32),
        z_prev=np.zeros(0, np.int64), z_cur=np.zeros(0, np.int64),
        z_hist=np.zeros((0, 12), np.int64))


def _both_paths(rulebook, engine, period: Period, *, heat_meter: bool = False):
    (situation_line,) = calculate(_situation(str(period), heat_meter=heat_meter),
                                  rulebook, engine).lines
    cols = _columns(period, heat_meter=heat_meter)
    (run_line,) = to_lines(cols, calculate_columns(cols, rulebook, engine), {1: "A1"})
    assert run_line.model_dump() == situation_line.model_dump()
    return situation_line


def _with_overrides(sit: Situation, rulebook):
    """What ``POST /v1/calculate`` does with a situation's overrides."""
    book = rulebook_from_overrides(rulebook, sit.overrides.tariffs, sit.overrides.norms)
    return calculate(sit, book, engine_for(book))


class TestTheSeasonCoefficientComesFromTheCalendar:
    @pytest.mark.parametrize("heat_meter", [False, True])
    @pytest.mark.parametrize(("period", "tariff"), [
        (Period(2025, 11), "2345.67"), (Period(2026, 7), "2385.55")])
    def test_both_paths_charge_the_published_norm_times_seven_twelfths(
            self, book, heat_meter, period, tariff):
        line = _both_paths(*book, period, heat_meter=heat_meter)
        # 54,3 × 0,0187 × 7/12 = 0,5923225 → 0,592323 Гкал, in season and in summer alike
        assert (line.method, line.volume, line.tariff) == ("area_norm", "0.592323", tariff)
        expected = (Decimal("0.592323") * Decimal(tariff)).quantize(Decimal("0.01"),
                                                                    rounding="ROUND_HALF_UP")
        assert Decimal(line.amount) == expected  # 1 389,39 and 1 413,02
        assert ("54,3 м² × 0,0187 Гкал/м²·мес × 7/12 (мес. отопительного периода / 12) "
                "= 0,592323 Гкал") in line.explain
        assert "2(1))" in line.explain and line.coefficient == "1"  # the formula named

    def test_an_act_starting_the_season_in_september_gives_eight_twelfths_in_that_year(
            self, tmp_path):
        rulebook = load_rulebook(_rules_copy(tmp_path, _early_start))
        engine = engine_for(rulebook)
        months = {p: heating_season_months(rulebook, Period.parse(p),
                                           house_type="apartment_building", heat_meter=False,
                                           heating_payment="evenly")
                  for p in ("2025-12", "2026-03", "2026-12", "2027-01")}
        assert months == {"2025-12": 7, "2026-03": 8, "2026-12": 8, "2027-01": 7}
        line = _both_paths(rulebook, engine, Period(2026, 7))
        # 54,3 × 0,0187 × 8/12 = 0,67694 Гкал × 2 385,55 = 1 614,8742 → 1 614,87
        assert (line.volume, line.amount) == ("0.67694", "1614.87")
        assert "× 8/12" in line.explain

    def test_a_situation_may_state_the_months_itself(self, book):
        (line,) = calculate(_situation("2026-07", heating_season_months=6), *book).lines
        # 54,3 × 0,0187 × 6/12 = 0,507705 Гкал × 2 385,55 = 1 211,1558 → 1 211,16
        assert (line.volume, line.amount) == ("0.507705", "1211.16")

    def test_without_a_calendar_the_rule_asking_for_the_coefficient_is_an_error(
            self, tmp_path):
        def drop_calendar(folder: Path) -> None:
            (folder / SEASON_FILE).unlink()
            path = folder / "methods" / "heating.yaml"
            text = path.read_text(encoding="utf-8")
            # without a calendar no rule may read heating_season: keep only the evenly ones
            start = text.index("  - id: heating.by_area_norm\n")
            path.write_text(text[:start] + text[text.index("  # ф. 2(1)"):],
                            encoding="utf-8")
        rulebook = load_rulebook(_rules_copy(tmp_path, drop_calendar))
        with pytest.raises(CalculationError) as caught:
            calculate(_situation("2026-07"), rulebook, engine_for(rulebook))
        assert caught.value.code == "no_heating_season"
        assert "heating.by_area_norm_evenly" in str(caught.value)


class TestNormsAsPublished:
    def test_a_norm_with_nine_decimals_is_kept_to_the_digit(self, book):
        sit = _situation("2026-07", area="1000",
                         overrides={"norms": {"heating.norm": "0.020612345"}})
        (line,) = _with_overrides(sit, book[0]).lines
        # 1 000 × 0,020612345 × 7/12 = 12,02386791(6) → 12,023868 Гкал × 2 385,55
        #   = 28 683,54 (rounded to 0,020612 first it would be 12,023667 Гкал → 28 683,06)
        assert (line.volume, line.amount) == ("12.023868", "28683.54")
        assert "× 0,020612345 Гкал/м²·мес × 7/12" in line.explain

    def test_a_norm_with_ten_decimals_is_refused_naming_the_digits(self):
        with pytest.raises(ValidationError, match="больше 9 знаков"):
            _situation("2026-07", overrides={"norms": {"heating.norm": "0.0206123451"}})

    def test_areas_keep_the_six_decimal_limit(self):
        with pytest.raises(ValidationError, match="больше 6 знаков"):
            _situation("2026-07", area="54.1234567")

    def test_a_rule_file_norm_with_ten_decimals_is_refused_at_load(self, tmp_path):
        def ten(folder: Path) -> None:
            path = folder / "norms" / "heating.yaml"
            path.write_text(path.read_text(encoding="utf-8").replace(
                '"0.0187"', '"0.0187000001"'), encoding="utf-8")
        with pytest.raises(RulebookError) as caught:
            load_rulebook(_rules_copy(tmp_path, ten))
        (problem,) = caught.value.problems
        assert (problem.rule_id, problem.field) == ("heating.norm", "values.2017-06-01")
        assert "больше 9 знаков" in problem.message and "heating.yaml" in problem.file

    def test_a_per_person_norm_with_nine_decimals_is_kept_on_both_lines_and_explain(self, book):
        sit = Situation.model_validate({
            "period": "2026-07", "overrides": {"norms": {"cold_water.norm.full": "4.123456789"}},
            "accounts": [{"number": "A1", "area": "40",
                          "residents": [{"person": "p1", "from": "2020-01-01"},
                                        {"person": "p2", "from": "2020-01-01"}],
                          "services": [{"service": "cold_water", "provider": "vodokanal",
                                        "meter_installable": False}]}]})
        (line,) = _with_overrides(sit, book[0]).lines
        # 2 × 4,123456789 = 8,246913578 → 8,246914 м³
        assert (line.volume, line.norm) == ("8.246914", "4.123456789")
        assert "2 чел × 4,123456789 м³" in line.explain
