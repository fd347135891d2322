"""Building extra lines (benefit, recalculation, quality reduction) and their explain numbers."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from zhkh.kernel.calc.result import Line
from zhkh.kernel.money import format_decimal_ru, format_kopecks, format_rub_ru

_SIX = Decimal("0.000001")


def dec(value: Fraction, places: Decimal = _SIX) -> Decimal:
    """An exact fraction as a Decimal rounded half up to ``places`` (six decimals by default)."""
    with localcontext() as ctx:
        ctx.prec = 60
        q = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            places, rounding=ROUND_HALF_UP)
    return q.quantize(Decimal(1)) if q == q.to_integral() else q.normalize()


def plain(value: Fraction) -> str:
    """JSON form of a volume / rate: ``"4.9"``, never an exponent."""
    return format(dec(value), "f")


def ru(value: Fraction | Decimal | int) -> str:
    """Russian notation for explain: ``Fraction(49, 10)`` → ``4,9``."""
    d = value if isinstance(value, Decimal) else dec(Fraction(value))
    return format_decimal_ru(d)


def rub(kopecks: int) -> str:
    return format_rub_ru(kopecks)


def day_ru(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def extra_line(base: Line, *, kind: str, method: str, rule_ids: list[str], source: str,
               volume: Fraction, unit: str, tariff: Fraction, coefficient: Fraction,
               amount: int, explain: str, date_from: date, date_to: date,
               component: str | None = None, zone: str | None = None,
               persons: int | None = None, norm: str | None = None, excess: int = 0) -> Line:
    """A line of ``kind`` about the same account, service and provider as ``base``.

    ``amount`` and ``excess`` are kopecks, negative for a reduction.
    """
    return Line(
        account=base.account, service=base.service, component=component, zone=zone,
        provider=base.provider, period=base.period, date_from=date_from.isoformat(),
        date_to=date_to.isoformat(), kind=kind, method=method, rule_ids=rule_ids, source=source,
        volume=plain(volume), unit=unit, tariff=plain(tariff), coefficient=plain(coefficient),
        persons=persons, norm=norm, amount=format_kopecks(amount), excess=format_kopecks(excess),
        explain=explain,
    )
