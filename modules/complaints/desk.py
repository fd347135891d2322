"""The complaints desk: a consumer's complaint registered, moved through the dispatcher's
workflow, its history kept.

Every change is audited (``complaint.create``, ``complaint.transition``) and appended to the
complaint's history, which the database keeps append-only. Confirming a quality complaint
(any kind but ``other``) records the quality incident it proves, with the complaint as its
reference, through :func:`~zhkh.modules.complaints.service.create_incident` — so the
reduction reaches the accounts concerned exactly as an incident entered by hand does
(recalculated through the seams when its end is known). Rejecting needs the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.complaints import service as incidents
from zhkh.modules.complaints import workflow
from zhkh.modules.complaints.models import Complaint, ComplaintEvent
from zhkh.modules.complaints.repository import ComplaintDeskRepository
from zhkh.modules.complaints.schemas import (
    ComplaintCreate,
    ComplaintEventOut,
    ComplaintOut,
    IncidentCreate,
    RecalcSummary,
    TransitionIn,
)
from zhkh.modules.errors import Conflict, Invalid, NotFound
from zhkh.modules.registry.models import Premises
from zhkh.modules.seams import Seams

COMPLAINT_FIELDS = ("channel", "account_id", "person_id", "house_id", "premises_id", "service",
                    "kind", "started_at", "status", "due_at", "incident_id")
"""What the audit log keeps of a complaint (the caller's name, phone and words are personal
and stay in the complaint only)."""


@dataclass(frozen=True)
class Transitioned:
    """A complaint after a step, and the recalculation its incident caused (if any)."""

    complaint: Complaint
    recalculated: RecalcSummary | None = None


def now() -> datetime:
    """The current moment (UTC); the one clock of the desk, replaced in tests."""
    return datetime.now(UTC)


def get_complaint(session: Session, complaint_id: int, *, created_by: str | None = None
                  ) -> Complaint:
    """The complaint or ``NotFound`` (``complaint_not_found``); with ``created_by``, another
    principal's complaint is not found either."""
    found = session.get(Complaint, complaint_id)
    if found is None or (created_by is not None and found.created_by != created_by):
        raise NotFound("complaint_not_found", f"обращение №{complaint_id} не найдено",
                       obj=f"complaint:{complaint_id}")
    return found


def register(session: Session, seams: Seams, actor: Actor, data: ComplaintCreate) -> Complaint:
    """Register a complaint in status ``new``, due per :mod:`workflow`; a quality complaint
    must be one the ``quality`` rules describe for its service (else nothing could be reduced
    when it is confirmed)."""
    repo = ComplaintDeskRepository(session)
    account_id, premises_id = _account(repo, data.account, data.premises_id)
    house_id = incidents.house_of(session, data.house_id, premises_id)
    if data.person_id is not None and not repo.person_exists(data.person_id):
        raise Invalid("person_not_found", f"человек {data.person_id} не найден",
                      field="person_id")
    if data.kind != "other":
        incidents.covered_by_rules(seams, data.service, data.kind)
    moment = now()
    complaint = repo.add(Complaint(
        channel=data.channel, caller_name=data.caller_name, caller_phone=data.caller_phone,
        account_id=account_id, person_id=data.person_id, house_id=house_id,
        premises_id=premises_id, service=data.service, kind=data.kind,
        started_at=data.started_at, text=data.text, status="new", status_since=moment,
        due_at=workflow.due_at("new", received_at=moment, entered_at=moment),
        created_by=actor.name, created_at=moment))
    repo.add_event(complaint_id=complaint.id, from_status=None, to_status="new",
                   actor=actor.name, at=moment, comment=None)
    audit.record(session, actor.with_reason(data.reason), action="complaint.create",
                 object_type="complaint", object_id=complaint.id, after=_snapshot(complaint))
    return complaint


