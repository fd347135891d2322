"""Periods are calendar months; a month is cut at change dates into day ranges."""

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel.period import Period, days_inclusive, split_days


def test_a_period_is_parsed_from_year_and_month():
    p = Period.parse("2026-02")
    assert (p.first_day, p.last_day, p.days) == (date(2026, 2, 1), date(2026, 2, 28), 28)
    assert str(p.shift(-2)) == "2025-12"


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-10", "", "2026/10"])
def test_a_malformed_period_is_refused_with_the_text_named(bad):
    with pytest.raises(ValueError, match="ГГГГ-ММ"):
        Period.parse(bad)


@given(
    st.integers(2000, 2100),
    st.integers(1, 12),
    st.lists(st.dates(date(1999, 1, 1), date(2101, 12, 31)), max_size=6),
)
def test_day_ranges_cover_the_month_exactly_once(year, month, cuts):
    p = Period(year, month)
    ranges = split_days(p.first_day, p.last_day, cuts)
    assert ranges[0][0] == p.first_day and ranges[-1][1] == p.last_day
    assert sum(days_inclusive(s, e) for s, e in ranges) == p.days
    for (_, e1), (s2, _) in pairwise(ranges):
        assert (s2 - e1).days == 1
