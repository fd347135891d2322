"""``/v1/premises``: create, read, update, list premises (registry)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.paging import Page
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.registry.schemas import (
    PremisesChanged,
    PremisesCreate,
    PremisesOut,
    PremisesUpdate,
)

router = APIRouter(prefix="/v1/premises", tags=["registry"], route_class=TransactionalRoute)
READ, WRITE = allow("registry", "read"), allow("registry", "write")


@router.post("", status_code=201, dependencies=[WRITE], summary="Добавить помещение")
def create_premises(session: SessionDep, actor: ActorDep, body: PremisesCreate) -> PremisesOut:
    """A new premises; 409 ``premises_exists`` for a number already used in the house."""
    return PremisesOut.of(registry.create_premises(session, actor, body))


@router.get("", dependencies=[READ], summary="Помещения")
def list_premises(session: SessionDep, window: WindowDep, house_id: IdQuery = None,
                  kind: Literal["flat", "room", "nonresidential"] | None = None,
                  number: str | None = None) -> Page[PremisesOut]:
    """Premises filtered by house, kind and number."""
    items, total = RegistryRepository(session).list_premises(
        house_id=house_id, kind=kind, number=number, limit=window.limit, offset=window.offset)
    return Page[PremisesOut](items=[PremisesOut.of(p) for p in items], total=total,
                             limit=window.limit, offset=window.offset)


@router.get("/{premises_id}", dependencies=[READ], summary="Помещение")
def get_premises(session: SessionDep, premises_id: IdPath) -> PremisesOut:
    """One premises; 404 ``premises_not_found``."""
    return PremisesOut.of(registry.get_premises(session, premises_id))


@router.patch("/{premises_id}", dependencies=[WRITE], summary="Изменить помещение")
def update_premises(session: SessionDep, seams: SeamsDep, actor: ActorDep, premises_id: IdPath,
                    body: PremisesUpdate) -> PremisesChanged:
    """Change the fields sent; an area change returns the recalculated accounts."""
    premises, recalc = registry.update_premises(session, seams, actor, premises_id, body)
    return PremisesChanged(**PremisesOut.of(premises).model_dump(), recalculation=recalc)
