"""``/v1/houses``: create, read, update, list houses (registry)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.paging import Page
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.registry.schemas import (
    CommonDecisionCreate,
    CommonDecisionOut,
    HouseCreate,
    HouseOut,
    HouseUpdate,
)

router = APIRouter(prefix="/v1/houses", tags=["registry"], route_class=TransactionalRoute)
READ, WRITE = allow("registry", "read"), allow("registry", "write")


@router.post("", status_code=201, dependencies=[WRITE], summary="Добавить дом")
def create_house(session: SessionDep, actor: ActorDep, body: HouseCreate) -> HouseOut:
    """A new house; 409 ``house_exists`` for a FIAS GUID already registered."""
    return HouseOut.of(registry.create_house(session, actor, body))


@router.get("", dependencies=[READ], summary="Дома")
def list_houses(session: SessionDep, window: WindowDep,
                address: Annotated[str | None, Query(max_length=200,
                                                     description="Часть адреса")] = None,
                management_company_id: IdQuery = None) -> Page[HouseOut]:
    """Houses filtered by a part of the address and the management company."""
    items, total = RegistryRepository(session).list_houses(
        address=address, management_company_id=management_company_id, limit=window.limit,
        offset=window.offset)
    return Page[HouseOut](items=[HouseOut.of(h) for h in items], total=total,
                          limit=window.limit, offset=window.offset)


@router.get("/{house_id}", dependencies=[READ], summary="Дом")
def get_house(session: SessionDep, house_id: IdPath) -> HouseOut:
    """One house; 404 ``house_not_found``."""
    return HouseOut.of(registry.get_house(session, house_id))


@router.patch("/{house_id}", dependencies=[WRITE], summary="Изменить дом")
def update_house(session: SessionDep, seams: SeamsDep, actor: ActorDep, house_id: IdPath,
                 body: HouseUpdate) -> HouseOut:
    """Change the fields sent; an area change queues the house's accounts for recalculation."""
    return HouseOut.of(registry.update_house(session, seams, actor, house_id, body))


@router.post("/{house_id}/common-decisions", status_code=201, dependencies=[WRITE],
             summary="Решение общего собрания о СОИ")
def add_common_decision(session: SessionDep, seams: SeamsDep, actor: ActorDep, house_id: IdPath,
                        body: CommonDecisionCreate) -> CommonDecisionOut:
    """A dated decision lifting (or restoring) the cap of common-property volumes by the norm;
    404 ``house_not_found``, 409 ``common_decision_exists`` for a second one of the same date.
    The house's accounts are queued for recalculation from the decision's month."""
    return CommonDecisionOut.of(registry.add_common_decision(session, seams, actor, house_id,
                                                             body))


@router.get("/{house_id}/common-decisions", dependencies=[READ],
            summary="Решения общего собрания о СОИ")
def list_common_decisions(session: SessionDep, house_id: IdPath) -> list[CommonDecisionOut]:
    """The house's decisions on the common-property cap, by date; 404 ``house_not_found``."""
    return [CommonDecisionOut.of(d) for d in registry.common_decisions(session, house_id)]
