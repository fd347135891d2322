"""SQL of complaints: quality incidents."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import or_, select

from zhkh.kernel.period import Period
from zhkh.modules.complaints.models import QualityIncident
from zhkh.modules.db.repository import Repository
from zhkh.modules.paging import page
from zhkh.modules.registry.models import Account, AccountService, Premises


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

    def list_incidents(self, *, house_id: int | None = None,
                       premises_id: int | None = None, service: str | None = None,
                       kind: str | None = None, period: str | None = None,
                       open_only: bool | None = None, limit: int, offset: int
                       ) -> tuple[list[QualityIncident], int]:
        """Incidents of a house (its whole-house and premises ones) or of a premises, of a service
        and kind, overlapping a month ``YYYY-MM``; ``open_only`` True: those without an end yet,
        False: only closed ones."""
        qi = QualityIncident
        stmt = select(qi)
        if house_id is not None:
            stmt = stmt.where(qi.house_id == house_id)
        if premises_id is not None:
            stmt = stmt.where(qi.premises_id == premises_id)
        if service is not None:
            stmt = stmt.where(qi.service == service)
        if kind is not None:
            stmt = stmt.where(qi.kind == kind)
        if period is not None:
            month = Period.parse(period)
            lo = datetime.combine(month.first_day, time.min)
            hi = datetime.combine(month.last_day + timedelta(days=1), time.min)
            stmt = stmt.where(qi.started_at < hi, (qi.ended_at.is_(None)) | (qi.ended_at > lo))
        if open_only is not None:
            stmt = stmt.where(qi.ended_at.is_(None) if open_only else qi.ended_at.is_not(None))
        return page(self.session, stmt, limit=limit, offset=offset, order_by=qi.id)

    def accounts_concerned(self, incident: QualityIncident) -> list[Account]:
        """Accounts of the incident's house (or premises, with the rooms of a communal flat) that
        have its service, by id."""
        with_service = select(AccountService.account_id).where(
            AccountService.service == incident.service)
        stmt = select(Account).where(Account.id.in_(with_service))
        if incident.premises_id is not None:
            stmt = stmt.where(Account.premises_id.in_(select(Premises.id).where(or_(
                Premises.id == incident.premises_id, Premises.parent_id == incident.premises_id))))
        else:
            stmt = stmt.where(Account.premises_id.in_(
                select(Premises.id).where(Premises.house_id == incident.house_id)))
        return list(self.session.scalars(stmt.order_by(Account.id)))
