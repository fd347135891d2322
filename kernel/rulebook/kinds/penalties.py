"""Penalty rules (пени, ЖК РФ ст. 155 ч. 14): each rule sets one section of the policy.

Sections: ``scale`` (grace days and tiers, dated by accrual day), ``due_date`` (day of the
next month, dated by the bill period), ``rates`` (refinancing rate, then the CBR key rate),
``cap`` (the 9.5 % limit window), ``moratorium`` (one window of days without penalty; all
matching moratorium rules apply together) and ``accrual`` (the readings of disputed points).
A rule carries exactly one section. For the other sections the matching rule of highest
priority wins; a tie is refused by :func:`zhkh.kernel.penalties.rulebook.policy_from_rules`.

```yaml
penalties:
  - id: penalties.moratorium_2022
    title: Мораторий на банкротство 2022 года
    source: "ПП РФ от 28.03.2022 №497 (S7)"
    moratorium: {start: 2022-04-01, end: 2022-10-01, only_debts_arisen_before: 2022-04-01}
```
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from zhkh.kernel.money import MoneyError, to_decimal
from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.fields import Bool, Int, Values, issue

KIND = "penalties"
LIST_KEY = "penalties"
SECTIONS = ("scale", "due_date", "rates", "cap", "moratorium", "accrual")

_FRACTION = re.compile(r"1/([1-9][0-9]*)")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


def _parse_fraction(raw: object) -> int:
    m = _FRACTION.fullmatch(raw) if isinstance(raw, str) else None
    if not m:
        raise issue([((), f"доля ставки пишется строкой «1/300», получено {raw!r}")])
    return int(m.group(1))


class Tier(_Section):
    """From overdue day ``from_day`` the daily penalty is ``fraction`` of the rate."""

    from_day: Annotated[Int, Field(ge=1)]
    fraction: Annotated[int, PlainValidator(_parse_fraction)]


class ScaleStep(_Section):
    grace_days: Annotated[Int, Field(ge=0)]
    tiers: Annotated[tuple[Tier, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _tiers_follow_grace(self) -> Self:
        froms = [t.from_day for t in self.tiers]
        if froms != sorted(set(froms)) or froms[0] != self.grace_days + 1:
            raise issue([(("tiers",), f"ступени идут по возрастанию from_day, первая — с дня "
                                      f"{self.grace_days + 1} (после льготных {self.grace_days})")])
        return self


class DueDate(_Section):
    """``axis: bill_period`` dates the day by the bill's period (the February-2026 bill is due
    on the 10th, March-2026 on the 15th, REFERENCE [D] per S5); ``due_month`` dates it by the
    month in which the payment is due (the February-2026 bill due on 15.03)."""

    axis: Literal["bill_period", "due_month"] = "bill_period"
    day_of_next_month: dict[date, Annotated[Int, Field(ge=1, le=31)]]
    move_off_weekend: Bool = False


class Rates(_Section):
    """Percent per year; ``refinancing`` before ``key_rate_from``, the key rate from it."""

    refinancing: Values | None = None
    key: Values
    key_rate_from: date


def _cap_value(value: object) -> Decimal | None:
    """A finite decimal limit, or None for anything else (text that is no number, a bool…)."""
    if not isinstance(value, str | Decimal | int):
        return None
    try:
        return to_decimal(value)
    except MoneyError:
        return None


def _parse_cap(raw: object) -> tuple[tuple[date, Decimal | None], ...]:
    if not isinstance(raw, dict) or not raw:
        raise issue([((), "ожидается словарь «дата: предел %» (null — предела нет)")])
    steps: list[tuple[date, Decimal | None]] = []
    for key, value in raw.items():
        if not isinstance(key, date) or (steps and key <= steps[-1][0]):
            raise issue([((str(key),), "даты по возрастанию в виде ГГГГ-ММ-ДД")])
        limit = None if value is None else _cap_value(value)
        if value is not None and limit is None:
            raise issue([((str(key),), "предел пишется строкой «9.5» или null, "
                                       f"получено {value!r}")])
        steps.append((key, limit))
    return tuple(steps)


class Cap(_Section):
    """``axis: accrual_day`` — the limit applies to days inside the window (REFERENCE 2.2
    pseudo-code); ``rate_date`` — to rates taken on a date inside the window."""

    axis: Literal["accrual_day", "rate_date"] = "accrual_day"
    values: Annotated[tuple[tuple[date, Decimal | None], ...], PlainValidator(_parse_cap)]


class MoratoriumSpec(_Section):
    start: date
    end: date
    only_debts_arisen_before: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise issue([(("end",), "конец моратория раньше начала")])
        return self


class Accrual(_Section):
    payment_day_accrues: Bool = True
    rate_for_paid: Literal["payment_date", "calculation_date", "accrual_day"] = "payment_date"
    rate_for_unpaid: Literal["calculation_date", "accrual_day"] = "calculation_date"
    debt_arises: Literal["period_end", "due_date"] = "period_end"


class Rule(RuleBase):
    """One section of the penalty policy (see the module docstring)."""

    EXCLUSIVE: ClassVar[bool] = False

    scale: dict[date, ScaleStep] | None = None
    due_date: DueDate | None = None
    rates: Rates | None = None
    cap: Cap | None = None
    moratorium: MoratoriumSpec | None = None
    accrual: Accrual | None = None

    @model_validator(mode="after")
    def _one_section(self) -> Self:
        present = [name for name in SECTIONS if getattr(self, name) is not None]
        if len(present) != 1:
            raise issue([((), "правило пеней задаёт ровно один раздел из: "
                              f"{', '.join(SECTIONS)}; задано: {', '.join(present) or 'ничего'}")])
        return self

    @property
    def section(self) -> str:
        return next(name for name in SECTIONS if getattr(self, name) is not None)
