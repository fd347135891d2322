"""Dated values: a value holds from its date until the next one."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from zhkh.kernel.money import MoneyError, to_decimal


class DatedValueError(ValueError):
    """Dated values that cannot be read; the message says which date or value is wrong."""


@dataclass(frozen=True, slots=True)
class DatedValues:
    """Strictly increasing (date, Decimal) steps; before the first date there is no value."""

    steps: tuple[tuple[date, Decimal], ...]

    @classmethod
    def parse(cls, raw: Any) -> DatedValues:
        """Read ``{2025-07-01: "52.84", …}``; refuses non-dates, non-decimals, unordered dates."""
        if not isinstance(raw, Mapping) or not raw:
            raise DatedValueError("ожидается непустой словарь «дата: значение»")
        steps: list[tuple[date, Decimal]] = []
        for key, value in raw.items():
            day = _as_date(key)
            try:
                number = to_decimal(value) if not isinstance(value, Decimal) else value
            except MoneyError as exc:
                raise DatedValueError(f"{day.isoformat()}: {exc}") from None
            if steps and day <= steps[-1][0]:
                raise DatedValueError(
                    f"даты должны идти по возрастанию без повторов: {day.isoformat()} "
                    f"после {steps[-1][0].isoformat()}"
                )
            steps.append((day, number))
        return cls(tuple(steps))

    @classmethod
    def constant(cls, value: Decimal, since: date = date(1900, 1, 1)) -> DatedValues:
        return cls(((since, value),))

    def at(self, day: date) -> Decimal | None:
        """The value in force on ``day``, or None before the first date."""
        i = bisect_right([d for d, _ in self.steps], day)
        return self.steps[i - 1][1] if i else None

    def change_dates(self, start: date, end: date) -> list[date]:
        """Dates in ``(start, end]`` where a new value starts (used to split a month by days)."""
        return [d for d, _ in self.steps if start < d <= end]

    def as_json(self) -> dict[str, str]:
        return {d.isoformat(): format(v, "f") for d, v in self.steps}


def _as_date(key: Any) -> date:
    if isinstance(key, date):
        return key
    if isinstance(key, str):
        try:
            return date.fromisoformat(key)
        except ValueError:
            pass
    raise DatedValueError(f"не дата в виде ГГГГ-ММ-ДД: {key!r}")
