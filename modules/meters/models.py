"""Meter tables. Readings and capacities are ``BigInteger`` fixed point 1e-6 (``*_micro``).

A reading is never overwritten: a correction is a new row whose ``supersedes_id`` points at
the reading it replaces; the current reading is the one nothing supersedes. An act of refused
access to a meter is never deleted either: a wrong one is cancelled with a reason.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhkh.modules.db.base import Base, IdPK, UtcDateTime, integer_check, one_of

METER_KINDS = ("individual", "shared", "house", "group")
ZONES = ("single", "day", "night", "peak", "half_peak")
READING_SOURCES = ("portal", "phone", "cashier", "bank_registry", "controller", "operator")
REVIEW_STATUSES = ("pending", "confirmed", "rejected")


class Meter(Base):
    """ИПУ / общеквартирный (on a premises) or ОДПУ / group meter (on a house)."""

    __tablename__ = "meters"
    __table_args__ = (
        one_of("kind", METER_KINDS),
        CheckConstraint(
            "(kind IN ('individual', 'shared') AND premises_id IS NOT NULL) OR "
            "(kind IN ('house', 'group') AND house_id IS NOT NULL)",
            name="placed_by_kind"),
        CheckConstraint("capacity_micro IS NULL OR capacity_micro > 0", name="capacity_positive"),
        CheckConstraint("removed_on IS NULL OR removed_on >= installed_on", name="dates_ordered"),
    )

    id: Mapped[IdPK]
    serial: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id"), index=True)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id"), index=True)
    capacity_micro: Mapped[int | None]
    """Value at which the register wraps to 0 (10⁵ m³ → 100 000 000 000); None = unknown."""
    verified_until: Mapped[date | None]
    installed_on: Mapped[date]
    removed_on: Mapped[date | None]

    zones: Mapped[list[MeterZone]] = relationship(
        cascade="all, delete-orphan", order_by="MeterZone.zone")


class MeterZone(Base):
    """A tariff zone the meter counts (``single`` for a one-rate meter)."""

    __tablename__ = "meter_zones"
    __table_args__ = (one_of("zone", ZONES),)

    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id"), primary_key=True)
    zone: Mapped[str] = mapped_column(String(16), primary_key=True)


class Reading(Base):
    """A meter reading; ``(source, source_id)`` is unique so a resent reading is stored once."""

    __tablename__ = "meter_readings"
    __table_args__ = (
        one_of("zone", ZONES),
        one_of("source", READING_SOURCES),
        integer_check("value_micro"),
        CheckConstraint("value_micro >= 0", name="value_nonnegative"),
        UniqueConstraint("source", "source_id"),
        # a reading is superseded at most once; only corrections are indexed (migration 0106)
        Index("uq_meter_readings_supersedes_id", "supersedes_id", unique=True,
              postgresql_where=text("supersedes_id IS NOT NULL"),
              sqlite_where=text("supersedes_id IS NOT NULL")),
        # the zone of a reading must be a zone of its meter
        ForeignKeyConstraint(["meter_id", "zone"], ["meter_zones.meter_id", "meter_zones.zone"]),
        Index("ix_meter_readings_meter_taken", "meter_id", "zone", "taken_on"),
    )

    id: Mapped[IdPK]
    meter_id: Mapped[int]
    zone: Mapped[str] = mapped_column(String(16), default="single")
    taken_on: Mapped[date]
    value_micro: Mapped[int]
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(128))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("meter_readings.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class AccessRefusal(Base):
    """Акт о недопуске: the consumer did not let the executor (for electricity the guaranteeing
    supplier or the grid company) in to install or check the meter of a service.

    ``account_id`` None: the act concerns every account of the premises; set: only that one (a
    room of a shared flat). ``meter_id``: the meter to be checked, when there is one. The same
    act (premises, service, number) is recorded once while it stands; a wrong record is
    cancelled (``cancelled_at`` with ``cancel_reason``), never deleted.
    """

    __tablename__ = "meter_access_refusals"
    __table_args__ = (
        CheckConstraint("(cancelled_at IS NULL) = (cancel_reason IS NULL)",
                        name="cancel_has_reason"),
        CheckConstraint("length(act_number) > 0", name="act_number_present"),
        Index("ix_meter_access_refusals_premises_service", "premises_id", "service",
              "refused_on"),
        Index("uq_meter_access_refusals_standing_act", "premises_id", "service", "act_number",
              unique=True, sqlite_where=text("cancelled_at IS NULL"),
              postgresql_where=text("cancelled_at IS NULL")),
    )

    id: Mapped[IdPK]
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    service: Mapped[str] = mapped_column(String(64))
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meters.id"))
    refused_on: Mapped[date]
    act_number: Mapped[str] = mapped_column(String(64))
    drawn_up_by: Mapped[str] = mapped_column(String(300))
    """Who drew up the act: organisation and person (контролёр, представитель поставщика)."""
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(500))


class ReadingReview(Base):
    """A reading held by the plausibility checks (``rules/checks``): not billed until an
    operator confirms it (then ``reading_id`` is the reading stored) or rejects it. A decided
    review is never changed and no review is deleted (triggers, migration 0112)."""

    __tablename__ = "reading_reviews"
    __table_args__ = (
        one_of("status", REVIEW_STATUSES),
        one_of("zone", ZONES),
        one_of("source", READING_SOURCES),
        CheckConstraint("value_micro >= 0", name="value_nonnegative"),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)",
                        name="decided_iff_not_pending"),
        CheckConstraint("(status = 'confirmed') = (reading_id IS NOT NULL)",
                        name="reading_iff_confirmed"),
        UniqueConstraint("source", "source_id"),
        Index("ix_reading_reviews_status_meter", "status", "meter_id"),
    )

    id: Mapped[IdPK]
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id"))
    zone: Mapped[str] = mapped_column(String(16), default="single")
    taken_on: Mapped[date]
    value_micro: Mapped[int]
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(128))
    checks: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    """The failed checks: ``[{"code", "message", "rule_id"}]``."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    actor: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decision_reason: Mapped[str | None] = mapped_column(String(2000))
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("meter_readings.id"))
