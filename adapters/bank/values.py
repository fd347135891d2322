"""Field values of bank files: text ↔ kopecks, dates, times, periods, readings.

Readers raise :class:`ValueProblem` with a Russian phrase; the registry reader adds the line
and the field. Money never passes through a float: text is split at the decimal separator and
read as integers.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from zhkh.kernel.period import Period


class ValueProblem(ValueError):
    """A value that cannot be read; ``code`` is the stable refusal code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# name → (pattern, group of the month, group of the year, strftime-like writer)
_PERIODS: dict[str, tuple[re.Pattern[str], int, int, str]] = {
    "MMYY": (re.compile(r"(\d\d)(\d\d)"), 1, 2, "{m:02d}{yy:02d}"),
    "MMYYYY": (re.compile(r"(\d\d)(\d{4})"), 1, 2, "{m:02d}{y:04d}"),
    "MM.YYYY": (re.compile(r"(\d\d)\.(\d{4})"), 1, 2, "{m:02d}.{y:04d}"),
    "MM/YYYY": (re.compile(r"(\d\d)/(\d{4})"), 1, 2, "{m:02d}/{y:04d}"),
    "YYYY-MM": (re.compile(r"(\d{4})-(\d\d)"), 2, 1, "{y:04d}-{m:02d}"),
}
PERIOD_FORMATS = tuple(_PERIODS)


def parse_amount(text: str, separator: str) -> int:
    """Money written with ``separator`` (``1234,56``, ``1234,5``, ``1234``) → kopecks.
    Refuses a sign other than a leading minus, a wrong separator, a third decimal, spaces."""
    whole, sep, frac = text.partition(separator)
    negative = whole.startswith("-")
    if negative:
        whole = whole[1:]
    if not (whole.isascii() and whole.isdigit()) or (sep and not (
            frac.isascii() and frac.isdigit())):
        other = "." if separator == "," else ","
        if other in text:
            raise ValueProblem("amount_format", f"«{text}» — десятичный разделитель должен "
                               f"быть «{separator}»")
        raise ValueProblem("amount_format", f"«{text}» — не денежная сумма")
    if len(whole) > 15:
        raise ValueProblem("amount_format", f"«{text[:30]}» — слишком большая сумма")
    if len(frac) > 2:
        raise ValueProblem("amount_precision", f"{_decimals(len(frac))} после "
                           f"{'запятой' if separator == ',' else 'точки'} — {text}")
    kopecks = int(whole) * 100 + int(frac.ljust(2, "0") or "0")
    return -kopecks if negative else kopecks


def format_amount(kopecks: int, separator: str) -> str:
    """Kopecks → ``1234,56`` with ``separator`` (the inverse of :func:`parse_amount`)."""
    sign = "-" if kopecks < 0 else ""
    rub, kop = divmod(abs(kopecks), 100)
    return f"{sign}{rub}{separator}{kop:02d}"


def format_rubles(kopecks: int) -> str:
    """Kopecks → ``45 678,90 ₽`` for messages to operators."""
    sign = "−" if kopecks < 0 else ""
    rub, kop = divmod(abs(kopecks), 100)
    return f"{sign}{rub:,}".replace(",", " ") + f",{kop:02d} ₽"


def parse_date(text: str, fmt: str) -> date:
    """A date in strftime ``fmt``; refuses text that is not one."""
    return _strptime(text, fmt, "date_format", "дата").date()


def parse_time(text: str, fmt: str) -> time:
    """A time of day in strftime ``fmt``."""
    return _strptime(text, fmt, "time_format", "время").time()


def _strptime(text: str, fmt: str, code: str, what: str) -> datetime:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        raise ValueProblem(code, f"«{text}» — не {what} в формате {_show_format(fmt)}") from None


def parse_period(text: str, fmt: str) -> Period:
    """A designated period written in one of :data:`PERIOD_FORMATS` (``MMYY`` years are
    20YY)."""
    pattern, month_group, year_group, _ = _PERIODS[fmt]
    m = pattern.fullmatch(text)
    month = int(m.group(month_group)) if m else 0
    year = int(m.group(year_group)) if m else 0
    year += 2000 if m and len(m.group(year_group)) == 2 else 0
    if not m or not 1 <= month <= 12 or not 2000 <= year <= 2099:
        raise ValueProblem("period_format", f"«{text}» — не период в формате {fmt}")
    return Period(year, month)


def format_period(period: Period, fmt: str) -> str:
    """A period in one of :data:`PERIOD_FORMATS`."""
    return _PERIODS[fmt][3].format(m=period.month, y=period.year, yy=period.year % 100)


FOREIGN_CHAR = re.compile("[^\t\n\r\x20-\x7e\xa0\u0401\u0410-\u044f\u0451№«»–—…‘’“”„]")
"""A character that Russian text in a registry never has: seen, it means a wrong encoding."""

_READING = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,6})?")


def parse_reading(text: str) -> Decimal:
    """A meter reading: a non-negative decimal, ``.`` or ``,`` as separator, ≤ 6 decimals."""
    if not _READING.fullmatch(text):
        raise ValueProblem("reading_format", f"«{text}» — не показание прибора учёта")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # unreachable after the pattern; kept for the guarantee
        raise ValueProblem("reading_format", f"«{text}» — не показание") from None


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian word form for ``n``: 1 строка, 3 строки, 11 строк."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _decimals(n: int) -> str:
    words = {3: "три знака", 4: "четыре знака", 5: "пять знаков", 6: "шесть знаков"}
    return words.get(n, f"{n} знаков")


def _show_format(fmt: str) -> str:
    for code, shown in (("%d", "ДД"), ("%m", "ММ"), ("%Y", "ГГГГ"), ("%y", "ГГ"),
                        ("%H", "ЧЧ"), ("%M", "ММ"), ("%S", "СС")):
        fmt = fmt.replace(code, shown)
    return fmt
