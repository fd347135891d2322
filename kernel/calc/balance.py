"""Debts and payments of accounts (the balance) and the penalty lines they give.

``BalanceInput`` is the JSON form shared by the situation of ``POST /v1/calculate`` and by
``POST /v1/penalties``: money as decimal strings in rubles with at most two decimals (a JSON
float is refused), periods as ``YYYY-MM``, dates as ``YYYY-MM-DD``. :func:`account_penalties`
is the one path from such a balance to ``PenaltyLine`` values (ЖК РФ ст. 155 ч. 14); both
:func:`penalty_lines` and ``modules/finance`` use it.

A penalty line of a calculation (:func:`penalty_lines`) is one ``Line`` per account × debt
period with a positive penalty:

- ``service``, ``provider`` and ``method`` are ``penalty`` (the balance has no breakdown by
  provider, so the penalty is owed to the executor of the bill as a whole);
- ``component`` is the debt period the penalty is for (``"2026-01"``); ``period`` is the
  billing period of the calculation the line is charged in;
- ``date_from`` is the first overdue day (due date + 1), ``date_to`` the calculation date;
- ``volume`` is the number of days charged (all tiers, without grace and moratorium days),
  ``unit`` «дн.»; ``tariff`` is the debt of the period in rubles (the base the penalty accrues
  on) and ``coefficient`` is ``1`` — the rates and fractions are in the explain, because one
  line may combine several (1/300 and 1/130, the rate on the payment date and on the
  calculation date);
- ``rule_ids`` are the penalty rules in force, with only the moratoria that covered days of
  this debt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from zhkh.kernel.allocation import Payment
from zhkh.kernel.bounded import written_as_date
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.types import Dec
from zhkh.kernel.money import format_kopecks, to_kopecks
from zhkh.kernel.penalties import (
    Debt,
    PenaltyLine,
    PenaltyPolicy,
    PenaltyPolicyError,
    compute_penalties,
    policy_from_rulebook,
)
from zhkh.kernel.penalties.reference import split_into_parts
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.model import Rulebook

FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2099, 12, 31)
"""Dates a balance may name: wide enough for any debt still claimed, narrow enough that every
due date computed from them is a valid date."""

MAX_MONEY = Decimal("999999999999.99")
MAX_DAY_PARTS = 800_000
"""Work limit of one request: Σ over debts of overdue days × parts of the debt (the day-by-day
twin costs about 3 µs per day-part, so ~2.5 s at the limit; ten years of monthly bills and
payments of one account fit). Past it the request is refused, not timed out."""

PENALTY = "penalty"


def _money(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("сумма не может быть отрицательной")
    if value > MAX_MONEY:
        raise ValueError(f"сумма больше {MAX_MONEY}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("сумма указывается с точностью до копейки (не больше двух знаков)")
    return value


def _period(text: str) -> str:
    period = Period.parse(text)
    if not FIRST_DAY <= period.first_day <= LAST_DAY:
        raise ValueError(f"период вне диапазона {FIRST_DAY.year}–{LAST_DAY.year}")
    return str(period)


def _day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"дата вне диапазона {FIRST_DAY.isoformat()}–{LAST_DAY.isoformat()}")
    return value


Money = Annotated[Dec, AfterValidator(_money)]
"""Rubles as a decimal string, non-negative, at most two decimals (``"1234.56"``)."""
PeriodText = Annotated[str, AfterValidator(_period), Field(examples=["2026-01"])]
"""A billing period ``YYYY-MM``, normalized."""
Day = Annotated[date, BeforeValidator(written_as_date), AfterValidator(_day)]
AccountText = Annotated[str, Field(min_length=1, max_length=64, examples=["1000000019"])]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DebtIn(_Model):
    """The unpaid bill of one account for one period; ``due_date`` overrides the rules'."""

    account: AccountText
    period: PeriodText
    amount: Money = Field(examples=["3000.00"])
    due_date: Day | None = Field(default=None, description="Срок оплаты, если не по правилам")


class PaymentIn(_Model):
    """A payment of an account on a date; ``period`` is the period the payer named."""

    account: AccountText
    date: Day
    amount: Money = Field(examples=["1000.00"])
    period: PeriodText | None = Field(default=None, description="Период, указанный плательщиком")


class BalanceInput(_Model):
    """Debts and payments of accounts and the day penalties are computed on.

    ``calc_date`` may be omitted in a situation (then the last day of its period is used).
    (account, period) is unique among debts; every payment names an account with debts.
    """

    calc_date: Day | None = Field(default=None, description="Дата расчёта пеней")
    debts: list[DebtIn] = Field(default_factory=list, max_length=600)
    payments: list[PaymentIn] = Field(default_factory=list, max_length=2000)

    @field_validator("debts")
    @classmethod
    def _unique_debts(cls, debts: list[DebtIn]) -> list[DebtIn]:
        seen: dict[tuple[str, str], int] = {}
        for i, d in enumerate(debts):
            first = seen.setdefault((d.account, d.period), i)
            if first != i:
                raise ValueError(f"долг счёта {d.account} за {d.period} указан дважды "
                                 f"(debts.{first} и debts.{i})")
        return debts

    @field_validator("payments")
    @classmethod
    def _payments_of_known_accounts(cls, payments: list[PaymentIn],
                                    info: ValidationInfo) -> list[PaymentIn]:
        if "debts" not in info.data:  # the debts are invalid: that error is enough
            return payments
        accounts = {d.account for d in info.data["debts"]}
        for i, p in enumerate(payments):
            if p.account not in accounts:
                raise ValueError(f"оплата payments.{i}: у счёта {p.account} нет долгов в debts")
        return payments


