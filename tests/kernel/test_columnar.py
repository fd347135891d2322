"""kernel.calc.columnar on hand-built columns equals calculate() on the same situation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel import _compiled
from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.columnar import FactColumns, calculate_columns, day_number
from zhkh.kernel.calc.columnar_rows import to_lines
from zhkh.kernel.calc.explain import num as decimal_num
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.formatting import num, num_python, rub, rub_python
from zhkh.kernel.money import format_rub_ru
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR

PERIOD = Period(2026, 11)
NONE = -1


@pytest.fixture(scope="module")
def book():
    rulebook = load_rulebook(RULES_DIR)
    return rulebook, engine_for(rulebook)


def _situation() -> Situation:
    meter = {"id": "E-1", "zones": ["day", "night"], "verified_until": "2031-12-31",
             "installed": "2020-01-01", "readings": [
                 {"date": "2026-10-20", "value": "100", "zone": "day"},
                 {"date": "2026-10-20", "value": "40", "zone": "night"},
                 {"date": "2026-11-20", "value": "180.5", "zone": "day"},
                 {"date": "2026-11-20", "value": "65", "zone": "night"}]}
    water = {"id": "W-1", "capacity": "100000", "verified_until": "2031-12-31",
             "installed": "2020-01-01", "readings": [
                 {"date": "2026-10-21", "value": "99998.5"},
                 {"date": "2026-11-21", "value": "3.25"}]}
    return Situation.model_validate({
        "period": str(PERIOD),
        "house": {"id": "1", "heat_meter": True, "total_area": "5000",
                  "heating_volume": "80.5", "heating_season": True},
        "accounts": [
            {"number": "A1", "area": "54.3", "owners": 1,
             "residents": [{"person": "p1", "from": "2001-01-01"},
                           {"person": "p2", "from": "2010-05-05"}],
             "services": [
                 {"service": "electricity", "provider": "energosbyt", "meters": [meter]},
                 {"service": "cold_water", "provider": "vodokanal", "meters": [water]},
                 {"service": "hot_water", "provider": "teploset", "meter_installable": True},
                 {"service": "wastewater", "provider": "vodokanal"},
                 {"service": "heating", "provider": "teploset"},
                 {"service": "maintenance", "provider": "uk_dom"}]},
            {"number": "A2", "area": "31", "owners": 1,
             "services": [
                 {"service": "cold_water", "provider": "vodokanal", "meter_installable": False},
                 {"service": "solid_waste", "provider": "regoperator"},
                 {"service": "wastewater", "provider": "vodokanal"}]},
        ]})


def _columns() -> FactColumns:
    services = ["electricity", "cold_water", "hot_water", "wastewater", "heating",
                "maintenance", "cold_water", "solid_waste", "wastewater"]
    providers = ["energosbyt", "vodokanal", "teploset", "vodokanal", "teploset", "uk_dom",
                 "vodokanal", "regoperator", "vodokanal"]
    vs, vp = sorted(set(services)), sorted(set(providers))
    f = len(services)
    acc = np.array([1] * 6 + [2] * 3, dtype=np.int64)
    hist = np.full((3, 12), NONE, dtype=np.int64)
    return FactColumns(
        period=PERIOD, account=acc,
        codes={"service": np.array([vs.index(s) for s in services], np.int32),
               "provider": np.array([vp.index(p) for p in providers], np.int32),
               "house_type": np.zeros(f, np.int32), "heating_payment": np.zeros(f, np.int32),
               "premises_kind": np.zeros(f, np.int32), "amenities": np.zeros(f, np.int32)},
        vocab={"service": vs, "provider": vp, "house_type": ["apartment_building"],
               "heating_payment": ["season"], "premises_kind": ["flat"],
               "amenities": ["full"]},
        flags={"meter_installable": np.array([True] * 6 + [False, True, True]),
               "house_heat_meter": np.ones(f, bool), "heating_season": np.ones(f, bool)},
        refusals=np.zeros(f, np.int32),
        area=np.where(acc == 1, 54_300_000, 31_000_000),
        persons=np.where(acc == 1, 2, 1), house_total=np.full(f, 5_000_000_000),
        house_volume=np.full(f, 80_500_000),
        has_meter=np.array([True, True] + [False] * 7),
        verified=np.full(f, day_number(date(2031, 12, 31))),
        capacity=np.array([0, 100_000_000_000] + [0] * 7, np.int64),
        last_back=np.zeros(f, np.int64), zoneset=np.array([0, 1] + [0] * 7, np.int32),
        zonesets=[("day", "night"), ("single",)],
        z_fact=np.array([0, 0, 1], np.int32), z_pos=np.array([0, 1, 0], np.int32),
        z_prev=np.array([100_000_000, 40_000_000, 99_998_500_000]),
        z_cur=np.array([180_500_000, 65_000_000, 3_250_000]), z_hist=hist)


def test_hand_built_columns_give_the_lines_of_calculate(book):
    rulebook, engine = book
    result = calculate_columns(_columns(), rulebook, engine)
    assert result.slow.tolist() == []
    got = to_lines(_columns(), result, {1: "A1", 2: "A2"})
    expected = calculate(_situation(), rulebook, engine).lines

    def key(ln):
        return (ln.account, ln.service, ln.component or "", ln.zone or "")
    assert sorted((ln.model_dump() for ln in got), key=lambda d: key(_Obj(d))) == sorted(
        (ln.model_dump() for ln in expected), key=lambda d: key(_Obj(d)))
    assert {ln.method for ln in got} >= {"meter", "norm", "house_share", "area", "derived"}


def test_runs_of_residents_cut_the_norm_lines_as_calculate_does(book):
    # A1's second resident registers on 11 November: 1 person on days 1–10, 2 on 11–30
    rulebook, engine = book
    cols = _columns()
    facts = [i for i in range(cols.size) if cols.account[i] == 1]
    cols.p_fact = np.repeat(np.array(facts, np.int32), 2)
    cols.p_first = np.tile(np.array([1, 11], np.int32), len(facts))
    cols.p_last = np.tile(np.array([10, 30], np.int32), len(facts))
    cols.p_persons = np.tile(np.array([1, 2], np.int64), len(facts))
    situation = _situation().model_dump(by_alias=True)
    situation["accounts"][0]["residents"][1]["from"] = "2026-11-11"
    result = calculate_columns(cols, rulebook, engine)
    got = to_lines(cols, result, {1: "A1", 2: "A2"})
    expected = calculate(Situation.model_validate(situation), rulebook, engine).lines

    def key(ln):
        return (ln.account, ln.service, ln.component or "", ln.zone or "", ln.date_from)
    assert [ln.model_dump() for ln in sorted(got, key=key)] == [
        ln.model_dump() for ln in sorted(expected, key=key)]
    cut = sorted((ln.service, ln.component, ln.date_from, ln.persons) for ln in got
                 if ln.date_from != "2026-11-01")
    # hot water by the norm: both components cut (heat with its factor); nothing else is
    assert cut == [("hot_water", "heat", "2026-11-11", 2), ("hot_water", "water", "2026-11-11", 2)]


def test_a_fact_no_rule_covers_sends_its_account_to_the_situation_path(book):
    rulebook, engine = book
    cols = _columns()
    cols.vocab["heating_payment"] = ["monthly"]
    result = calculate_columns(cols, rulebook, engine)
    # only heating rules read heating_payment, and only A1 has heating
    assert result.slow.tolist() == [1]
    assert set(cols.account[result.fact].tolist()) == {2}


def _heating_only(period: Period, flags: dict) -> FactColumns:
    """One fact: heating of a flat of 54.3 m² by the norm (no house meter)."""
    one = np.zeros(1, np.int32)
    return FactColumns(
        period=period, account=np.array([1], np.int64),
        codes={k: one for k in ("service", "provider", "house_type", "heating_payment",
                                "premises_kind", "amenities")},
        vocab={"service": ["heating"], "provider": ["teploset"],
               "house_type": ["apartment_building"], "heating_payment": ["season"],
               "premises_kind": ["flat"], "amenities": ["full"]},
        flags={"meter_installable": np.ones(1, bool), "house_heat_meter": np.zeros(1, bool),
               **flags},
        refusals=np.zeros(1, np.int32), area=np.array([54_300_000]), persons=np.ones(1),
        house_total=np.zeros(1, np.int64), house_volume=np.full(1, -1),
        has_meter=np.zeros(1, bool), verified=np.full(1, 10**6), capacity=np.zeros(1, np.int64),
        last_back=np.zeros(1, np.int64), zoneset=np.zeros(1, np.int32), zonesets=[("single",)],
        z_fact=np.zeros(0, np.int32), z_pos=np.zeros(0, np.int32),
        z_prev=np.zeros(0, np.int64), z_cur=np.zeros(0, np.int64),
        z_hist=np.zeros((0, 12), np.int64))


@pytest.mark.parametrize(("period", "rule", "amount"), [
    # season 2025–2026 ends on 20 April (rules/facts): April in full, May nothing
    (Period(2026, 4), "heating.by_area_norm", 242231),  # 1.01541 Гкал × 2 385.55
    (Period(2026, 5), "heating.out_of_season", 0)])
def test_without_a_season_column_the_rules_calendar_decides_as_on_the_situation_path(
        book, period, rule, amount):
    rulebook, engine = book
    cols = _heating_only(period, {})
    result = calculate_columns(cols, rulebook, engine)
    (got,) = to_lines(cols, result, {1: "A1"})
    (expected,) = calculate(Situation.model_validate({
        "period": str(period), "house": {"heat_meter": False, "heating_payment": "season"},
        "accounts": [{"number": "A1", "area": "54.3", "services": [
            {"service": "heating", "provider": "teploset"}]}]}), rulebook, engine).lines
    assert got.model_dump() == expected.model_dump()
    assert rule in got.rule_ids and int(Decimal(got.amount) * 100) == amount


def test_a_stated_season_column_wins_over_the_calendar(book):
    rulebook, engine = book
    cols = _heating_only(Period(2026, 7), {"heating_season": np.ones(1, bool)})
    (line,) = to_lines(cols, calculate_columns(cols, rulebook, engine), {1: "A1"})
    assert line.method == "area_norm"


class _Obj:
    def __init__(self, d):
        self.__dict__.update(d)


FORMATTERS = [pytest.param((num, rub), id="in-use"),
              pytest.param((num_python, rub_python), id="python-twin")]
INT64 = 2**63 - 1


@pytest.mark.parametrize("fmt", FORMATTERS)
@given(value=st.one_of(st.integers(-10**15, 10**15), st.integers(-INT64, INT64)))
def test_the_fast_number_formatter_equals_the_decimal_one(fmt, value):
    fast_num, fast_rub = fmt
    assert fast_num(value) == decimal_num(value)
    assert fast_rub(value) == format_rub_ru(value)


@pytest.mark.parametrize("fmt", FORMATTERS)
def test_the_fast_formatter_equals_the_decimal_one_on_edges(fmt):
    fast_num, fast_rub = fmt
    for value in (0, 1, 9, 10, 99, 100, 999, 1000, 999_999, 1_000_000, 1_000_001, 1_234_567_890,
                  -1, -500_000, int(Decimal("4.9") * 10**6), 10**18, INT64, -INT64):
        assert fast_num(value) == decimal_num(value)
        assert fast_rub(value) == format_rub_ru(value)


def test_the_compiled_formatter_is_in_use_when_the_build_is_required():
    if not _compiled.REQUIRED:
        pytest.skip("сборка без обязательного компилированного ядра")
    from zhkh.kernel import _format

    assert (num, rub) == (_format.num, _format.rub)
