"""``/v1/accounts``: accounts, their services, and the account card with the ledger."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdQuery, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.billing import service as billing
from zhkh.modules.billing.schemas import AccountCard
from zhkh.modules.paging import Page
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.registry.schemas import (
    AccountCreate,
    AccountOut,
    AccountServiceIn,
    AccountServiceOut,
    AccountUpdate,
)

router = APIRouter(prefix="/v1/accounts", tags=["registry"], route_class=TransactionalRoute)
READ, WRITE = allow("registry", "read"), allow("registry", "write")
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


@router.post("", status_code=201, dependencies=[WRITE], summary="Открыть лицевой счёт")
def create_account(session: SessionDep, actor: ActorDep, body: AccountCreate) -> AccountOut:
    """A new account with its services; 409 ``account_exists`` for a number in use."""
    return registry.account_view(session, registry.create_account(session, actor, body))


@router.get("", dependencies=[READ], summary="Лицевые счета")
def list_accounts(session: SessionDep, window: WindowDep, house_id: IdQuery = None,
                  premises_id: IdQuery = None,
                  open_on: Annotated[date | None, Query(description="Открытые на дату")] = None,
                  ) -> Page[AccountOut]:
    """Accounts of a house or a premises, optionally only those open on a day."""
    items, total = RegistryRepository(session).list_accounts(
        house_id=house_id, premises_id=premises_id, open_on=open_on, limit=window.limit,
        offset=window.offset)
    return Page[AccountOut](items=[registry.account_view(session, a) for a in items],
                            total=total, limit=window.limit, offset=window.offset)


@router.get("/{number}", dependencies=[READ], summary="Карточка лицевого счёта")
def account_card(session: SessionDep, number: str,
                 period_from: Annotated[str | None, Query(pattern=PERIOD)] = None,
                 period_to: Annotated[str | None, Query(pattern=PERIOD)] = None) -> AccountCard:
    """Details, services, and ledger lines by booked period with explain and recalculations."""
    return billing.account_card(session, number, period_from=period_from, period_to=period_to)


@router.patch("/{number}", dependencies=[WRITE], summary="Изменить лицевой счёт")
def update_account(session: SessionDep, actor: ActorDep, number: str,
                   body: AccountUpdate) -> AccountOut:
    """Change the opening or closing date."""
    return registry.account_view(session, registry.update_account(session, actor, number, body))


@router.post("/{number}/services", status_code=201, dependencies=[WRITE],
             summary="Подключить услугу")
def add_service(session: SessionDep, actor: ActorDep, number: str,
                body: AccountServiceIn) -> AccountServiceOut:
    """A service of the account from a provider (by code) for a date range."""
    svc = registry.add_account_service(session, actor, number, body)
    return AccountServiceOut(id=svc.id, service=svc.service, provider=body.provider,
                             date_from=svc.date_from, date_to=svc.date_to)