def account_penalties(
    balance: BalanceInput, policy: PenaltyPolicy, calc_date: date
) -> list[tuple[str, PenaltyLine]]:
    """Penalty lines of every debt, per account in order of first appearance, each account's
    lines in period order; zero penalties included.

    Raises ``CalculationError`` with code ``penalty_rules`` (the rules do not cover a date the
    debt needs, naming the account) or ``too_large`` (over :data:`MAX_DAY_PARTS`).
    """
    debts: dict[str, list[Debt]] = {}
    for d in balance.debts:
        debts.setdefault(d.account, []).append(
            Debt(Period.parse(d.period), to_kopecks(d.amount), d.due_date))
    payments: dict[str, list[Payment]] = {a: [] for a in debts}
    for p in balance.payments:
        period = Period.parse(p.period) if p.period else None
        payments[p.account].append(Payment(to_kopecks(p.amount), p.date, period))
    work = 0
    for account, account_debts in debts.items():
        work += _day_parts(account, account_debts, payments[account], calc_date, policy)
    if work > MAX_DAY_PARTS:
        raise CalculationError(
            "too_large", f"слишком большой расчёт пеней: {work} дне-частей долга при пределе "
            f"{MAX_DAY_PARTS}; разделите запрос по счетам или сократите число долгов",
            service=PENALTY)
    out: list[tuple[str, PenaltyLine]] = []
    for account, account_debts in debts.items():
        try:
            lines = compute_penalties(account_debts, payments[account], calc_date, policy)
        except PenaltyPolicyError as exc:
            raise _rules_error(exc, account) from None
        out.extend((account, line) for line in lines)
    return out


def _day_parts(account: str, debts: Sequence[Debt], payments: Sequence[Payment],
               calc_date: date, policy: PenaltyPolicy) -> int:
    try:
        parts = split_into_parts(debts, payments, calc_date, policy)
        dues = {d.period: d.due_date or policy.due_date(d.period) for d in debts}
    except PenaltyPolicyError as exc:
        raise _rules_error(exc, account) from None
    total = 0
    for period, ps in parts.items():
        last = max((p.last_day for p in ps), default=dues[period])
        total += max(0, (last - dues[period]).days) * max(1, len(ps))
    return total


def _rules_error(exc: PenaltyPolicyError, account: str) -> CalculationError:
    return CalculationError("penalty_rules", f"правила пеней не покрывают расчёт: {exc}",
                            account=account, service=PENALTY)


def line_rule_ids(policy: PenaltyPolicy, line: PenaltyLine, calc_date: date) -> list[str]:
    """The policy's rules, keeping only the moratoria that may have covered days of ``line``."""
    arisen = policy.arisen(line.period, line.due_date)
    moratoria = {m.rule_id: m for m in policy.moratoria}
    used = {
        m.rule_id for m in policy.moratoria
        if line.moratorium_days and m.applies(arisen) and m.end > line.due_date
        and m.start <= calc_date
    }
    return [r for r in policy.rule_ids if r not in moratoria or r in used]


def charged_days(line: PenaltyLine) -> int:
    """Days that carried a penalty (every tier), without grace and moratorium days."""
    return sum(days for _, days in line.tier_days)


def penalty_lines(balance: BalanceInput, rulebook: Rulebook, period: str) -> list[Line]:
    """One ``Line`` of kind ``penalty`` per account × debt period with a positive penalty,
    charged in the billing ``period``; the penalty is computed on ``balance.calc_date`` or, when
    it is omitted, on the last day of ``period``. Amounts are exact to the kopeck (the
    day-by-day twin, rounded half up once per debt period). Raises ``CalculationError``."""
    billing = Period.parse(period)
    calc_date = balance.calc_date or billing.last_day
    try:
        policy = policy_from_rulebook(rulebook)
    except PenaltyPolicyError as exc:
        raise CalculationError("penalty_rules", f"правила пеней: {exc}", service=PENALTY) from None
    lines = []
    for account, pl in account_penalties(balance, policy, calc_date):
        if pl.penalty <= 0:
            continue
        lines.append(Line(
            account=account, service=PENALTY, component=str(pl.period), provider=PENALTY,
            period=str(billing), date_from=date.fromordinal(pl.due_date.toordinal() + 1)
            .isoformat(), date_to=calc_date.isoformat(), kind=PENALTY, method=PENALTY,
            rule_ids=line_rule_ids(policy, pl, calc_date), source=pl.source,
            volume=str(charged_days(pl)), unit="дн.", tariff=format_kopecks(pl.debt),
            coefficient="1", amount=format_kopecks(pl.penalty), excess="0.00",
            explain=pl.explain,
        ))
    return lines
