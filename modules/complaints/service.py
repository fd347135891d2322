"""Complaints services: quality incidents recorded by the dispatcher.

An incident is checked against the ``quality`` rules (the service must have a rule for its
kind), stored, audited, and the accounts it concerns — those of its premises, or of every
premises of its house, that have its service — are recalculated from the month it starts:
closed months get recalculation lines in the open one, the open month's lines are computed
again. An incident without an end reduces nothing yet, so recording it recalculates nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.complaints.models import QualityIncident
from zhkh.modules.complaints.repository import ComplaintsRepository
from zhkh.modules.complaints.schemas import (
    IncidentCreate,
    IncidentUpdate,
    RecalcSummary,
    shape_problem,
)
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Invalid
from zhkh.modules.registry.models import House, Premises
from zhkh.modules.schemas import AccountRecalc, decimal_text, micro
from zhkh.modules.seams import Seams, period_of

INCIDENT_FIELDS = ("house_id", "premises_id", "service", "kind", "started_at", "ended_at",
                   "reference")

Recalculated = tuple[list[AccountRecalc] | None, RecalcSummary | None]
"""The accounts' new lines (premises incidents only) and the summary of a recalculation."""


def get_incident(session: Session, incident_id: int) -> QualityIncident:
    """The incident or ``NotFound`` (``incident_not_found``)."""
    return get_or_not_found(session, QualityIncident, incident_id, code="incident_not_found",
                            message=f"инцидент {incident_id} не найден",
                            obj=f"incident:{incident_id}")


def create_incident(session: Session, seams: Seams, actor: Actor, data: IncidentCreate
                    ) -> tuple[QualityIncident, Recalculated]:
    """Record an incident of a house or a premises; a closed one recalculates the accounts
    it concerns."""
    house_id = house_of(session, data.house_id, data.premises_id)
    covered_by_rules(seams, data.service, data.kind)
    _fits(data.kind, data.started_at, data.ended_at, data.magnitude)
    incident = ComplaintsRepository(session).add_incident(
        house_id=house_id, premises_id=data.premises_id, service=data.service, kind=data.kind,
        started_at=data.started_at, ended_at=data.ended_at, magnitude_micro=micro(data.magnitude),
        reference=data.reference)
    audit.record(session, actor.with_reason(data.reason), action="incident.create",
                 object_type="quality_incident", object_id=incident.id, after=_snapshot(incident))
    if incident.ended_at is None:
        return incident, (None, None)
    return incident, _recalculate(session, seams, incident, incident.started_at)


def update_incident(session: Session, seams: Seams, actor: Actor, incident_id: int,
                    data: IncidentUpdate) -> tuple[QualityIncident, Recalculated]:
    """Change times, magnitude or reference (``ended_at`` closes the incident, ``null``
    reopens it); the accounts are recalculated from the earlier of the old and new start
    unless the incident was and stays open."""
    incident = get_incident(session, incident_id)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    if "started_at" in changes and changes["started_at"] is None:
        raise Invalid("field_required", "поле started_at не может быть пустым",
                      field="started_at")
    started = changes.get("started_at", incident.started_at)
    ended = changes.get("ended_at", incident.ended_at)
    magnitude = changes.get("magnitude", decimal_text(incident.magnitude_micro))
    _fits(incident.kind, started, ended, magnitude)
    before = _snapshot(incident)
    was_closed, old_start = incident.ended_at is not None, incident.started_at
    incident.started_at, incident.ended_at = started, ended
    incident.magnitude_micro = micro(magnitude)
    if "reference" in changes:
        incident.reference = changes["reference"]
    session.flush()
    after = _snapshot(incident)
    audit.record(session, actor.with_reason(data.reason), action="incident.update",
                 object_type="quality_incident", object_id=incident.id, before=before,
                 after=after)
    if before == after or not (was_closed or ended is not None):
        return incident, (None, None)
    return incident, _recalculate(session, seams, incident, min(old_start, started))


def _snapshot(incident: QualityIncident) -> dict[str, Any]:
    return {**audit.snapshot(incident, INCIDENT_FIELDS),
            "magnitude": decimal_text(incident.magnitude_micro)}


def house_of(session: Session, house_id: int | None, premises_id: int | None) -> int:
    """The house of a premises (checked against ``house_id`` if both are given) or the
    given house; ``Invalid`` naming the field when either is unknown or neither is given."""
    if premises_id is not None:
        premises = session.get(Premises, premises_id)
        if premises is None:
            raise Invalid("premises_not_found", f"помещение {premises_id} не найдено",
                          field="premises_id")
        if house_id is not None and house_id != premises.house_id:
            raise Invalid("premises_not_in_house", f"помещение {premises_id} находится не в "
                          f"доме {house_id}, а в доме {premises.house_id}", field="premises_id")
        return premises.house_id
    if house_id is None:
        raise Invalid("house_required", "укажите дом (house_id) или помещение (premises_id)",
                      field="house_id")
    if session.get(House, house_id) is None:
        raise Invalid("house_not_found", f"дом {house_id} не найден", field="house_id")
    return house_id


def covered_by_rules(seams: Seams, service: str, kind: str) -> None:
    """``Invalid`` (``no_quality_rule``) unless the quality rules describe ``kind`` of
    ``service``; the message lists the kinds they do describe."""
    kinds = seams.vocabulary.incident_kinds(service)
    if kind in kinds:
        return
    known = (f"для неё описаны: {', '.join(kinds)}" if kinds
             else "для этой услуги правил снижения платы нет")
    raise Invalid("no_quality_rule", f"правила снижения платы (quality) не описывают "
                  f"инцидент «{kind}» услуги {service}; {known}",
                  field="kind" if kinds else "service")


def _fits(kind: str, started: datetime, ended: datetime | None, magnitude: str | None) -> None:
    problem = shape_problem(kind, started, ended, magnitude)
    if problem is not None:
        code, field, message = problem
        raise Invalid(code, message, field=field)


def _recalculate(session: Session, seams: Seams, incident: QualityIncident, since: datetime
                 ) -> Recalculated:
    period = period_of(since.date())
    accounts = ComplaintsRepository(session).accounts_concerned(incident)
    results = seams.recalculate(session, accounts, period)
    summary = RecalcSummary(period=period, accounts=len(results),
                            errors=[r for r in results if r.error is not None])
    return (results if incident.premises_id is not None else None), summary
