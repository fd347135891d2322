"""Bounded, strictly typed input values shared by every request body and situation.

A date or a period outside the years 1900–2099 is refused (a date of 0001-01-01 or a period of
9999-12 only ever comes from a typo or an attack, and day arithmetic over it costs minutes); a
date must be written as a date (``"2026-10-01"``), never as a number of seconds (``0`` would be
1970-01-01); a flag must be ``true`` or ``false``, never ``1``; a text may not contain the NUL
character, which PostgreSQL cannot store. Each refusal is a validation error naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict

from zhkh.kernel.period import MAX_YEAR, MIN_YEAR

MIN_DAY, MAX_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)


def check_year(year: int) -> int:
    """``year`` when it lies in 1900–2099; ValueError naming the range otherwise."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"год {year} вне допустимого диапазона {MIN_YEAR}–{MAX_YEAR}")
    return year


def written_as_date(value: Any) -> Any:
    """``value`` unless it is a number (a date is never given as seconds or days)."""
    if isinstance(value, bool | int | float):
        raise ValueError("дата указывается строкой ГГГГ-ММ-ДД, не числом")
    return value


def _bounded_day(value: date) -> date:
    check_year(value.year)
    return value


def _bounded_moment(value: datetime) -> datetime:
    check_year(value.year)
    return value


def no_nul(value: str) -> str:
    """``value`` when it has no NUL character (PostgreSQL cannot store one)."""
    if "\x00" in value:
        raise ValueError("текст не может содержать символ NUL (\\u0000)")
    return value


Day = Annotated[date, BeforeValidator(written_as_date), AfterValidator(_bounded_day)]
"""A date written ``YYYY-MM-DD`` in 1900–2099."""
Moment = Annotated[datetime, BeforeValidator(written_as_date),
                   AfterValidator(_bounded_moment)]
"""A date-time written in ISO 8601 in 1900–2099."""
Flag = Annotated[bool, Strict()]
"""``true`` or ``false`` (no ``1``, no ``"yes"``)."""
Count = Annotated[int, Strict(), Field(ge=0, le=1_000_000)]
"""A count of things (rooms, persons, floors): a whole number 0 … 1,000,000."""
