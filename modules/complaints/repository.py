"""SQL of complaints: quality incidents."""

from __future__ import annotations

from datetime import datetime

from zhkh.modules.complaints.models import QualityIncident
from zhkh.modules.db.repository import Repository


class ComplaintsRepository(Repository):
    """Reads and writes of quality incidents; flushes, never commits."""

    def add_incident(self, *, house_id: int, service: str, kind: str, started_at: datetime,
                     ended_at: datetime | None = None, premises_id: int | None = None,
                     magnitude_micro: int | None = None, reference: str | None = None
                     ) -> QualityIncident:
        """A quality incident of a house (``premises_id`` None) or of one of its premises."""
        return self._add(QualityIncident(
            house_id=house_id, premises_id=premises_id, service=service, kind=kind,
            started_at=started_at, ended_at=ended_at, magnitude_micro=magnitude_micro,
            reference=reference))

    def get_incident(self, incident_id: int) -> QualityIncident:
        """The incident; raises NotFoundError naming it."""
        return self._require(QualityIncident, incident_id)
