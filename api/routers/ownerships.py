"""``/v1/ownerships``: owners of premises with their shares (собственники, доли); each change
returns the recalculated accounts of the premises (owners count where nobody is registered,
ПП РФ №354, п. 56(2))."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.paging import Page
from zhkh.modules.passport import owners
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.schemas import OwnershipCreate, OwnershipOut, OwnershipUpdate

router = APIRouter(prefix="/v1/ownerships", tags=["passport"], route_class=TransactionalRoute)
READ, WRITE = allow("passport", "read"), allow("passport", "write")


@router.post("", status_code=201, dependencies=[WRITE], summary="Добавить собственника")
def create_ownership(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                     body: OwnershipCreate) -> OwnershipOut:
    """An owner's share of a premises from a date; returns the recalculated accounts."""
    own, recalc = owners.create_ownership(session, seams, actor, body)
    return OwnershipOut.of(own, recalc)


@router.get("", dependencies=[READ], summary="Собственники")
def list_ownerships(session: SessionDep, window: WindowDep, person_id: IdQuery = None,
                    premises_id: IdQuery = None, active_on: date | None = None
                    ) -> Page[OwnershipOut]:
    """Owners of a premises or premises of a person, optionally those in force on a day."""
    items, total = PassportRepository(session).list_ownerships(
        person_id=person_id, premises_id=premises_id, active=active_on, limit=window.limit,
        offset=window.offset)
    return Page[OwnershipOut](items=[OwnershipOut.of(o) for o in items], total=total,
                              limit=window.limit, offset=window.offset)


@router.get("/{ownership_id}", dependencies=[READ], summary="Собственник")
def get_ownership(session: SessionDep, ownership_id: IdPath) -> OwnershipOut:
    """One ownership share; 404 ``ownership_not_found``."""
    return OwnershipOut.of(owners.get_ownership(session, ownership_id))


@router.patch("/{ownership_id}", dependencies=[WRITE], summary="Изменить долю или даты")
def update_ownership(session: SessionDep, seams: SeamsDep, actor: ActorDep, ownership_id: IdPath,
                     body: OwnershipUpdate) -> OwnershipOut:
    """Change the share or the dates (``date_to`` ends it); returns the recalculated accounts."""
    own, recalc = owners.update_ownership(session, seams, actor, ownership_id, body)
    return OwnershipOut.of(own, recalc)
