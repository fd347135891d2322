"""Changes inside a month are split by days: a tariff change, residents, a meter replacement."""

import shutil
from decimal import ROUND_HALF_UP, Decimal

import pytest

from zhkh.kernel.calc.calculate import calculate
from zhkh.kernel.calc.decide import engine_for
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR


def kopecks(x: Decimal) -> str:
    return str(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def mid_month_rules(tmp_path_factory):
    """The shipped rules with the October 2026 water indexation moved to 16 October."""
    folder = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(RULES_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = folder / "tariffs" / "water.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2026-10-01:", "2026-10-16:"),
                    encoding="utf-8")
    rulebook = load_rulebook(folder)
    engine = engine_for(rulebook)
    yield rulebook, engine
    engine.close()


def run(situation: dict, rules) -> list:
    rulebook, engine = rules
    return calculate(Situation.model_validate(situation), rulebook, engine).lines


def test_a_tariff_change_on_the_16th_splits_a_meter_volume_by_days(mid_month_rules):
    lines = run({
        "period": "2026-10",
        "accounts": [{"number": "1", "area": "40", "services": [{
            "service": "cold_water", "provider": "v",
            "meters": [{"id": "m", "readings": [{"date": "2026-09-25", "value": "100"},
                                                 {"date": "2026-10-25", "value": "131"}]}]}]}],
    }, mid_month_rules)
    assert [(ln.date_from, ln.date_to) for ln in lines] == [
        ("2026-10-01", "2026-10-15"), ("2026-10-16", "2026-10-31")]
    # 31 m³ × 15/31 = 15 m³ at 53,74; 31 m³ × 16/31 = 16 m³ at 59,06
    assert [ln.volume for ln in lines] == ["15", "16"]
    assert [ln.amount for ln in lines] == [kopecks(15 * Decimal("53.74")),
                                           kopecks(16 * Decimal("59.06"))]
    assert "15/31 дн." in lines[0].explain


def test_a_tariff_change_and_a_new_resident_cut_the_month_at_both_dates(mid_month_rules):
    lines = run({
        "period": "2026-10",
        "accounts": [{"number": "1", "area": "40",
                      "residents": [{"person": "a", "from": "2020-01-01"},
                                    {"person": "b", "from": "2026-10-21"}],
                      "services": [{"service": "cold_water", "provider": "v",
                                    "meter_installable": False}]}],
    }, mid_month_rules)
    assert [(ln.date_from, ln.persons) for ln in lines] == [
        ("2026-10-01", 1), ("2026-10-16", 1), ("2026-10-21", 2)]
    assert sum(int(ln.amount.replace(".", "")) for ln in lines) == sum(
        int(kopecks(v).replace(".", "")) for v in (
            (Decimal("4.9") * 15 / 31).quantize(Decimal("0.000001"), ROUND_HALF_UP)
            * Decimal("53.74"),
            (Decimal("4.9") * 5 / 31).quantize(Decimal("0.000001"), ROUND_HALF_UP)
            * Decimal("59.06"),
            (Decimal("9.8") * 11 / 31).quantize(Decimal("0.000001"), ROUND_HALF_UP)
            * Decimal("59.06"),
        ))


def test_a_meter_replaced_mid_month_charges_both_meters_actual_volumes(mid_month_rules):
    lines = run({
        "period": "2026-09",
        "accounts": [{"number": "1", "area": "40", "services": [{
            "service": "cold_water", "provider": "v",
            "meters": [
                {"id": "old", "removed": "2026-09-12",
                 "readings": [{"date": "2026-08-25", "value": "500"},
                              {"date": "2026-09-12", "value": "504.5"}]},
                {"id": "new", "installed": "2026-09-12",
                 "readings": [{"date": "2026-09-12", "value": "0"},
                              {"date": "2026-09-25", "value": "3.25"}]},
            ]}]}],
    }, mid_month_rules)
    assert [ln.volume for ln in lines] == ["4.5", "3.25"]
    assert [ln.amount for ln in lines] == [kopecks(Decimal("4.5") * Decimal("53.74")),
                                           kopecks(Decimal("3.25") * Decimal("53.74"))]
