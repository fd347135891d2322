"""Request and response shapes of penalties and payment allocation.

Money travels as decimal strings in rubles with two decimals (a JSON float is refused), rates
as decimal percent strings with two decimals (``"9.50"``), periods as ``YYYY-MM``, dates as
``YYYY-MM-DD``; day counts are integers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zhkh.kernel.calc.balance import BalanceInput, Day, Money, PeriodText

MoneyText = Annotated[str, Field(examples=["1234.56"], description="Сумма, руб.")]
RateText = Annotated[str, Field(examples=["9.50"], description="Ставка, % годовых")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- penalties -------------------------------------------------------------------------------


class PenaltiesRequest(BalanceInput):
    """Debts and payments of one or more accounts and the day to compute penalties on."""

    calc_date: Day = Field(description="Дата расчёта пеней (по этот день включительно)")


class TierDays(_Out):
    """Days charged at one fraction of the rate (``1/300`` — days 31–90, ``1/130`` — from 91)."""

    fraction: str = Field(examples=["1/300"])
    days: int


class PenaltyTerm(_Out):
    """One summand of the penalty: part of the debt × days × fraction × rate."""

    amount: MoneyText
    days: int
    fraction: str = Field(examples=["1/300"])
    rate: RateText


class PenaltyLineOut(_Out):
    """The penalty of one debt period of one account (rounded half up once)."""

    account: str
    period: str = Field(examples=["2026-01"])
    due_date: str = Field(examples=["2026-02-10"])
    debt: MoneyText
    penalty: MoneyText
    days_charged: int = Field(description="Дни с пенями (все ступени)")
    grace_days: int = Field(description="Дни просрочки 1–30 без пеней")
    moratorium_days: int = Field(description="Дни моратория без пеней")
    tiers: list[TierDays]
    rates: list[RateText]
    terms: list[PenaltyTerm]
    rule_ids: list[str]
    source: str
    explain: str


class AccountAmount(_Out):
    account: str
    amount: MoneyText


class PenaltiesResponse(_Out):
    """Every debt period with its penalty (zeros included), totals per account and overall."""

    calc_date: str
    rulebook_version: str
    lines: list[PenaltyLineOut]
    account_totals: list[AccountAmount]
    total: MoneyText


# --- allocation ------------------------------------------------------------------------------

Kind = Literal["principal", "penalty"]


class OpenLineIn(_In):
    """An open (unpaid) line of a bill, in document order: a service or provider key."""

    period: PeriodText
    key: str = Field(min_length=1, max_length=100, examples=["cold_water"])
    amount: Money = Field(examples=["400.00"])
    kind: Kind = Field(default="principal", description="principal — начисление, penalty — пени")


class AllocationPaymentIn(_In):
    """The payment to allocate; ``period`` is the period the payer named (ЕПД, QR)."""

    amount: Money = Field(examples=["2000.00"])
    date: Day | None = None
    period: PeriodText | None = Field(default=None, description="Период, указанный плательщиком")
    to_penalties: bool = Field(default=False, description="Плательщик указал: в счёт пеней")


class AllocationRequest(_In):
    """One payment and the open lines of the account; (period, key, kind) is unique."""

    payment: AllocationPaymentIn
    open_lines: list[OpenLineIn] = Field(default_factory=list, max_length=2000)

    @field_validator("open_lines")
    @classmethod
    def _unique(cls, lines: list[OpenLineIn]) -> list[OpenLineIn]:
        seen: dict[tuple[str, str, str], int] = {}
        for i, ln in enumerate(lines):
            first = seen.setdefault((ln.period, ln.key, ln.kind), i)
            if first != i:
                raise ValueError(f"строка {ln.key} ({ln.kind}) за {ln.period} указана дважды "
                                 f"(open_lines.{first} и open_lines.{i})")
        return lines


class AllocatedLine(_Out):
    period: str
    key: str
    kind: Kind
    amount: MoneyText


class TraceStepOut(_Out):
    """Which rule moved which amount, in words for the operator."""

    rule_id: str
    amount: MoneyText
    text: str


class AllocationResponse(_Out):
    """Paid parts (lines + advance = payment), what stays open, and the trace."""

    rulebook_version: str
    rule_id: str
    source: str
    payment: MoneyText
    lines: list[AllocatedLine]
    advance: MoneyText
    remaining: list[AllocatedLine] = Field(description="Что осталось неоплаченным по строкам")
    trace: list[TraceStepOut]
