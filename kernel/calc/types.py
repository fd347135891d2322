"""Field types of the calculation's JSON inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from zhkh.kernel.money import MoneyError, to_decimal

LIMIT_DIGITS = 12
"""Input numbers are below 10¹² in magnitude: far above any area, reading or volume, and small
enough that their fixed-point form (×10⁶) always fits the kernel's int64."""
PLACES = 6
"""Most decimal places an input number may have: the fixed point keeps six, so a seventh
would be silently rounded away."""


NORM_PLACES = 9
"""Most decimal places of a published norm given as an input (an override of a norm rule):
norms are published to up to nine decimals and the kernel takes them as factors in 1e-9."""
NORM_DIGITS = 6
"""A norm is below 10⁶ in magnitude: its 1e-9 form times the twelve months of a season
coefficient stays far inside int64 (< 1.2·10¹⁶)."""


def _exact(value: object, places: int = PLACES) -> Decimal:
    if isinstance(value, float):
        raise ValueError("число нужно передавать строкой (например \"54.30\"), а не дробью JSON")
    try:
        number = to_decimal(value)  # type: ignore[arg-type]
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    # adjusted() needs no arithmetic: abs() of 1e999999999 overflows the decimal context
    if number and number.adjusted() >= LIMIT_DIGITS:
        raise ValueError(f"число {value} вне допустимого диапазона (по модулю меньше 10¹²)")
    exponent = number.as_tuple().exponent  # an int: to_decimal refused NaN and infinity
    if isinstance(exponent, int) and exponent < -places and number != number.quantize(
            Decimal(1).scaleb(-places)):
        raise ValueError(f"у числа {value} больше {places} знаков после запятой")
    return number


def _exact_norm(value: object) -> Decimal:
    number = _exact(value, NORM_PLACES)
    if number and number.adjusted() >= NORM_DIGITS:
        raise ValueError(f"норматив {value} вне допустимого диапазона (меньше 1 000 000)")
    return number


Dec = Annotated[Decimal, BeforeValidator(_exact)]
"""An exact decimal given as a string (or integer) in JSON: at most six decimal places, less
than 10¹² in magnitude."""

NormDec = Annotated[Decimal, BeforeValidator(_exact_norm)]
"""A published norm given as a string (or integer) in JSON: at most nine decimal places, less
than 10⁶ in magnitude."""
