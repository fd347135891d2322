"""Request and response shapes of penalties and payment allocation.

Money travels as decimal strings in rubles with two decimals (a JSON float is refused), rates
as decimal percent strings with two decimals (``"9.50"``), periods as ``YYYY-MM``, dates as
``YYYY-MM-DD``; day counts are integers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zhkh.kernel.bounded import Flag
from zhkh.kernel.calc.balance import BalanceInput, Day, Money, PeriodText
from zhkh.kernel.money import format_kopecks, format_micro, to_kopecks, to_micro
from zhkh.modules.billing.schemas import AccountCard

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
    to_penalties: Flag = Field(default=False, description="Плательщик указал: в счёт пеней")


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


# --- who is paid: management companies, providers, contracts ---------------------------------

Inn = Annotated[str, Field(min_length=10, max_length=12, examples=["7701234567"])]
Kpp = Annotated[str, Field(min_length=9, max_length=9, examples=["770101001"])]
Text300 = Annotated[str, Field(min_length=1, max_length=300)]
Reason = Annotated[str | None, Field(default=None, max_length=2000,
                                     description="Основание изменения (в журнал аудита)")]
Ref = Annotated[int, Field(ge=1, le=2**63 - 1)]


class _Party(_In):
    """Fields common to a management company and a provider."""

    inn: Inn
    kpp: Kpp | None = None
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    closed_on: Day | None = Field(default=None, description="Дата прекращения деятельности")
    reason: Reason = None


class CompanyIn(_Party):
    """A management company (управляющая организация)."""

    name: Text300
    ogrn: str | None = Field(default=None, pattern=r"^\d{13}$|^\d{15}$")
    website: str | None = Field(default=None, max_length=254)


class CompanyPatch(_In):
    name: Text300 | None = None
    inn: Inn | None = None
    kpp: Kpp | None = None
    ogrn: str | None = Field(default=None, pattern=r"^\d{13}$|^\d{15}$")
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=254)
    closed_on: Day | None = None
    reason: Reason = None


class ProviderIn(_Party):
    """A provider of a service (поставщик, РСО); ``code`` is what rules and files name."""

    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$",
                      examples=["vodokanal"])
    name: Text300


class ProviderPatch(_In):
    name: Text300 | None = None
    inn: Inn | None = None
    kpp: Kpp | None = None
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    closed_on: Day | None = None
    reason: Reason = None


class ScopeIn(_In):
    """A service of a house the contract pays for (all houses of the company when
    ``house_id`` is omitted)."""

    house_id: Ref | None = None
    service: str = Field(min_length=1, max_length=64, examples=["cold_water"])


class TermsIn(_In):
    """Money terms from a date: bank details, the agent fee, when money is sent."""

    date_from: Day | None = Field(default=None, description="С какой даты (по умолчанию — "
                                  "с начала договора)")
    bank_name: Text300
    bik: str = Field(min_length=9, max_length=9, examples=["044525225"])
    settlement_account: str = Field(min_length=20, max_length=20)
    corr_account: str = Field(min_length=20, max_length=20)
    fee_kind: Literal["percent", "fixed"] = "percent"
    fee: str = Field(default="0", pattern=r"^\d{1,9}(\.\d{1,6})?$",
                     description="Вознаграждение агента: % от суммы (до 6 знаков) или руб. "
                                 "за платёж (до 2 знаков)", examples=["1.5"])
    transfer_rule: Literal["daily", "days"] = "daily"
    transfer_days: list[Annotated[int, Field(ge=1, le=31)]] | None = Field(
        default=None, max_length=31, description="Дни месяца перечисления (для «days»)")
    reason: Reason = None

    @field_validator("transfer_days")
    @classmethod
    def _days_sorted(cls, days: list[int] | None) -> list[int] | None:
        return sorted(set(days)) if days else days

    @model_validator(mode="after")
    def _fee_fits_its_kind(self) -> TermsIn:
        whole, _, frac = self.fee.partition(".")
        if self.fee_kind == "percent" and (int(whole) > 100 or (int(whole) == 100 and
                                                                 frac.strip("0"))):
            raise ValueError("вознаграждение в процентах не может быть больше 100 %")
        if self.fee_kind == "fixed" and len(frac) > 2:
            raise ValueError("фиксированное вознаграждение указывается с точностью до копейки")
        return self

    def fee_units(self) -> int:
        """The fee as stored: percent in 1e-6 (``1.5`` → 1 500 000) or kopecks per payment."""
        return to_micro(self.fee) if self.fee_kind == "percent" else to_kopecks(self.fee)


class ContractIn(_In):
    """A contract with a provider: number, dates, scope and its first terms."""

    provider_id: Ref
    management_company_id: Ref | None = None
    number: str = Field(min_length=1, max_length=64)
    signed_on: Day | None = None
    date_from: Day
    date_to: Day | None = None
    scope: list[ScopeIn] = Field(min_length=1, max_length=10_000)
    terms: TermsIn
    reason: Reason = None


class ContractPatch(_In):
    number: str | None = Field(default=None, min_length=1, max_length=64)
    signed_on: Day | None = None
    date_to: Day | None = None
    reason: Reason = None


# --- payments, balances, registries, transfers (read models and bodies) -----------------------

AccountNumber = Annotated[str, Field(min_length=1, max_length=20, examples=["1000000019"])]


class PaymentIn(_In):
    """A payment to an account taken by the portal or another system (a bank's registry goes
    through ``/v1/payment-registries``, the cash desk through its own desk)."""

    account: AccountNumber
    paid_on: Day = Field(description="Дата оплаты")
    amount: Money = Field(examples=["1500.00"], description="Сумма, руб.; больше нуля")
    channel: Literal["portal", "api", "bank"] = "api"
    operation_id: str | None = Field(default=None, max_length=64,
                                     description="Номер операции банка или портала")
    period: PeriodText | None = Field(default=None, description="Период, указанный "
                                      "плательщиком (PaymPeriod): оплачивается первым")
    services: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=50, description="Услуги, которые плательщик оплатил "
        "построчно: оплачиваются первыми")
    commission: Money = Field(default=Decimal("0.00"), description="Комиссия банка (учитывается "
                              "отдельно, счёт получает всю сумму)")
    reason: Reason = None


class ReverseIn(_In):
    """A storno of a payment: the reason is required; the day defaults to today."""

    reason: str = Field(min_length=1, max_length=2000, description="Причина сторно")
    on: Day | None = Field(default=None, description="Дата сторно")


class MatchIn(_In):
    """Post an unidentified payment to an account."""

    account: AccountNumber
    reason: str = Field(min_length=1, max_length=2000, description="Основание разнесения")


class AllocationOut(_Out):
    """A part of a payment: to a bill's line (service, provider) or the advance."""

    kind: Literal["principal", "penalty", "advance"]
    bill_period: str | None = Field(description="Месяц счёта (квитанции)")
    service: str | None
    provider_id: int | None
    amount: MoneyText
    paid_on: str
    booked_on: str
    note: str | None


