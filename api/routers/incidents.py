"""``/v1/incidents``: quality incidents (недопоставка, ненадлежащее качество) of a house or a
premises. A change recalculates the accounts concerned: an incident of a premises returns
their new lines, an incident of a whole house the count of accounts recalculated and those
that failed (their lines are in the account cards)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.complaints import service as complaints
from zhkh.modules.complaints.repository import ComplaintsRepository
from zhkh.modules.complaints.schemas import (
    IncidentCreate,
    IncidentKind,
    IncidentOut,
    IncidentUpdate,
)
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1/incidents", tags=["complaints"], route_class=TransactionalRoute)
READ, WRITE = allow("complaints", "read"), allow("complaints", "write")
PERIOD = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"


@router.post("", status_code=201, dependencies=[WRITE], summary="Зарегистрировать инцидент")
def create_incident(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                    body: IncidentCreate) -> IncidentOut:
    """An incident of a house (no ``premises_id``) or a premises; a closed one (with
    ``ended_at``) recalculates the accounts concerned."""
    incident, (lines, summary) = complaints.create_incident(session, seams, actor, body)
    return IncidentOut.of(incident, recalculation=lines, recalculated=summary)


@router.get("", dependencies=[READ], summary="Инциденты")
def list_incidents(session: SessionDep, window: WindowDep, house_id: IdQuery = None,
                   premises_id: IdQuery = None,
                   service: Annotated[str | None, Query(max_length=64)] = None,
                   kind: IncidentKind | None = None,
                   period: Annotated[str | None, Query(pattern=PERIOD,
                                                       description="Пересекающие месяц")] = None,
                   open_only: Annotated[bool | None, Query(
                       alias="open", description="true — без окончания, false — закрытые")]
                   = None,
                   ) -> Page[IncidentOut]:
    """Incidents of a house or a premises, of a service and kind, overlapping a month."""
    items, total = ComplaintsRepository(session).list_incidents(
        house_id=house_id, premises_id=premises_id, service=service, kind=kind, period=period,
        open_only=open_only, limit=window.limit, offset=window.offset)
    return Page[IncidentOut](items=[IncidentOut.of(i) for i in items], total=total,
                             limit=window.limit, offset=window.offset)


@router.get("/{incident_id}", dependencies=[READ], summary="Инцидент")
def get_incident(session: SessionDep, incident_id: IdPath) -> IncidentOut:
    """One incident; 404 ``incident_not_found``."""
    return IncidentOut.of(complaints.get_incident(session, incident_id))


@router.patch("/{incident_id}", dependencies=[WRITE], summary="Изменить или закрыть инцидент")
def update_incident(session: SessionDep, seams: SeamsDep, actor: ActorDep, incident_id: IdPath,
                    body: IncidentUpdate) -> IncidentOut:
    """Change times, magnitude or reference; ``ended_at`` closes the incident. Returns the
    recalculation like the creation."""
    incident, (lines, summary) = complaints.update_incident(session, seams, actor, incident_id,
                                                            body)
    return IncidentOut.of(incident, recalculation=lines, recalculated=summary)
