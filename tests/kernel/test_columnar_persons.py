"""Residents per day of many premises at once equal ``persons_segments`` of each, and a line
covering part of the month gets the explain text ``explain.formula`` gives it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.columnar import day_number
from zhkh.kernel.calc.columnar_explain import ExplainTemplate
from zhkh.kernel.calc.columnar_persons import persons_runs, spread
from zhkh.kernel.calc.explain import texts
from zhkh.kernel.calc.observations import persons_segments
from zhkh.kernel.calc.situation import Account
from zhkh.kernel.calc.template import RowTemplate
from zhkh.kernel.period import Period

FAR = 10**6
FEBRUARY = Period(2028, 2)  # a leap February: 29 days

registration = st.tuples(st.integers(-40, 40), st.one_of(st.none(), st.integers(-40, 40)))
premises = st.tuples(st.integers(0, 3), st.lists(registration, max_size=5))


@settings(max_examples=200)
@given(st.sampled_from([Period(2026, 11), Period(2026, 10), FEBRUARY]),
       st.lists(premises, min_size=1, max_size=6))
def test_the_runs_of_many_premises_equal_the_segments_of_each(period, flats):
    first = period.first_day
    holder, start, end, owners, expected = [], [], [], [], []
    for h, (own, regs) in enumerate(flats):
        residents = []
        for k, (lo, span) in enumerate(regs):
            begin = first + timedelta(days=lo)
            stop = None if span is None else begin + timedelta(days=span)  # may end before
            holder.append(h)
            start.append(day_number(begin))
            end.append(FAR if stop is None else day_number(stop))
            if stop is None or stop >= begin:  # a situation refuses the others
                residents.append({"person": f"p{k}", "from": begin.isoformat(),
                                  "to": stop and stop.isoformat()})
        owners.append(own)
        account = Account.model_validate({"number": "1", "area": "40", "owners": own,
                                          "residents": residents,
                                          "services": [{"service": "x", "provider": "p"}]})
        expected += [(h, s.start.day, s.end.day, s.value)
                     for s in persons_segments(account, period)]
    runs = persons_runs(day_number(first), period.days, np.array(holder, np.int64),
                        np.array(start, np.int64), np.array(end, np.int64),
                        np.array(owners, np.int64))
    got = list(zip(runs.holder.tolist(), runs.first.tolist(), runs.last.tolist(),
                   runs.persons.tolist(), strict=True))
    assert got == expected


def test_the_runs_of_a_holder_are_repeated_for_each_of_its_items():
    # holder 0: 1 person 1–10, 2 persons 11–30; holder 1: nobody, 2 owners all month
    runs = persons_runs(day_number(date(2026, 11, 1)), 30, np.array([0, 0]),
                        np.array([day_number(date(2015, 1, 1)), day_number(date(2026, 11, 11))]),
                        np.array([FAR, FAR]), np.array([0, 2]))
    items = spread(runs, np.array([1, 0, 0]), 2)
    assert list(zip(items.holder.tolist(), items.first.tolist(), items.last.tolist(),
                    items.persons.tolist(), strict=True)) == [
        (0, 1, 30, 2), (1, 1, 10, 1), (1, 11, 30, 2), (2, 1, 10, 1), (2, 11, 30, 2)]


METHODS = ("meter", "average", "norm", "area", "area_norm", "house_share", "fixed")


@settings(max_examples=150)
@given(st.sampled_from(METHODS), st.sampled_from([1_000_000, 1_500_000]),
       st.sampled_from([1_000_000, 59_600]), st.integers(1, 10**9),
       st.tuples(st.integers(0, 10**10), st.integers(1, 10**10), st.integers(1, 10**10)),
       st.integers(1, 6), st.integers(1, 31), st.integers(28, 31),
       st.integers(0, 10**10), st.integers(-10**9, 10**9))
def test_a_part_of_the_month_shows_its_days_as_the_formula_does(
        method, coef, factor, price, abc, persons, days, month, volume, amount):
    a, b, c = abc
    days = min(days, month)
    norm = 4_900_000
    t = ExplainTemplate(method=method, base_unit="м³", factor=factor, factor_unit="Гкал/м³",
                        unit="Гкал", coef=coef, price=price, source="ПП РФ №354, п. 42")
    row = RowTemplate(factor=factor, factor_unit="Гкал/м³", norm=norm, service="s",
                      component=None, zone=None, zone_pos=0, method=method, kernel_method=1,
                      price=price, coef=coef, rule_ids=(), source="ПП РФ №354, п. 42",
                      unit="Гкал", base_unit="м³")
    columns = [np.array([x], np.int64) for x in (a, b, c, persons, volume, amount, days, month)]
    (expected,) = texts([row], np.zeros(1, np.int64), columns, np.array([days != month]))
    got = t.text(t.base(a, b, c, persons, norm), volume, amount, share=(days, month))
    assert got == expected
