"""Residents per day of many premises at once equal ``persons_segments`` of each."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.columnar import day_number
from zhkh.kernel.calc.columnar_persons import persons_runs, spread
from zhkh.kernel.calc.observations import persons_segments
from zhkh.kernel.calc.situation import Account
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

