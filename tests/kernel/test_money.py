"""Money and fixed-point helpers: half-up rounding, no floats, Russian formatting."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel.money import (
    MoneyError,
    format_decimal_ru,
    format_kopecks,
    format_micro,
    format_rub_ru,
    round_half_up_div,
    to_decimal,
    to_kopecks,
    to_micro,
)


def test_a_float_is_refused_so_no_binary_fraction_reaches_money():
    with pytest.raises(MoneyError):
        to_decimal(0.1)


def test_half_a_kopeck_rounds_away_from_zero():
    assert to_kopecks("1074.275") == 107428
    assert to_kopecks("-1074.275") == -107428
    assert to_kopecks("716.184") == 71618


@given(st.integers(-10**30, 10**30), st.integers(1, 10**20))
def test_integer_division_rounds_like_decimal_half_up(n, d):
    with localcontext() as ctx:
        ctx.prec = 100
        expected = int((Decimal(n) / Decimal(d)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert round_half_up_div(n, d) == expected


@given(st.integers(-10**15, 10**15))
def test_kopecks_round_trip_through_their_json_form(k):
    assert to_kopecks(format_kopecks(k)) == k


def test_fixed_point_keeps_six_decimals_exactly():
    assert to_micro("4.9") == 4_900_000
    assert to_micro("0.0596") == 59_600
    assert format_micro(4_900_000) == "4.9"
    assert format_micro(8_333_000) == "8.333"
    assert format_micro(-1_500_000) == "-1.5"


def test_russian_notation_uses_a_comma_and_grouped_thousands():
    assert format_rub_ru(107428) == "1\u00a0074,28\u00a0₽"
    assert format_decimal_ru(Decimal("2345.67")) == "2\u00a0345,67"
    assert format_decimal_ru(4_900_000) == "4,9"
