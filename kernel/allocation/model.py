"""Value types of payment allocation (ПП 354 п. 118, ГК РФ ст. 319.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from zhkh.kernel.period import Period

Kind = Literal["principal", "penalty"]
BetweenPeriods = Literal["by_payment_period", "fifo"]
TieBreak = Literal["document_order", "largest_line"]
PenaltiesReached = Literal["after_principal", "only_designated"]


@dataclass(frozen=True, slots=True)
class OpenLine:
    """One open (unpaid) charge line of a period, in document order: service/provider key."""

    period: Period
    key: str
    amount: int
    kind: Kind = "principal"


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment in kopecks; ``period`` is the period the payer named, if any.

    ``to_penalties`` marks a payment the payer designated for penalties (неустойка).
    """

    amount: int
    date: date | None = None
    period: Period | None = None
    to_penalties: bool = False


@dataclass(frozen=True, slots=True)
class AllocationLine:
    period: Period
    key: str
    kind: Kind
    amount: int


@dataclass(frozen=True, slots=True)
class TraceStep:
    """Which rule moved which amount, with a Russian phrase for the operator."""

    rule_id: str
    amount: int
    text: str


@dataclass(frozen=True, slots=True)
class Allocation:
    """Result: lines + advance always sum to the payment amount."""

    lines: tuple[AllocationLine, ...]
    advance: int
    trace: tuple[TraceStep, ...]


@dataclass(frozen=True, slots=True)
class AllocationPolicy:
    """Settings of one allocation rule (see rules/allocation/*.yaml for each reading)."""

    rule_id: str = "allocation.default"
    source: str = "ПП РФ №354 п. 118; ГК РФ ст. 319.1"
    between_periods: BetweenPeriods = "by_payment_period"
    tie_break: TieBreak = "document_order"
    penalties: PenaltiesReached = "after_principal"
