"""``/v1/accounts``: accounts, their services, the account card with the ledger and the money
(composed by the finance facade: billing does not know payments), and the balance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from zhkh.api.auth import PrincipalDep, allow
from zhkh.api.deps import ActorDep, IdQuery, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.finance import service as finance
from zhkh.modules.finance.schemas import BalanceOut, FinanceAccountCard
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
PERIOD = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"


@router.post("", status_code=201, dependencies=[WRITE], summary="Открыть лицевой счёт")
def create_account(session: SessionDep, actor: ActorDep, body: AccountCreate) -> AccountOut:
    """A new account with its services; 409 ``account_exists`` for a number in use."""
    return registry.account_view(session, registry.create_account(session, actor, body))


@router.get("", dependencies=[READ], summary="Лицевые счета")
def list_accounts(session: SessionDep, window: WindowDep, house_id: IdQuery = None,
                  premises_id: IdQuery = None,
                  open_on: Annotated[Day | None, Query(description="Открытые на дату")] = None,
                  ) -> Page[AccountOut]:
    """Accounts of a house or a premises, optionally only those open on a day."""
    items, total = RegistryRepository(session).list_accounts(
        house_id=house_id, premises_id=premises_id, open_on=open_on, limit=window.limit,
        offset=window.offset)
    return Page[AccountOut](items=[registry.account_view(session, a) for a in items],
                            total=total, limit=window.limit, offset=window.offset)


@router.get("/{number}", dependencies=[READ], summary="Карточка лицевого счёта")
def account_card(session: SessionDep, principal: PrincipalDep, number: str,
                 period_from: Annotated[str | None, Query(pattern=PERIOD)] = None,
                 period_to: Annotated[str | None, Query(pattern=PERIOD)] = None
                 ) -> FinanceAccountCard:
    """Details, services, and ledger lines by booked period with explain and recalculations;
    the balance by bill month, service and provider with the debts and penalties of each
    billed month (to a role with ``balances:read``), and the payments posted in the periods
    with their allocation (to a role with ``payments:read``)."""
    return finance.account_card(session, number, period_from=period_from, period_to=period_to,
                                with_balance=principal.may("balances", "read"),
                                with_payments=principal.may("payments", "read"))


@router.get("/{number}/balance", dependencies=[allow("balances", "read")],
            summary="Баланс лицевого счёта")
def balance(session: SessionDep, number: str) -> BalanceOut:
    """What the account owes for billed months (debt, penalties), the advance, the open
    month's charges not billed yet, and each bill's line by service and provider (positive
    balance — owed by the account); 404 ``account_not_found``."""
    return finance.balance(session, number)


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