class KeyBalanceOut(_Out):
    """One line of an account's balance: a bill's service and provider."""

    bill_period: str
    service: str
    provider_id: int
    charged: MoneyText
    charged_by_kind: dict[str, MoneyText]
    paid: MoneyText
    open: MoneyText
    billed: bool = Field(description="Счёт за месяц выставлен (месяц закрыт)")


class BalanceOut(_Out):
    """An account's money: debt of billed months, penalties, advance, the current month's
    charges not billed yet, and the balance (positive — owed by the account)."""

    account: str
    debt: MoneyText
    penalties: MoneyText
    advance: MoneyText
    unbilled: MoneyText
    balance: MoneyText
    keys: list[KeyBalanceOut] = Field(default_factory=list)


class PaymentOut(_Out):
    id: int
    account: str
    paid_on: str
    amount: MoneyText
    commission: MoneyText
    channel: str
    operation_id: str | None
    designated_period: str | None
    designated_services: list[str] | None
    registry_line_id: int | None
    reverses_id: int | None
    reversed_by: int | None = None
    posted_period: str
    actor: str
    reason: str | None
    created_at: str
    allocation: list[AllocationOut] = Field(default_factory=list)
    balance: BalanceOut | None = None


class RegistryReportOut(_Out):
    """What a loaded registry file did."""

    registry_id: int
    file_name: str
    format: str
    lines: int
    posted: int
    posted_amount: MoneyText
    unidentified: int
    unidentified_amount: MoneyText
    duplicates: int
    commission: MoneyText
    readings: int
    readings_refused: list[str]


class RegistryLineOut(_Out):
    """A line of a loaded registry (the unidentified payments list)."""

    id: int
    registry_id: int
    line_no: int
    operation_id: str | None
    paid_on: str
    account_text: str
    payer: str | None
    address: str | None
    period: str | None
    amount: MoneyText
    status: str


class TurnoverRowOut(_Out):
    group: str | None
    opening: MoneyText
    charged: dict[str, MoneyText]
    charged_total: MoneyText
    paid: MoneyText
    paid_penalties: MoneyText
    closing: MoneyText


class TurnoverOut(_Out):
    """The turnover sheet (оборотно-сальдовая ведомость) of a period."""

    period: str
    by: str
    rows: list[TurnoverRowOut]
    total: TurnoverRowOut
    advance_opening: MoneyText
    advance_closing: MoneyText
    posted: MoneyText


class DebtorOut(_Out):
    account: str
    house_id: int
    total: MoneyText
    by_age: dict[str, MoneyText] = Field(description="Долг по сроку просрочки, дней")


