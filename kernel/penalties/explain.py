"""Russian explain of one penalty line."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from zhkh.kernel.money import format_decimal_ru, format_rub_ru
from zhkh.kernel.penalties.model import Term
from zhkh.kernel.period import Period


def explain_line(
    period: Period, terms: Sequence[Term], penalty: int, moratorium_days: int, source: str
) -> str:
    """«Пени за 2026-01: 1 200,00 ₽ × 60 дн. × 1/300 × 9,5 % + … = 27,36 ₽ (источник)»."""
    body = " + ".join(
        f"{format_rub_ru(t.amount)} × {t.days} дн. × 1/{t.denominator} × {_pct(t.rate)} %"
        for t in terms
    )
    text = f"Пени за {period}: " + (f"{body} = " if body else "") + format_rub_ru(penalty)
    if not body:
        text += " (нет дней просрочки сверх льготных)"
    if moratorium_days:
        text += f"; мораторий: {moratorium_days} дн. без пеней"
    return f"{text} ({source})"


def _pct(rate: Decimal) -> str:
    return format_decimal_ru(rate.normalize())
