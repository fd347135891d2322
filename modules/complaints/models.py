"""Tables of complaints: quality incidents (a service interrupted or of poor quality).

An incident concerns a whole house (``premises_id`` NULL) or one premises of it. Times are the
local wall-clock time of the house (no time zone), as an act or a dispatcher's log writes them;
an incident whose end is not yet known (``ended_at`` NULL) reduces nothing until it is closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, func
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
