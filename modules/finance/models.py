"""Finance tables: contracts with providers, payments, bank registries, allocation, transfers.

Payments and their allocation are append-only facts, refused by database triggers on SQLite and
PostgreSQL (migration 0108), as the ledger is:

* a payment is never updated or deleted; a wrong one is reversed by a new payment record with
  the opposite amount pointing at it (``reverses_id``, unique: one storno per payment);
* an allocation row is never updated or deleted; a change of allocation (a storno, an advance
  consumed by later charges, an overpaid period returned to the advance) is new rows;
* the rows of one payment always sum to the payment's amount (kinds ``principal``,
  ``penalty`` and ``advance``);
* a loaded registry file and its lines are never updated or deleted; a line's payment points
  at the line (an unidentified line gets its payment when an operator matches it);
* a transfer to a provider is recorded once and never edited.

Money is ``*_kopecks`` (signed where a storno may make it negative).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.modules.billing.models import PERIOD
from zhkh.modules.db.base import (
    BIG_ID,
    Base,
    IdPK,
    UtcDateTime,
    integer_check,
    one_of,
    period_check,
    sqlite_foreign_key,
)

JSON_LIST = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""A JSON list, or SQL NULL when absent (not the JSON ``null``)."""
CHANNELS = ("bank", "cashdesk", "portal", "api")
ALLOCATION_KINDS = ("principal", "penalty", "advance")
FEE_KINDS = ("percent", "fixed")
TRANSFER_RULES = ("daily", "days")
LINE_STATUSES = ("posted", "unidentified", "duplicate")


class Contract(Base):
    """A contract with a provider: which services of which houses it is paid for, from when.

    Its money terms (bank details, agent fee, transfer rule) are dated rows of
    :class:`ContractTerms`; its scope is rows of :class:`ContractScope`.
    """

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("date_to IS NULL OR date_to >= date_from", name="dates_ordered"),
        UniqueConstraint("provider_id", "number"),
    )

    id: Mapped[IdPK]
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    management_company_id: Mapped[int | None] = mapped_column(
        ForeignKey("management_companies.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date | None]
    date_from: Mapped[date]
    date_to: Mapped[date | None]


class ContractScope(Base):
    """One service of one house (or of every house of the contract's management company when
    ``house_id`` is null) that the contract's provider is paid for."""

    __tablename__ = "contract_scope"
    __table_args__ = (
        Index("ix_contract_scope_house_service", "house_id", "service"),
        UniqueConstraint("contract_id", "house_id", "service"),
    )

    id: Mapped[IdPK]
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id"))
    service: Mapped[str] = mapped_column(String(64))


class ContractTerms(Base):
    """Money terms of a contract in force from ``date_from`` until the next row's date."""

    __tablename__ = "contract_terms"
    __table_args__ = (
        UniqueConstraint("contract_id", "date_from"),
        one_of("fee_kind", FEE_KINDS),
        one_of("transfer_rule", TRANSFER_RULES),
        CheckConstraint("fee_value >= 0", name="fee_nonnegative"),
        CheckConstraint("fee_kind <> 'percent' OR fee_value <= 100000000",
                        name="fee_percent_at_most_100"),
    )

    id: Mapped[IdPK]
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    date_from: Mapped[date]
    bank_name: Mapped[str] = mapped_column(String(300))
    bik: Mapped[str] = mapped_column(String(9))
    settlement_account: Mapped[str] = mapped_column(String(20))
    corr_account: Mapped[str] = mapped_column(String(20))
    fee_kind: Mapped[str] = mapped_column(String(8), default="percent")
    fee_value: Mapped[int] = mapped_column(default=0)
    """Percent as fixed point 1e-6 (``1.5 %`` → 1 500 000) or kopecks per payment."""
    transfer_rule: Mapped[str] = mapped_column(String(8), default="daily")
    transfer_days: Mapped[list[int] | None] = mapped_column(JSON_LIST)
    """Days of the month money is sent on (``transfer_rule = 'days'``)."""


class PaymentRegistry(Base):
    """A loaded bank registry file (реестр платежей): one per content hash, forever."""

    __tablename__ = "payment_registries"

    id: Mapped[IdPK]
    file_name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(64))
    line_count: Mapped[int]
    total_kopecks: Mapped[int]
    commission_kopecks: Mapped[int] = mapped_column(default=0)
    posted_count: Mapped[int]
    unidentified_count: Mapped[int]
    duplicate_count: Mapped[int]
    actor: Mapped[str] = mapped_column(String(128))
    loaded_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class RegistryLine(Base):
    """One line of a loaded registry, as the bank wrote it, with what became of it."""

    __tablename__ = "registry_lines"
    __table_args__ = (
        one_of("status", LINE_STATUSES),
        CheckConstraint("amount_kopecks > 0", name="amount_positive"),
        integer_check("amount_kopecks"),
        Index("ix_registry_lines_registry", "registry_id", "line_no"),
        # a re-exported file overlapping an earlier one: its lines already posted are kept as
        # duplicates; every other line is one bank operation (REFERENCE §7)
        Index("ix_registry_lines_identity", "operation_id", "paid_on", "amount_kopecks",
              unique=True,
              sqlite_where=text("operation_id IS NOT NULL AND status <> 'duplicate'"),
              postgresql_where=text("operation_id IS NOT NULL AND status <> 'duplicate'")),
        Index("ix_registry_lines_status", "status"),
        # PostgreSQL: checked once per statement by a trigger (migration 0126)
        sqlite_foreign_key("registry_id", "payment_registries.id", "registry_lines_references"),
    )

    id: Mapped[IdPK]
    registry_id: Mapped[int] = mapped_column(BIG_ID)
    line_no: Mapped[int]
    operation_id: Mapped[str | None] = mapped_column(String(64))
    paid_on: Mapped[date] = mapped_column(Date)
    account_text: Mapped[str] = mapped_column(String(64))
    payer: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    period: Mapped[str | None] = mapped_column(String(7))
    amount_kopecks: Mapped[int]
    commission_kopecks: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16))
    raw: Mapped[str | None] = mapped_column(Text)


