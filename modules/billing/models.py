"""Billing tables.

The ledger (``ledger_lines``) is append-only. The database itself refuses (triggers created
by the initial migration, on SQLite and PostgreSQL):

* any UPDATE of a line;
* INSERT or DELETE of a line whose ``period_booked`` is closed (an open period may be
  recomputed: its lines are deleted and written again in one transaction);
* re-opening a closed period, renaming a period, deleting a closed period.

A line's references (account, provider, booking period) are foreign keys on SQLite; on
PostgreSQL one statement-level trigger checks them per COPY (migration 0101), since per-line
foreign-key checks were over half of the server's cost of a monthly run.

Money is ``amount_kopecks``; volume and tariff are fixed point 1e-6 (``*_micro``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.modules.db.base import (
    BIG_ID,
    Base,
    IdPK,
    UtcDateTime,
    dialect_index,
    integer_check,
    one_of,
    period_check,
    sqlite_foreign_key,
)

PERIOD_STATUSES = ("open", "closed")
PERIOD = String(7).with_variant(String(7, collation="C"), "postgresql")
"""A period ``YYYY-MM``; on PostgreSQL compared byte by byte (its order is its bytes' order),
not by the locale (migration 0107)."""
LINE_KINDS = ("charge", "recalculation", "benefit", "quality_reduction", "penalty", "correction")


class BillingPeriod(Base):
    """A billing period ``YYYY-MM``: open (may be recomputed) or closed (never edited)."""

    __tablename__ = "billing_periods"
    __table_args__ = (
        *period_check("period"),
        one_of("status", PERIOD_STATUSES),
        CheckConstraint(
            "(status = 'open' AND closed_at IS NULL) OR "
            "(status = 'closed' AND closed_at IS NOT NULL)",
            name="closed_at_iff_closed"),
    )

    period: Mapped[str] = mapped_column(PERIOD, primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LedgerLine(Base):
    """One charge line: an append-only fact (ARCHITECTURE, "The ledger")."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        # on PostgreSQL a charge's period_for is its period_booked, which is a billing period
        # (checked itself); the regular expressions cost ≈1.7 µs a COPY'd line (0105)
        *period_check("period_for", postgresql_unless="kind = 'charge'"),
        *period_check("period_booked", dialects=("sqlite",)),
        one_of("kind", LINE_KINDS),
        integer_check("amount_kopecks"),
        integer_check("volume_micro"),
        integer_check("tariff_micro"),
        CheckConstraint("period_for <= period_booked", name="not_booked_before_due"),
        CheckConstraint("kind <> 'charge' OR period_for = period_booked",
                        name="charge_in_own_period"),
        # lines of a period: a B-tree on SQLite; on PostgreSQL a BRIN (lines arrive in booking
        # order), which costs the bulk COPY nothing measurable where the B-tree cost 2 µs a
        # line; a batch's delete is served by (account_id, period_for) there (migration 0104)
        dialect_index("ix_ledger_lines_booked_account", "period_booked", "account_id",
                      dialect="sqlite"),
        # (period_booked, account_id) so that the month's pages of a range of accounts are
        # found too (the penalty phase reads a closed month's lines of a batch: migration 0130)
        dialect_index("ix_ledger_lines_booked_account_brin", "period_booked", "account_id",
                      dialect="postgresql", postgresql_using="brin"),
        Index("ix_ledger_lines_account_for", "account_id", "period_for"),
        # the penalty phase deletes a batch's penalty lines of the open month: planned through
        # the BRIN it was a nested loop of bitmap ANDs per account (minutes for 100,000
        # accounts); this partial index finds them directly (migration 0113)
        dialect_index("ix_ledger_lines_penalty_account", "account_id", "period_booked",
                      dialect="postgresql", postgresql_where=text("service = 'penalty'")),
        *(sqlite_foreign_key(column, target, "ledger_lines_inserted") for column, target in (
            ("account_id", "accounts.id"), ("provider_id", "providers.id"),
            ("period_booked", "billing_periods.period"))),
    )

    id: Mapped[IdPK]
    account_id: Mapped[int] = mapped_column(BIG_ID)
    service: Mapped[str] = mapped_column(String(64))
    component: Mapped[str | None] = mapped_column(String(64))
    zone: Mapped[str | None] = mapped_column(String(16))
    provider_id: Mapped[int] = mapped_column(BIG_ID)
    period_for: Mapped[str] = mapped_column(PERIOD)
    period_booked: Mapped[str] = mapped_column(PERIOD)
    kind: Mapped[str] = mapped_column(String(24))
    method: Mapped[str | None] = mapped_column(String(32))
    volume_micro: Mapped[int | None]
    tariff_micro: Mapped[int | None]
    amount_kopecks: Mapped[int]
    rulebook_version: Mapped[str] = mapped_column(String(64))
    explain: Mapped[str | None] = mapped_column(Text)
    """Russian explanation (formula with numbers) or a JSON document as text."""
    run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class HouseMonthTotal(Base):
    """The house's figures of one common-property service in a month (the reference block of a
    payment document): house meter volume (or its п. 59(1) average; NULL by norm), the Σ of
    the premises' volumes, the areas, the cap and the volume shared. Written by the run with
    the month's lines; a closed month's rows never change (triggers, migration 0111)."""

    __tablename__ = "house_month_totals"
    __table_args__ = (
        *period_check("period"),
        one_of("source", ("meter", "average", "norm")),
        one_of("outcome", ("difference", "capped", "zero", "negative")),
        UniqueConstraint("house_id", "period", "service"),
    )

    id: Mapped[IdPK]
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"))
    period: Mapped[str] = mapped_column(PERIOD)
    service: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    house_volume_micro: Mapped[int | None] = mapped_column(BigInteger)
    individual_micro: Mapped[int] = mapped_column(BigInteger)
    common_area_micro: Mapped[int] = mapped_column(BigInteger)
    total_area_micro: Mapped[int] = mapped_column(BigInteger)
    cap_micro: Mapped[int] = mapped_column(BigInteger)
    cap_lifted: Mapped[bool]
    outcome: Mapped[str] = mapped_column(String(16))
    common_volume_micro: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[str | None] = mapped_column(String(64))


class RecalculationRequest(Base):
    """An account × period to recalculate (a late reading, a new absence …)."""

    __tablename__ = "recalculation_queue"
    __table_args__ = (
        *period_check("period_for"),
        Index("ix_recalculation_queue_pending", "processed_at", "account_id"),
    )

    id: Mapped[IdPK]
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    period_for: Mapped[str] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class RunError(Base):
    """A per-account error collected by a run (a value, not an exception)."""

    __tablename__ = "run_errors"

    id: Mapped[IdPK]
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    service: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())
