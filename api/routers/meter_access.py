"""``/v1/meter-access-refusals``: acts of refused access to a meter (акты о недопуске); a new or
cancelled act returns the recalculated accounts it concerns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.errors import NotFound
from zhkh.modules.meters import service as meters
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.meters.schemas import (
    AccessRefusalCancel,
    AccessRefusalCreate,
    AccessRefusalOut,
)
from zhkh.modules.paging import Page
from zhkh.modules.registry.models import Account

router = APIRouter(prefix="/v1/meter-access-refusals", tags=["meters"],
                   route_class=TransactionalRoute)
READ, WRITE = allow("meter_access", "read"), allow("meter_access", "write")


@router.post("", status_code=201, dependencies=[WRITE], summary="Внести акт о недопуске")
def record_access_refusal(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                          body: AccessRefusalCreate) -> AccessRefusalOut:
    """An act of refused access to the meter of a service; returns the recalculated accounts
    of the premises (or of the one account the act names)."""
    refusal, recalc = meters.record_access_refusal(session, seams, actor, body)
    return AccessRefusalOut.of(refusal, body.account, recalc)


@router.get("", dependencies=[READ], summary="Акты о недопуске")
def list_access_refusals(session: SessionDep, window: WindowDep, premises_id: IdQuery = None,
                         account: Annotated[str | None, Query(max_length=20)] = None,
                         service: str | None = None, include_cancelled: bool = False
                         ) -> Page[AccessRefusalOut]:
    """Acts by date, of a premises, an account or a service (standing ones unless
    ``include_cancelled``); 404 ``account_not_found`` for an unknown account."""
    account_id = None
    if account is not None:
        account_id = session.scalar(select(Account.id).where(Account.number == account))
        if account_id is None:
            raise NotFound("account_not_found", f"лицевой счёт {account} не найден",
                           obj=f"account:{account}")
    items, total = MeterRepository(session).list_access_refusals(
         premises_id=premises_id, account_id=account_id, service=service,
        include_cancelled=include_cancelled, limit=window.limit, offset=window.offset)
    return Page[AccessRefusalOut](
        items=[AccessRefusalOut.of(r, meters.account_number(session, r.account_id))
               for r in items],
        total=total, limit=window.limit, offset=window.offset)


@router.get("/{refusal_id}", dependencies=[READ], summary="Акт о недопуске")
def get_access_refusal(session: SessionDep, refusal_id: IdPath) -> AccessRefusalOut:
    """One act; 404 ``access_refusal_not_found``."""
    refusal = meters.get_access_refusal(session, refusal_id)
    return AccessRefusalOut.of(refusal, meters.account_number(session, refusal.account_id))


@router.post("/{refusal_id}/cancel", dependencies=[WRITE], summary="Отменить акт о недопуске")
def cancel_access_refusal(session: SessionDep, seams: SeamsDep, actor: ActorDep, refusal_id: IdPath,
                          body: AccessRefusalCancel) -> AccessRefusalOut:
    """Cancel an act entered by mistake or annulled (it stays in the history); returns the
    recalculated accounts; 409 ``access_refusal_cancelled`` when it is already cancelled."""
    refusal, recalc = meters.cancel_access_refusal(session, seams, actor, refusal_id, body)
    return AccessRefusalOut.of(refusal, meters.account_number(session, refusal.account_id),
                               recalc)
