"""Settings of the penalty calculation (ЖК РФ ст. 155 ч. 14), built from rules/penalties/.

Every figure comes from the rule files; the readings of uncertain points ([M]/[D] in
REFERENCE §2) are explicit fields here, named after the setting in the YAML.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import lcm
from typing import Literal

from zhkh.kernel.period import Period

DueAxis = Literal["bill_period", "due_month"]
CapAxis = Literal["accrual_day", "rate_date"]
PaidRate = Literal["payment_date", "calculation_date", "accrual_day"]
UnpaidRate = Literal["calculation_date", "accrual_day"]
DebtArises = Literal["period_end", "due_date"]


class PenaltyPolicyError(ValueError):
    """Settings that do not cover a date or contradict themselves; the message names them."""


@dataclass(frozen=True, slots=True)
class Tier:
    """From overdue day ``from_day`` on, the daily share is 1/``denominator`` of the rate."""

    from_day: int
    denominator: int


@dataclass(frozen=True, slots=True)
class Scale:
    """Tiers in force on accrual days from ``since``; days 1..grace_days carry no penalty."""

    since: date
    grace_days: int
    tiers: tuple[Tier, ...]

    def tier(self, overdue_day: int) -> Tier | None:
        found = None
        for t in self.tiers:
            if t.from_day <= overdue_day:
                found = t
        return found


@dataclass(frozen=True, slots=True)
class Moratorium:
    """Days ``start..end`` inclusive carry no penalty; optionally only for debts that arose
    strictly before ``only_debts_arisen_before``."""

    rule_id: str
    start: date
    end: date
    only_debts_arisen_before: date | None = None

    def applies(self, arisen: date) -> bool:
        cutoff = self.only_debts_arisen_before
        return cutoff is None or arisen < cutoff


@dataclass(frozen=True, slots=True)
class Steps:
    """Dated steps (date, value); a value holds from its date to the next; None = no value."""

    steps: tuple[tuple[date, Decimal | None], ...]

    def at(self, day: date) -> Decimal | None:
        i = bisect_right([d for d, _ in self.steps], day)
        return self.steps[i - 1][1] if i else None


@dataclass(frozen=True, slots=True)
class PenaltyPolicy:
    """All settings of one penalty rule set. Rates and caps are percents (``Decimal("9.5")``)."""

    scales: tuple[Scale, ...]
    due_days: tuple[tuple[date, int], ...]
    rates: Steps
    cap: Steps = field(default_factory=lambda: Steps(()))
    moratoria: tuple[Moratorium, ...] = ()
    due_axis: DueAxis = "bill_period"
    move_due_off_weekend: bool = False
    cap_axis: CapAxis = "accrual_day"
    debt_arises: DebtArises = "period_end"
    payment_day_accrues: bool = True
    rate_for_paid: PaidRate = "payment_date"
    rate_for_unpaid: UnpaidRate = "calculation_date"
    allocation_mode: Literal["by_payment_period", "fifo"] = "by_payment_period"
    source: str = "ЖК РФ ст. 155 ч. 14"
    rule_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_policy(self)

    @property
    def denominators(self) -> tuple[int, ...]:
        """Distinct tier denominators, in order of first appearance (300, 130)."""
        seen: list[int] = []
        for s in self.scales:
            for t in s.tiers:
                if t.denominator not in seen:
                    seen.append(t.denominator)
        return tuple(seen)

    @property
    def common_denominator(self) -> int:
        return lcm(*self.denominators)

    def due_date(self, period: Period) -> date:
        """Last day to pay the bill of ``period`` (the day of the next month from the rules)."""
        nxt = period.shift(1)
        axis_day = period.first_day if self.due_axis == "bill_period" else nxt.first_day
        i = bisect_right([d for d, _ in self.due_days], axis_day)
        if not i:
            raise PenaltyPolicyError(f"срок оплаты не задан для периода {period}")
        due = date(nxt.year, nxt.month, min(self.due_days[i - 1][1], nxt.days))
        if self.move_due_off_weekend and due.weekday() >= 5:
            due += timedelta(days=7 - due.weekday())
        return due

    def scale_at(self, day: date) -> Scale:
        i = bisect_right([s.since for s in self.scales], day)
        if not i:
            raise PenaltyPolicyError(f"шкала пеней не задана на {day.isoformat()}")
        return self.scales[i - 1]

    def rate_at(self, day: date) -> Decimal:
        rate = self.rates.at(day)
        if rate is None:
            raise PenaltyPolicyError(f"ставка ЦБ не задана на {day.isoformat()}")
        return rate

    def effective_rate(self, rate_date: date, day: date) -> Decimal:
        """Rate on ``rate_date`` limited by the cap in force (on ``day`` or on ``rate_date``)."""
        rate = self.rate_at(rate_date)
        cap = self.cap.at(day if self.cap_axis == "accrual_day" else rate_date)
        return rate if cap is None else min(rate, cap)

    def arisen(self, period: Period, due: date) -> date:
        return period.last_day if self.debt_arises == "period_end" else due


def _check_policy(p: PenaltyPolicy) -> None:
    if not p.scales or not p.due_days or not p.rates.steps:
        raise PenaltyPolicyError("нужны шкала пеней, срок оплаты и ставки ЦБ")
    for s in p.scales:
        froms = [t.from_day for t in s.tiers]
        if not froms or froms != sorted(set(froms)) or froms[0] != s.grace_days + 1:
            raise PenaltyPolicyError(
                f"шкала с {s.since.isoformat()}: ступени должны начинаться с дня "
                f"{s.grace_days + 1} и идти по возрастанию"
            )
        if any(t.denominator <= 0 for t in s.tiers):
            raise PenaltyPolicyError(f"шкала с {s.since.isoformat()}: знаменатель доли ≤ 0")
    for name, steps in (("ставка", p.rates), ("предел ставки", p.cap)):
        for d, v in steps.steps:
            if v is not None and (v < 0 or (v * 100) != (v * 100).to_integral_value()):
                raise PenaltyPolicyError(
                    f"{name} на {d.isoformat()}: {v} — нужна неотрицательная, не точнее 0,01 %"
                )
    for m in p.moratoria:
        if m.end < m.start:
            raise PenaltyPolicyError(f"мораторий {m.rule_id}: конец раньше начала")
