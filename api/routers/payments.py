"""``/v1/payments``: payments posted, listed, read and reversed (storno).

A payment is allocated at once to the account's bills and the answer carries the allocation
and the account's new balance. Payments are never edited nor deleted: a wrong one is
reversed by ``POST /v1/payments/{id}/reverse`` (a new record of the opposite amount, with the
reason and who did it) and posted again. ``Idempotency-Key`` on ``POST`` makes a retry safe
(``api/idempotency.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from zhkh.api import finance_examples as examples
from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, FinanceRulesDep, IdPath, IdQuery, SessionDep, WindowDep
from zhkh.api.errors import Responses, body_references
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.audit import Actor
from zhkh.modules.finance import service as finance
from zhkh.modules.finance.models import CHANNELS
from zhkh.modules.finance.schemas import PaymentIn, PaymentOut, ReverseIn
from zhkh.modules.finance.service import FinanceRules
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1/payments", tags=["payments"], route_class=TransactionalRoute)
READ, WRITE = allow("payments", "read"), allow("payments", "write")
REVERSE = allow("payments", "reverse")

Channel = Literal[CHANNELS]  # type: ignore[valid-type]

_POSTING: Responses = {
    422: {"description": "Неверные данные (сумма — строка с копейками, не число), "
                         "дата оплаты в будущем, счёт закрыт, нет открытого периода "
                         "(code: invalid_input, account_not_found, paid_in_future, "
                         "account_closed, no_open_period; field)"},
    409: {"description": "Ключ идемпотентности дан другому запросу "
                         "(code: idempotency_conflict)"}}


@router.post("", status_code=201, dependencies=[WRITE], responses=_POSTING,
             summary="Принять оплату")
async def post_payment(session: SessionDep, actor: ActorDep, rules: FinanceRulesDep,
                       body: Annotated[PaymentIn, Body(openapi_examples=examples.PAYMENT)]
                       ) -> PaymentOut:
    """Post a payment to an account: allocated at once to its bills (the named period and
    services first, then the oldest debt; what the bills do not take is the advance); the
    answer is the payment with its allocation and the account's new balance. An unknown
    account is 422 ``account_not_found`` naming the ``account`` field."""
    # one worker-thread hop for the work; FastAPI would spend a second one checking the
    # answer of a plain ``def`` endpoint against ``PaymentOut``
    return await run_in_threadpool(_post_payment, session, actor, body, rules)


def _post_payment(session: Session, actor: Actor, body: PaymentIn, rules: FinanceRules
                  ) -> PaymentOut:
    with body_references(account_not_found="account"):
        return finance.post_payment(session, actor, body, rules)


@router.get("", dependencies=[READ], summary="Оплаты")
def list_payments(session: SessionDep, window: WindowDep,
                  account: Annotated[str | None, Query(max_length=20,
                                                       description="Номер счёта")] = None,
                  date_from: Annotated[Day | None, Query(description="Оплачены с")] = None,
                  date_to: Annotated[Day | None, Query(description="Оплачены по")] = None,
                  channel: Annotated[Channel | None, Query(description="Канал")] = None,
                  registry_id: IdQuery = None) -> Page[PaymentOut]:
    """Payments (stornos included) of an account, paid in a date range, by channel, from a
    registry file; newest first, each with its allocation."""
    return finance.list_payments(session, account=account, date_from=date_from,
                                 date_to=date_to, channel=channel, registry_id=registry_id,
                                 limit=window.limit, offset=window.offset)


@router.get("/{payment_id}", dependencies=[READ], summary="Оплата")
def get_payment(session: SessionDep, payment_id: IdPath) -> PaymentOut:
    """One payment with its allocation (``reversed_by`` names its storno); 404
    ``payment_not_found``."""
    return finance.get_payment(session, payment_id)


@router.post("/{payment_id}/reverse", status_code=201, dependencies=[REVERSE],
             responses={409: {"description": "Оплата уже сторнирована или сама является "
                                             "сторно (code: already_reversed, storno_of_storno)"}},
             summary="Сторнировать оплату")
def reverse_payment(session: SessionDep, actor: ActorDep, rules: FinanceRulesDep,
                    payment_id: IdPath,
                    body: Annotated[ReverseIn, Body(openapi_examples=examples.REVERSE)]
                    ) -> PaymentOut:
    """Storno: a new record of the opposite amount pointing at the payment, its allocation
    reversed, the account's advance spent again; the reason is required. Returns the storno
    with the account's new balance."""
    return finance.reverse_payment(session, actor, payment_id, body, rules)
