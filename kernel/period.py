"""Periods (calendar months, ``2026-10``) and day splits inside a month."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MIN_YEAR, MAX_YEAR = 1900, 2099
"""Periods are months of these years (``kernel/bounded.py`` bounds dates the same way)."""


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A billing period: one calendar month (ПП 354 п. 37)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM`` of a year 1900–2099; raises ValueError naming the bad text."""
        m = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
        if not m:
            raise ValueError(f"период должен быть в виде ГГГГ-ММ, получено {text!r}")
        year = int(m.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"период {text!r} вне допустимого диапазона "
                             f"{MIN_YEAR}-01 … {MAX_YEAR}-12")
        return cls(year, int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def shift(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def split_days(start: date, end: date, cuts: Iterable[date]) -> list[tuple[date, date]]:
    """Cut ``[start, end]`` into inclusive day ranges, a new one from each cut date.

    The ranges cover ``[start, end]`` exactly once, in order; cuts outside ``(start, end]`` are
    ignored.
    """
    ranges: list[tuple[date, date]] = []
    for cut in sorted({d for d in cuts if start < d <= end}):
        ranges.append((start, cut - timedelta(days=1)))
        start = cut
    ranges.append((start, end))
    return ranges


def days_inclusive(start: date, end: date) -> int:
    """Number of days from ``start`` to ``end`` inclusive (0 if end < start)."""
    return max(0, (end - start).days + 1)