class TransferDueOut(_Out):
    """What a provider is to be sent on a day, with the bank details of its contract."""

    provider_id: int
    provider: str
    inn: str
    date_from: str
    date_to: str
    collected: MoneyText
    fee: MoneyText
    amount: MoneyText
    bank_name: str | None
    bik: str | None
    settlement_account: str | None
    corr_account: str | None


class TransferOut(_Out):
    id: int
    provider_id: int
    contract_id: int | None
    date_from: str
    date_to: str
    collected: MoneyText
    fee: MoneyText
    amount: MoneyText
    reference: str | None
    actor: str
    sent_at: str


class TransferIn(_In):
    provider_id: Ref
    date_from: Day
    date_to: Day
    reference: str | None = Field(default=None, max_length=64,
                                  description="Номер платёжного поручения")
    reason: Reason = None


class ReconciliationOut(_Out):
    provider_id: int
    collected: MoneyText
    transferred: MoneyText
    fees: MoneyText
    pending: MoneyText


# --- read models of who is paid, of loaded registries, and the account card -----------------


class CompanyOut(_Out):
    """A management company as stored."""

    id: int
    name: str
    inn: str
    kpp: str | None
    ogrn: str | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    closed_on: Day | None

    @classmethod
    def of(cls, row: Any) -> CompanyOut:
        """The read model of a ``ManagementCompany`` row."""
        return cls.model_validate(row, from_attributes=True)


class ProviderOut(_Out):
    """A provider (РСО) as stored."""

    id: int
    code: str
    name: str
    inn: str
    kpp: str | None
    address: str | None
    phone: str | None
    email: str | None
    closed_on: Day | None

    @classmethod
    def of(cls, row: Any) -> ProviderOut:
        """The read model of a ``Provider`` row."""
        return cls.model_validate(row, from_attributes=True)


class ScopeOut(_Out):
    house_id: int | None = Field(description="Дом; пусто — все дома управляющей организации")
    service: str


class TermsOut(_Out):
    """Money terms of a contract in force from ``date_from`` until the next terms."""

    date_from: Day
    bank_name: str
    bik: str
    settlement_account: str
    corr_account: str
    fee_kind: Literal["percent", "fixed"]
    fee: str = Field(description="% от суммы или руб. за платёж", examples=["1.5"])
    transfer_rule: Literal["daily", "days"]
    transfer_days: list[int] | None

    @classmethod
    def of(cls, row: Any) -> TermsOut:
        """The read model of a ``ContractTerms`` row (the fee back in its own units)."""
        fee = (format_micro(row.fee_value) if row.fee_kind == "percent"
               else format_kopecks(row.fee_value))
        return cls(date_from=row.date_from, bank_name=row.bank_name, bik=row.bik,
                   settlement_account=row.settlement_account, corr_account=row.corr_account,
                   fee_kind=row.fee_kind, fee=fee, transfer_rule=row.transfer_rule,
                   transfer_days=row.transfer_days)


class ContractOut(_Out):
    """A contract with its scope and every dated row of its terms (oldest first)."""

    id: int
    provider_id: int
    management_company_id: int | None
    number: str
    signed_on: Day | None
    date_from: Day
    date_to: Day | None
    scope: list[ScopeOut]
    terms: list[TermsOut]

    @classmethod
    def of(cls, row: Any, scope: list[Any], terms: list[Any]) -> ContractOut:
        """The read model of a ``Contract`` row with its scope and terms rows."""
        return cls(id=row.id, provider_id=row.provider_id,
                   management_company_id=row.management_company_id, number=row.number,
                   signed_on=row.signed_on, date_from=row.date_from, date_to=row.date_to,
                   scope=[ScopeOut(house_id=s.house_id, service=s.service) for s in scope],
                   terms=[TermsOut.of(t) for t in sorted(terms, key=lambda t: t.date_from)])


class RegistryOut(_Out):
    """A loaded bank registry file: counts and sums, who loaded it and when."""

    id: int
    file_name: str
    content_hash: str
    format: str
    lines: int
    total: MoneyText
    commission: MoneyText
    posted: int
    unidentified: int
    duplicates: int
    actor: str
    loaded_at: str


class FinanceAccountCard(AccountCard):
    """Billing's account card with the account's money: the balance by bill month, service
    and provider (``balance.keys``), debts and penalties by bill month, and the payments with
    their allocation, newest first. ``balance`` and ``payments`` are null for a role that may
    not read them."""

    balance: BalanceOut | None = None
    debts: list[BillDebtOut] | None = None
    payments: list[PaymentOut] | None = None


class BillDebtOut(_Out):
    """What stays unpaid of one month's bill: principal and penalties."""

    bill_period: str
    charged: MoneyText
    paid: MoneyText
    debt: MoneyText
    penalties: MoneyText


FinanceAccountCard.model_rebuild()
