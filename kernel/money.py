"""Money and fixed-point numbers: integer kopecks inside, decimal strings outside.

There is one way to make a decimal here (:func:`to_decimal`) and every quantize names its
rounding mode. Python's ``round()`` is banker's rounding and is never used for money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

MICRO = 1_000_000
"""Scale of fixed-point volumes, norms, factors, coefficients and prices (1e-6)."""
NANO = 1_000_000_000
"""Scale of a published norm with seven to nine decimals (a factor ``f / NANO``, 1e-9)."""

KOPECK = Decimal("0.01")
_MICRO_Q = Decimal("0.000001")
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


class MoneyError(ValueError):
    """A value that cannot be a money amount or a fixed-point number."""


def to_decimal(value: str | int | Decimal) -> Decimal:
    """Return ``value`` as a finite Decimal; refuses floats so no binary fraction sneaks in."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"ожидалось десятичное число строкой, получено {value!r}")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise MoneyError(f"не десятичное число: {value!r}") from None
    if not result.is_finite():
        raise MoneyError(f"не конечное число: {value!r}")
    return result


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Integer ``numerator / denominator`` rounded half away from zero (Decimal ROUND_HALF_UP)."""
    if denominator == 0:
        raise ZeroDivisionError("division by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def to_kopecks(value: str | int | Decimal) -> int:
    """Rubles (decimal string or Decimal) → integer kopecks, half up at the kopeck."""
    with localcontext() as ctx:
        ctx.prec = 60
        return int(to_decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP) * 100)


def to_micro(value: str | int | Decimal) -> int:
    """A decimal → fixed point with six decimals, half up; exact for up to six decimals."""
    with localcontext() as ctx:
        ctx.prec = 60
        return int(to_decimal(value).quantize(_MICRO_Q, rounding=ROUND_HALF_UP) * MICRO)


def to_fixed(value: str | int | Decimal, places: int) -> int:
    """A decimal → fixed point with ``places`` decimals (``value × 10**places``), half up;
    exact for up to ``places`` decimals (``to_fixed(v, 6) == to_micro(v)``)."""
    with localcontext() as ctx:
        ctx.prec = 60
        quantum = Decimal(1).scaleb(-places)
        return int(to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP).scaleb(places))


def format_kopecks(kopecks: int) -> str:
    """Integer kopecks → ``"1234.56"`` (the JSON form of money)."""
    sign = "-" if kopecks < 0 else ""
    rub, kop = divmod(abs(kopecks), 100)
    return f"{sign}{rub}.{kop:02d}"


def micro_to_decimal(value: int) -> Decimal:
    """Fixed point (1e-6) → Decimal with trailing zeros removed (``4900000`` → ``4.9``)."""
    d = Decimal(value).scaleb(-6)
    return d.quantize(Decimal(1)) if d == d.to_integral() else d.normalize()


def format_micro(value: int) -> str:
    """Fixed point (1e-6) → plain decimal string without exponent (``4900000`` → ``"4.9"``)."""
    return format(micro_to_decimal(value), "f")


def format_rub_ru(kopecks: int) -> str:
    """Kopecks → Russian notation for explain and documents: ``1 074,28 ₽``."""
    sign = "−" if kopecks < 0 else ""
    rub, kop = divmod(abs(kopecks), 100)
    return f"{sign}{rub:,}".replace(",", "\u00a0") + f",{kop:02d}\u00a0₽"


def format_decimal_ru(value: Decimal | int) -> str:
    """A decimal → Russian notation with a comma: ``4.9`` → ``4,9``; thin grouping of thousands."""
    d = micro_to_decimal(value) if isinstance(value, int) else value
    text = format(d, "f")
    whole, _, frac = text.partition(".")
    sign = "−" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return f"{sign}{grouped}" + (f",{frac}" if frac else "")
