"""The benefit stage's per-line memo (``ShareMemo``) gives exactly the lines of computing every
day afresh (``ShareMemo.CACHE = False``), also when the percent, the area standard and the norm
change in the middle of the month and residents move in mid-month."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.extras.benefits import ShareMemo
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.rulebook import load_rulebook

RULES = Path(__file__).resolve().parents[2] / "rules"
EDITS = {  # file → (text, replacement): values that change on a day inside June 2026
    "benefits/federal.yaml": [('percent: {2005-01-01: "50"}',
                               'percent: {2005-01-01: "50", 2026-06-10: "40"}'),
                              ('total: {2005-08-29: "33"}',
                               'total: {2005-08-29: "33", 2026-06-20: "36"}')],
    "norms/water.yaml": [('values: {2017-06-01: "4.9"}',
                          'values: {2017-06-01: "4.9", 2026-06-16: "5.1"}')],
}


@cache
def mid_month_rules(folder: str) -> tuple:
    target = Path(folder) / "rules"
    shutil.copytree(RULES, target)
    for name, edits in EDITS.items():
        path = target / name
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, (name, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    book = load_rulebook(target)
    return book, engine_for(book)


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    return mid_month_rules(str(tmp_path_factory.mktemp("mid_month")))


def _meter(name: str, used: int) -> dict:
    return {"id": name, "readings": [{"date": "2026-05-25", "value": "100"},
                                     {"date": "2026-06-25", "value": str(100 + used)}]}


def _situation(persons: int, moves_in: int, metered: bool, used: int, area: str,
               category: str, start: int) -> Situation:
    residents = [{"person": f"P{i}", "from": "2010-01-01"} for i in range(persons)]
    residents.append({"person": "NEW", "from": (date(2026, 6, 1) + timedelta(days=moves_in))
                      .isoformat()})
    services = [{"service": "maintenance", "provider": "uk"},
                {"service": "wastewater", "provider": "vodokanal"},
                {"service": "solid_waste", "provider": "ro"}]
    for water in ("cold_water", "hot_water"):
        services.append({"service": water, "provider": "vodokanal", "meter_installable": False,
                         "meters": [_meter(water, used)] if metered else []})
    holder = "P0" if category != "large_family" else "NEW"
    return Situation.model_validate({
        "period": "2026-06",
        "accounts": [{"number": "1", "area": area, "residents": residents,
                      "services": services}],
        "benefits": [{"account": "1", "person": holder, "category": category,
                      "from": (date(2026, 5, 20) + timedelta(days=start)).isoformat()}]})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(persons=st.integers(1, 4), moves_in=st.integers(1, 29), metered=st.booleans(),
       used=st.integers(1, 40), area=st.sampled_from(["28.5", "45", "65.2", "120"]),
       category=st.sampled_from(["veteran_combat", "disabled", "veteran_labour",
                                 "large_family"]),
       start=st.integers(0, 25))
def test_the_memo_gives_the_lines_of_computing_every_day(
        rules, monkeypatch, persons, moves_in, metered, used, area, category, start):
    book, engine = rules
    situation = _situation(persons, moves_in, metered, used, area, category, start)
    memo = calculate(situation, book, engine).lines
    with monkeypatch.context() as patch:
        patch.setattr(ShareMemo, "CACHE", False)
        every_day = calculate(situation, book, engine).lines
    assert [x.model_dump() for x in memo] == [x.model_dump() for x in every_day]
    assert any(x.kind == "benefit" for x in memo)


def test_the_mid_month_values_do_split_the_benefit(rules):
    """The edited rules are in force: the percent falls from 50 to 40 on 10 June."""
    book, engine = rules
    lines = calculate(_situation(2, 29, False, 5, "45", "veteran_combat", 0), book,
                      engine).lines
    housing = next(x for x in lines if x.kind == "benefit" and x.service == "maintenance")
    assert "50 %" in housing.explain and "40 %" in housing.explain