class Payment(Base):
    """Money paid to an account (or its storno, with the opposite amount)."""

    __tablename__ = "payments"
    __table_args__ = (
        one_of("channel", CHANNELS),
        integer_check("amount_kopecks"),
        CheckConstraint("amount_kopecks <> 0", name="amount_not_zero"),
        CheckConstraint("(reverses_id IS NULL) = (amount_kopecks > 0)",
                        name="storno_iff_negative"),
        CheckConstraint("commission_kopecks >= 0", name="commission_nonnegative"),
        *period_check("posted_period"),
        *period_check("designated_period"),
        Index("ix_payments_account_paid", "account_id", "paid_on"),
        Index("ix_payments_posted_account", "posted_period", "account_id"),
        Index("ix_payments_registry_line", "registry_line_id", unique=True),
        # PostgreSQL: checked once per statement by a trigger (migration 0126)
        *(sqlite_foreign_key(column, target, "payments_references") for column, target in (
            ("account_id", "accounts.id"), ("registry_line_id", "registry_lines.id"),
            ("reverses_id", "payments.id"), ("posted_period", "billing_periods.period"))),
    )

    id: Mapped[IdPK]
    account_id: Mapped[int] = mapped_column(BIG_ID)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_kopecks: Mapped[int]
    commission_kopecks: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(16))
    operation_id: Mapped[str | None] = mapped_column(String(64))
    designated_period: Mapped[str | None] = mapped_column(String(7))
    designated_services: Mapped[list[str] | None] = mapped_column(JSON_LIST)
    registry_line_id: Mapped[int | None] = mapped_column(BIG_ID)
    reverses_id: Mapped[int | None] = mapped_column(BIG_ID, unique=True)
    posted_period: Mapped[str] = mapped_column(PERIOD)
    """The billing period that was open when the payment was posted (its turnover month)."""
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class Allocation(Base):
    """A part of a payment: to an account × service × provider × period (principal or
    penalty), or held as the account's advance. Rows of one payment sum to its amount."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        one_of("kind", ALLOCATION_KINDS),
        integer_check("amount_kopecks"),
        CheckConstraint("(kind = 'advance') = (service IS NULL)", name="advance_has_no_key"),
        CheckConstraint("(service IS NULL) = (provider_id IS NULL)", name="key_complete"),
        CheckConstraint("(service IS NULL) = (bill_period IS NULL)", name="key_has_period"),
        *period_check("bill_period"),
        *period_check("period_booked"),
        Index("ix_payment_allocations_account_key", "account_id", "bill_period"),
        # the penalty state takes in one month's allocations of a batch (migration 0127)
        Index("ix_payment_allocations_booked_account", "period_booked", "account_id"),
        Index("ix_payment_allocations_booked", "period_booked", "provider_id"),
        Index("ix_payment_allocations_day", "booked_on", "provider_id"),
        # PostgreSQL: checked once per statement by a trigger (migration 0126)
        *(sqlite_foreign_key(column, target, "payment_allocations_references")
          for column, target in (
              ("payment_id", "payments.id"), ("account_id", "accounts.id"),
              ("provider_id", "providers.id"), ("period_booked", "billing_periods.period"))),
    )

    id: Mapped[IdPK]
    payment_id: Mapped[int] = mapped_column(BIG_ID, index=True)
    account_id: Mapped[int] = mapped_column(BIG_ID)
    service: Mapped[str | None] = mapped_column(String(64))
    provider_id: Mapped[int | None] = mapped_column(BIG_ID)
    bill_period: Mapped[str | None] = mapped_column(String(7))
    """The month of the bill the paid lines were shown in (their ``period_booked``)."""
    kind: Mapped[str] = mapped_column(String(16))
    amount_kopecks: Mapped[int]
    paid_on: Mapped[date] = mapped_column(Date)
    """The day this money paid its key: the payment's date, or the day an advance was spent
    on it (what penalties count days up to)."""
    booked_on: Mapped[date] = mapped_column(Date)
    """The day the money became owed to the provider: the day the payment was received and
    posted, or the day an advance was spent (the day of the daily split to providers)."""
    period_booked: Mapped[str] = mapped_column(PERIOD)
    """The billing period open when the row was written (the turnover month of the part)."""
    rule_id: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class Transfer(Base):
    """Money sent to a provider for the collections of a range of days: recorded once."""

    __tablename__ = "provider_transfers"
    __table_args__ = (
        CheckConstraint("date_to >= date_from", name="dates_ordered"),
        integer_check("collected_kopecks"),
        integer_check("fee_kopecks"),
        integer_check("amount_kopecks"),
        CheckConstraint("amount_kopecks = collected_kopecks - fee_kopecks",
                        name="amount_is_collected_minus_fee"),
        UniqueConstraint("provider_id", "date_from", "date_to"),
    )

    id: Mapped[IdPK]
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    date_from: Mapped[date]
    date_to: Mapped[date]
    collected_kopecks: Mapped[int]
    fee_kopecks: Mapped[int]
    amount_kopecks: Mapped[int]
    reference: Mapped[str | None] = mapped_column(String(64))
    """The payment order number of the transfer."""
    actor: Mapped[str] = mapped_column(String(128))
    sent_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class PenaltyFinal(Base):
    """Per account, the bill month below which every bill's penalty is final: each of those
    bills was paid off (or owed nothing) by the end of month ``as_of``, whose penalties were
    booked from it, so its penalty no longer grows and what was booked for it is its whole
    penalty. The penalty phase of a later month skips those bills; a rerun within ``as_of``
    itself (which replaces that month's lines) skips only the bills below ``prior_before``,
    the month in force when ``as_of`` began (``modules.finance.penalties``). Valid only for the
    rules ``version`` it was computed with; an account whose past changes (a storno, a payment
    dated before the open month) loses its row and is read whole again."""

    __tablename__ = "penalty_finals"
    __table_args__ = (*period_check("final_before"), *period_check("as_of"),
                      *period_check("prior_before"))

    account_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("accounts.id"), primary_key=True,
                                            autoincrement=False)
    final_before: Mapped[str] = mapped_column(PERIOD)
    as_of: Mapped[str] = mapped_column(PERIOD)
    prior_before: Mapped[str | None] = mapped_column(PERIOD)
    version: Mapped[str] = mapped_column(String(64))


class PenaltyState(Base):
    """Per account, the penalty inputs of its open bills as of the start of the month
    ``as_of``: everything booked before that month, reduced to the bills whose penalty can
    still change (``modules.finance.penalty_state``), pruned under the rules ``version``. No
    row: no state (the account is read whole). Rebuildable from the ledger at any time.

    ``data``: the inputs as rows of four little-endian 64-bit integers — the bill's month index
    (year × 12 + month − 1), the kind (0: the bill's charges of provider ``sub``; 1: principal
    paid to it on the day of ordinal ``sub``; 2: penalties booked for it, ``sub`` 0), ``sub``
    and the kopecks. One row per account, not per input: the phase rewrites every account's
    state each month, and a row per input (six per account) with its own head row cost the
    server more than reading the month's bookings (migration 0128). No foreign key: a cache."""

    __tablename__ = "penalty_states"
    __table_args__ = (*period_check("as_of"),)

    account_id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=False)
    as_of: Mapped[str] = mapped_column(PERIOD)
    version: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


__all__ = ["ALLOCATION_KINDS", "CHANNELS", "Allocation", "Contract", "ContractScope",
           "ContractTerms", "Payment", "PaymentRegistry", "PenaltyFinal", "PenaltyState",
           "RegistryLine", "Transfer"]
