"""Tables of complaints: quality incidents, and the complaints of consumers with their history.

An incident concerns a whole house (``premises_id`` NULL) or one premises of it. Times are the
local wall-clock time of the house (no time zone), as an act or a dispatcher's log writes them;
an incident whose end is not yet known (``ended_at`` NULL) reduces nothing until it is closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.kernel.rulebook.kinds.quality import INCIDENTS
from zhkh.modules.db.base import Base, IdPK, UtcDateTime, integer_check, one_of

INCIDENT_KINDS = INCIDENTS
"""``interruption``, ``temperature``, ``pressure``, ``tko_delay``, ``unsafe`` — the incident
kinds the ``quality`` rules know."""


class QualityIncident(Base):
    """Недопоставка или ненадлежащее качество услуги в доме или помещении за время."""

    __tablename__ = "quality_incidents"
    __table_args__ = (
        one_of("kind", INCIDENT_KINDS),
        CheckConstraint("ended_at IS NULL OR ended_at > started_at", name="times_ordered"),
        CheckConstraint("magnitude_micro IS NULL OR magnitude_micro >= 0",
                        name="magnitude_nonnegative"),
        integer_check("magnitude_micro"),
        Index("ix_quality_incidents_house_started", "house_id", "started_at"),
    )

    id: Mapped[IdPK]
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"))
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id"), index=True)
    service: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime())
    magnitude_micro: Mapped[int | None]
    """Deviation, fixed point 1e-6: °C below the norm (temperature), percent off the permitted
    range (pressure); NULL for the other kinds."""
    reference: Mapped[str | None] = mapped_column(String(200))
    """The act or complaint the incident is recorded from (номер акта, обращения)."""
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


CHANNELS = ("phone", "portal", "visit")
"""How a complaint came in: by phone, through a portal (API), at the desk in person."""
COMPLAINT_KINDS = (*INCIDENT_KINDS, "other")
"""What a complaint is about: a quality incident the rules know, or anything else."""
STATUSES = ("new", "accepted", "inspection", "confirmed", "rejected", "closed")
"""The dispatcher's workflow (``modules/complaints/workflow.py`` says which moves are legal)."""


class Complaint(Base):
    """Обращение потребителя: кто, где, что, когда — и где оно в работе диспетчера.

    ``status``, ``status_since`` and ``due_at`` are the current step (its history is
    :class:`ComplaintEvent`, append-only); ``due_at`` is when the current step must be done by
    (NULL when closed). ``started_at`` is the local wall-clock time the problem began, as the
    caller says it (no time zone, like an incident's)."""

    __tablename__ = "complaints"
    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("kind", COMPLAINT_KINDS),
        one_of("status", STATUSES),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        CheckConstraint("(status = 'closed') = (due_at IS NULL)", name="due_iff_open"),
        Index("ix_complaints_status_due", "status", "due_at"),
        Index("ix_complaints_house_status", "house_id", "status"),
    )

    id: Mapped[IdPK]
    channel: Mapped[str] = mapped_column(String(16))
    caller_name: Mapped[str | None] = mapped_column(String(200))
    caller_phone: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"))
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id"), index=True)
    service: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime())
    text: Mapped[str] = mapped_column(Text())
    status: Mapped[str] = mapped_column(String(16))
    status_since: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("quality_incidents.id"))
    created_by: Mapped[str] = mapped_column(String(128), index=True)
    """The principal that registered it: a portal (``external_system``) reads only its own."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class ComplaintEvent(Base):
    """One step of a complaint's history: from which status to which, who, when, and why.
    Append-only: the database refuses to change or delete a row (migration 0121)."""

    __tablename__ = "complaint_events"
    __table_args__ = (
        one_of("from_status", STATUSES),
        one_of("to_status", STATUSES),
        Index("ix_complaint_events_complaint", "complaint_id", "id"),
    )

    id: Mapped[IdPK]
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    comment: Mapped[str | None] = mapped_column(Text())
