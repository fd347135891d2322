"""Money and fixed-point helpers: half-up rounding, no floats, Russian formatting."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel.money import (
    INT64_MAX,
    INT64_MIN,
    MICRO,
    MoneyError,
    format_decimal_ru,
    format_kopecks,
    format_micro,
    format_rub_ru,
    micro_to_decimal,
    round_half_up_div,
    to_decimal,
    to_kopecks,
    to_micro,
)


def test_a_float_is_refused_so_no_binary_fraction_reaches_money():
    with pytest.raises(MoneyError, match="строкой"):
        to_decimal(0.1)
    with pytest.raises(MoneyError, match="строкой"):
        to_kopecks(True)


def test_text_that_is_not_a_finite_decimal_is_refused_with_its_value():
    with pytest.raises(MoneyError, match="не десятичное число: '12,5'"):
        to_decimal("12,5")
    with pytest.raises(MoneyError, match="не конечное число: 'NaN'"):
        to_decimal("NaN")
    with pytest.raises(MoneyError, match="не конечное"):
        to_decimal("-Infinity")
    assert to_decimal(" 12.50 ") == Decimal("12.50")
    assert to_decimal(7) == 7 and to_decimal(Decimal("0.1")) == Decimal("0.1")


def test_integer_division_rounds_halves_away_from_zero_for_every_sign():
    assert round_half_up_div(5, 2) == 3 and round_half_up_div(-5, 2) == -3
    assert round_half_up_div(5, -2) == -3 and round_half_up_div(-5, -2) == 3
    assert round_half_up_div(7, 4) == 2 and round_half_up_div(5, 4) == 1
    assert round_half_up_div(0, 3) == 0
    with pytest.raises(ZeroDivisionError, match=r"^division by zero$"):
        round_half_up_div(1, 0)


def test_the_int64_bounds_are_those_of_a_signed_64_bit_integer():
    assert INT64_MAX == 9_223_372_036_854_775_807
    assert INT64_MIN == -9_223_372_036_854_775_808
    assert MICRO == 1_000_000


def test_half_a_kopeck_rounds_away_from_zero():
    assert to_kopecks("1074.275") == 107428
    assert to_kopecks("-1074.275") == -107428
    assert to_kopecks("716.184") == 71618


def test_half_a_kopeck_rounds_up_where_half_even_would_round_down():
    # 0.125 and 2.665: the kopeck below is even, so banker's rounding would keep it
    assert to_kopecks("0.125") == 13
    assert to_kopecks("-0.125") == -13
    assert to_kopecks("2.665") == 267
    assert to_kopecks("0.005") == 1
    assert to_kopecks("0.0049999") == 0
    assert to_kopecks(Decimal("10.245")) == 1025


def test_half_a_millionth_rounds_up_where_half_even_would_round_down():
    assert to_micro("0.0000125") == 13
    assert to_micro("-0.0000125") == -13
    assert to_micro("1.0000005") == 1_000_001
    assert to_micro("0.00000049") == 0
    assert to_micro(3) == 3_000_000


@given(st.integers(-10**12, 10**12))
def test_every_exact_half_kopeck_rounds_away_from_zero(k):
    value = Decimal(2 * k + 1) / 200  # (k + ½) kopecks
    expected = k + 1 if k >= 0 else k
    assert to_kopecks(value) == expected
    assert to_kopecks(format(value, "f")) == expected


@given(st.integers(-10**12, 10**12))
def test_every_exact_half_millionth_rounds_away_from_zero(k):
    value = Decimal(2 * k + 1) / 2_000_000
    assert to_micro(format(value, "f")) == (k + 1 if k >= 0 else k)


def test_values_beyond_the_default_decimal_precision_still_round_exactly():
    big = "123456789012345678901234567890.125"  # 33 digits: more than Decimal's default 28
    assert to_kopecks(big) == 12345678901234567890123456789013
    assert to_micro("123456789012345678901234567.0000005") == \
        123456789012345678901234567_000_001


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
    assert format_micro(3_000_000) == "3"
    assert format_micro(1) == "0.000001"
    assert format_micro(0) == "0"
    assert micro_to_decimal(25_000_000) == Decimal(25) and str(micro_to_decimal(25_000_000)) == "25"


def test_kopecks_print_as_rubles_with_two_decimals_and_a_sign():
    assert format_kopecks(107428) == "1074.28"
    assert format_kopecks(-5) == "-0.05"
    assert format_kopecks(0) == "0.00"
    assert format_kopecks(100) == "1.00"


def test_russian_notation_uses_a_comma_and_grouped_thousands():
    assert format_rub_ru(107428) == "1\u00a0074,28\u00a0₽"
    assert format_rub_ru(-107428) == "−1\u00a0074,28\u00a0₽"
    assert format_rub_ru(0) == "0,00\u00a0₽"
    assert format_rub_ru(5) == "0,05\u00a0₽"
    assert format_decimal_ru(Decimal("2345.67")) == "2\u00a0345,67"
    assert format_decimal_ru(Decimal("-1234567.5")) == "−1\u00a0234\u00a0567,5"
    assert format_decimal_ru(Decimal("12")) == "12"
    assert format_decimal_ru(4_900_000) == "4,9"
    assert format_decimal_ru(-500_000) == "−0,5"
