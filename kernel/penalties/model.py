"""Inputs and outputs of the penalty calculation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhkh.kernel.period import Period


@dataclass(frozen=True, slots=True)
class Debt:
    """The bill of one period in kopecks; ``due_date`` overrides the rule's due date."""

    period: Period
    amount: int
    due_date: date | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """One summand of the explain: part of the debt × days × 1/denominator × rate %."""

    amount: int
    days: int
    denominator: int
    rate: Decimal


@dataclass(frozen=True, slots=True)
class PenaltyLine:
    """Penalty of one debt period: kopecks rounded half up once, day counts, rates, explain.

    ``tier_days`` is ``((denominator, days), …)`` over all tiers of the policy, e.g.
    ``((300, 60), (130, 12))``; ``grace_days`` are overdue days 1–30; ``moratorium_days`` are
    days past the grace inside a moratorium. Days count while any part of the debt is unpaid.
    """

    period: Period
    due_date: date
    debt: int
    penalty: int
    grace_days: int
    tier_days: tuple[tuple[int, int], ...]
    moratorium_days: int
    rates: tuple[Decimal, ...]
    terms: tuple[Term, ...]
    explain: str
    source: str
