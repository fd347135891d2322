"""SQL of complaints: quality incidents, complaints and their history."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import column, or_, select, table

from zhkh.kernel.period import Period
from zhkh.modules.complaints.models import Complaint, ComplaintEvent, QualityIncident
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


class ComplaintDeskRepository(Repository):
    """Reads and writes of complaints and their history; flushes, never commits."""

    def add(self, complaint: Complaint) -> Complaint:
        """Store a new complaint (its id becomes known)."""
        return self._add(complaint)

    def add_event(self, *, complaint_id: int, from_status: str | None, to_status: str,
                  actor: str, at: datetime, comment: str | None) -> ComplaintEvent:
        """Append one step to a complaint's history."""
        return self._add(ComplaintEvent(complaint_id=complaint_id, from_status=from_status,
                                        to_status=to_status, actor=actor, at=at,
                                        comment=comment))

    def locked(self, complaint_id: int) -> Complaint | None:
        """The complaint, its row locked for the transition (PostgreSQL: two dispatchers
        moving it at once are serialised; SQLite locks the whole database on write)."""
        return self.session.scalar(
            select(Complaint).where(Complaint.id == complaint_id).with_for_update())

    def history(self, complaint_id: int) -> list[ComplaintEvent]:
        """The complaint's steps in the order they happened."""
        return list(self.session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint_id).order_by(ComplaintEvent.id)))

    def find(self, *, status: str | None = None, house_id: int | None = None,
             overdue_at: datetime | None = None, created_by: str | None = None,
             account_id: int | None = None, limit: int, offset: int
             ) -> tuple[list[Complaint], int]:
        """Complaints of a status, a house, an account or a registering principal; with
        ``overdue_at``, only those whose current step was due before that moment. The most
        urgent first: by due time (closed last), then by id."""
        c = Complaint
        stmt = select(c)
        if status is not None:
            stmt = stmt.where(c.status == status)
        if house_id is not None:
            stmt = stmt.where(c.house_id == house_id)
        if account_id is not None:
            stmt = stmt.where(c.account_id == account_id)
        if created_by is not None:
            stmt = stmt.where(c.created_by == created_by)
        if overdue_at is not None:
            stmt = stmt.where(c.due_at.is_not(None), c.due_at < overdue_at)
        return page(self.session, stmt, limit=limit, offset=offset,
                    order_by=(c.due_at.is_(None), c.due_at, c.id))

    def account_number(self, account_id: int | None) -> str | None:
        """The number of an account by id (None for None)."""
        if account_id is None:
            return None
        return self.session.scalar(select(Account.number).where(Account.id == account_id))

    def account_numbers(self, account_ids: set[int]) -> dict[int, str]:
        """Account id → number for these ids."""
        if not account_ids:
            return {}
        return {i: n for i, n in self.session.execute(select(Account.id, Account.number).where(
            Account.id.in_(sorted(account_ids))))}

    def account_by_number(self, number: str) -> Account | None:
        """The account numbered ``number``."""
        return self.session.scalar(select(Account).where(Account.number == number))

    def person_exists(self, person_id: int) -> bool:
        """Whether a person with this id is on file (read by table name: complaints do not
        import the passport module)."""
        persons = table("persons", column("id"))
        return self.session.scalar(
            select(persons.c.id).where(persons.c.id == person_id)) is not None