def transition(session: Session, seams: Seams, actor: Actor, complaint_id: int,
               data: TransitionIn) -> Transitioned:
    """Move the complaint one legal step (else ``Conflict`` ``illegal_transition`` naming
    both states); ``rejected`` without a reason is ``Invalid`` ``reason_required``; a
    confirmed quality complaint records its incident (refused whole if the incident is)."""
    repo = ComplaintDeskRepository(session)
    complaint = repo.locked(complaint_id)
    if complaint is None:
        raise NotFound("complaint_not_found", f"обращение №{complaint_id} не найдено",
                       obj=f"complaint:{complaint_id}")
    message = workflow.refusal(complaint.id, complaint.status, data.to)
    if message is not None:
        raise Conflict("illegal_transition", message, obj=f"complaint:{complaint_id}")
    comment = (data.comment or "").strip() or None
    if data.to == "rejected" and comment is None:
        raise Invalid("reason_required", f"обращение №{complaint.id}: чтобы отклонить, "
                      "укажите причину (comment) — её сообщают потребителю", field="comment")
    if data.to != "confirmed" and (data.ended_at is not None or data.magnitude is not None):
        raise Invalid("only_on_confirm", "время окончания и величина отклонения указываются "
                      "только при подтверждении", field="ended_at"
                      if data.ended_at is not None else "magnitude")
    before = _snapshot(complaint)
    recalculated = None
    if data.to == "confirmed" and complaint.kind != "other":
        incident, (_lines, recalculated) = incidents.create_incident(
            session, seams, actor, IncidentCreate(
                premises_id=complaint.premises_id,
                house_id=None if complaint.premises_id else complaint.house_id,
                service=complaint.service, kind=complaint.kind, started_at=complaint.started_at,
                ended_at=data.ended_at, magnitude=data.magnitude,
                reference=f"обращение №{complaint.id}"))
        complaint.incident_id = incident.id
    moment = now()
    received = complaint.created_at or moment
    complaint.status, complaint.status_since = data.to, moment
    complaint.due_at = workflow.due_at(data.to, received_at=received, entered_at=moment)
    session.flush()
    repo.add_event(complaint_id=complaint.id, from_status=before["status"], to_status=data.to,
                   actor=actor.name, at=moment, comment=comment)
    audit.record(session, actor.with_reason(comment), action="complaint.transition",
                 object_type="complaint", object_id=complaint.id, before=before,
                 after=_snapshot(complaint))
    return Transitioned(complaint, recalculated)


def view(session: Session, complaint: Complaint, *, history: bool = False,
         recalculated: RecalcSummary | None = None, at: datetime | None = None,
         numbers: dict[int, str] | None = None, contacts: bool = True) -> ComplaintOut:
    """The read model of a complaint (with its history when asked); ``overdue`` as of ``at``
    (now by default); ``numbers`` (account id → number) spares a query per complaint of a
    list; without ``contacts`` the caller's name and phone (personal data) are left out."""
    repo = ComplaintDeskRepository(session)
    moment = at or now()
    events = repo.history(complaint.id) if history else None
    number = (numbers.get(complaint.account_id) if numbers is not None
              and complaint.account_id is not None else repo.account_number(
                  complaint.account_id))
    return ComplaintOut(
        id=complaint.id, channel=complaint.channel,
        caller_name=complaint.caller_name if contacts else None,
        caller_phone=complaint.caller_phone if contacts else None,
        contacts_hidden=not contacts, account=number,
        person_id=complaint.person_id, house_id=complaint.house_id,
        premises_id=complaint.premises_id, service=complaint.service, kind=complaint.kind,
        started_at=complaint.started_at, text=complaint.text, status=complaint.status,
        status_title=workflow.STATUS_TITLES[complaint.status],
        status_since=complaint.status_since, due_at=complaint.due_at,
        overdue=complaint.due_at is not None and complaint.due_at < moment,
        incident_id=complaint.incident_id, created_by=complaint.created_by,
        created_at=complaint.created_at,
        history=None if events is None else [_event(e) for e in events],
        recalculated=recalculated)


def views(session: Session, complaints: list[Complaint], *, at: datetime | None = None,
          contacts: bool = True) -> list[ComplaintOut]:
    """The read models of a page of complaints (without history), in two queries."""
    ids = {c.account_id for c in complaints if c.account_id is not None}
    numbers = ComplaintDeskRepository(session).account_numbers(ids)
    moment = at or now()
    return [view(session, c, at=moment, numbers=numbers, contacts=contacts)
            for c in complaints]


def sees_contacts(may: Callable[[str, str], bool]) -> bool:
    """Whether a role (its ``may(module, action)``) is shown the caller's name and phone:
    whoever works the complaint (``complaints:write``: the dispatcher calls back), a portal
    reading back what it sent (``complaints:submit``), a role with the right to personal
    data. Roles that only read complaints (analyst, auditor, methodologist, operator) need
    what happened where, not who called (152-ФЗ: the minimum for the purpose)."""
    return (may("complaints", "write") or may("complaints", "submit")
            or may("personal_data", "read"))


def _event(event: ComplaintEvent) -> ComplaintEventOut:
    return ComplaintEventOut(from_status=event.from_status, to_status=event.to_status,
                             actor=event.actor, at=event.at, comment=event.comment)


def _account(repo: ComplaintDeskRepository, number: str | None, premises_id: int | None
             ) -> tuple[int | None, int | None]:
    """The account's id and the premises (the account's, unless another is named)."""
    if number is None:
        return None, premises_id
    account = repo.account_by_number(number)
    if account is None:
        raise Invalid("account_not_found", f"лицевой счёт {number} не найден", field="account")
    if premises_id is not None and premises_id != account.premises_id:
        premises = repo.session.get(Premises, premises_id)
        if premises is None or premises.parent_id != account.premises_id:
            raise Invalid("account_not_in_premises", f"лицевой счёт {number} относится к "
                          f"другому помещению ({account.premises_id}), не к {premises_id}",
                          field="account")
    return account.id, premises_id if premises_id is not None else account.premises_id


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    return audit.snapshot(complaint, COMPLAINT_FIELDS)
