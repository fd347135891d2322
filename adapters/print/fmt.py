"""Numbers, dates and periods as Russians write them — on a payment document and in the
command line's output (the one formatting module of both).

Money ``1 234,56`` (a no-break space between thousands, a comma before kopecks, a true minus
sign), volumes with their own decimals ``8,333``, dates ``15.11.2026``, periods
«октябрь 2026». Every function returns ``""`` for a missing value so a template prints an
empty cell rather than «None».
"""

from __future__ import annotations

from datetime import date

MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
          "сентябрь", "октябрь", "ноябрь", "декабрь")
MONTHS_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                   "сентября", "октября", "ноября", "декабря")
THIN = "\u00a0"  # no-break space: «1 234,56» never splits across lines
MINUS = "\u2212"


def money(kopecks: int | None) -> str:
    """Kopecks → ``1 234,56`` (``−12,30`` for a negative amount)."""
    if kopecks is None:
        return ""
    rub, kop = divmod(abs(kopecks), 100)
    sign = MINUS if kopecks < 0 else ""
    return f"{sign}{_group(str(rub))},{kop:02d}"


def money_or_blank(kopecks: int) -> str:
    """Like :func:`money`, but an empty cell for zero (a table of mostly zeros reads badly)."""
    return money(kopecks) if kopecks else ""


def decimal(text: str | None) -> str:
    """A decimal string ``"1234.5"`` → ``1 234,5`` (the decimals as issued)."""
    if not text:
        return ""
    sign = MINUS if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    return f"{sign}{_group(whole)},{fraction}" if fraction else f"{sign}{_group(whole)}"


def count(n: int) -> str:
    """A whole number → ``3 660`` (``−12`` below zero)."""
    return (MINUS if n < 0 else "") + _group(str(abs(n)))


def number(value: float, places: int = 1) -> str:
    """A measured figure (seconds, a rate) → ``8,3``, rounded to ``places`` decimals."""
    return decimal(f"{value:.{places}f}")


def rubles(kopecks: int) -> str:
    """Kopecks → ``1 234,56 ₽`` (a no-break space before the sign)."""
    return f"{money(kopecks)}{THIN}₽"


def day(value: date | None) -> str:
    """A date → ``15.11.2026``."""
    return "" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year}"


def period(text: str) -> str:
    """``2026-10`` → «октябрь 2026»."""
    year, month = text.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def day_words(value: date) -> str:
    """A date → «15 ноября 2026 г.»."""
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г."


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return THIN.join(parts)
