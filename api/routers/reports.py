"""Finance reports and money to the providers: ``/v1/turnover`` (оборотно-сальдовая
ведомость), ``/v1/debtors``, ``/v1/transfers`` (what each provider is owed, transfers sent,
reconciliation)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query

from zhkh.api import finance_examples as examples
from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, FinanceRulesDep, IdQuery, SessionDep, WindowDep
from zhkh.api.errors import body_references
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.errors import Invalid
from zhkh.modules.finance import contracts
from zhkh.modules.finance import service as finance
from zhkh.modules.finance.schemas import (
    DebtorOut,
    ReconciliationOut,
    TransferDueOut,
    TransferIn,
    TransferOut,
    TurnoverOut,
)
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1", tags=["finance"], route_class=TransactionalRoute)
READ, WRITE = allow("finance", "read"), allow("finance", "write")
PERIOD = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
MONEY = r"^\d{1,13}(\.\d{1,2})?$"


@router.get("/turnover", dependencies=[READ], summary="Оборотно-сальдовая ведомость")
def turnover(session: SessionDep,
             period: Annotated[str, Query(pattern=PERIOD, description="Период ГГГГ-ММ")],
             by: Annotated[Literal["house", "provider", "service", "company", "account"],
                           Query(description="Группировка строк")] = "provider",
             house_id: IdQuery = None, provider_id: IdQuery = None,
             company_id: IdQuery = None) -> TurnoverOut:
    """Per group: opening balance, charged by kind (charges, recalculations, benefits, quality
    reductions, penalties, corrections), paid (penalties apart), closing; the total row's
    charged equals the ledger's lines booked in the period to the kopeck. Advances (money not
    yet owed to anyone) are apart."""
    return finance.turnover(session, period, by, house_id=house_id, provider_id=provider_id,
                            company_id=company_id)


@router.get("/debtors", dependencies=[READ], summary="Должники по сроку долга")
def debtors(session: SessionDep, rules: FinanceRulesDep, window: WindowDep,
            on: Annotated[Day | None, Query(description="На дату (по умолчанию сегодня)")]
            = None, house_id: IdQuery = None, provider_id: IdQuery = None,
            min_debt: Annotated[str, Query(pattern=MONEY, description="Не меньше, руб.")]
            = "0.01") -> Page[DebtorOut]:
    """Accounts with billed debt on a day, split by days past the due date (0–30, 31–90,
    91–180, 181–365, over 365), the largest first."""
    found = finance.debtors(session, on or date.today(), rules, house_id=house_id,
                            provider_id=provider_id, min_debt=min_debt)
    return Page[DebtorOut](items=found[window.offset:window.offset + window.limit],
                           total=len(found), limit=window.limit, offset=window.offset)


@router.get("/transfers/due", dependencies=[READ], summary="К перечислению поставщикам")
def transfers_due(session: SessionDep,
                  day: Annotated[Day | None, Query(alias="date", description="На дату "
                                                    "(по умолчанию сегодня)")] = None
                  ) -> list[TransferDueOut]:
    """What each provider is to be sent on the day by its transfer rule: the money collected
    since its last transfer, less the agent fee, with the bank details of its contract."""
    return finance.transfers_due(session, day or date.today())


@router.post("/transfers", status_code=201, dependencies=[WRITE],
             responses={409: {"description": "Перечисление за эти дни уже записано "
                                             "(code: transfer_overlaps)"}},
             summary="Записать отправленное перечисление")
def record_transfer(session: SessionDep, actor: ActorDep,
                    body: Annotated[TransferIn, Body(openapi_examples=examples.TRANSFER)]
                    ) -> TransferOut:
    """Record that a provider's money of a range of days was sent (collected less fees);
    recorded once, never edited. An unknown provider is 422 naming ``provider_id``."""
    with body_references(provider_not_found="provider_id"):
        contracts.get_provider(session, body.provider_id)
    return finance.record_transfer(session, actor, body)


@router.get("/transfers/reconciliation", dependencies=[READ],
            summary="Сверка с поставщиками за период")
def reconciliation(session: SessionDep,
                   date_from: Annotated[Day, Query(description="С даты")],
                   date_to: Annotated[Day, Query(description="По дату")]
                   ) -> list[ReconciliationOut]:
    """Per provider over the days: collected = transferred + fees + still to transfer, to
    the kopeck (a transfer straddling an edge of the range is 422)."""
    if date_to < date_from:
        raise Invalid("dates_out_of_order", "дата окончания раньше даты начала",
                      field="date_to")
    return finance.reconcile(session, date_from, date_to)
