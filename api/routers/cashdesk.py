"""``/v1/cash-shifts``: the cash desk — a cashier's shift, the payments taken in it, their
printed confirmations, a payment handed back, the close with reconciled totals; and
``/v1/accounts/{number}/owed``: what an account owes each provider.

A payment taken at the desk is finance's payment (channel ``cashdesk``), allocated at once;
the answer carries the allocation, the change and the account's new balance. Readings
dictated by the payer go in the same request: all written, or — when one is refused —
nothing, the payment included. ``cashdesk:write`` (cashier, senior cashier) opens, takes and
closes; ``cashdesk:reverse`` (senior cashier, administrator) hands a payment back and closes
another cashier's shift.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Response

from zhkh.adapters.print.cash_receipt import render_confirmation
from zhkh.api.auth import PrincipalDep, allow
from zhkh.api.deps import (
    ActorDep,
    CalculatorDep,
    FinanceRulesDep,
    IdPath,
    SeamsDep,
    SessionDep,
)
from zhkh.api.errors import body_references
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.cashdesk import service as cashdesk
from zhkh.modules.cashdesk.schemas import (
    CashPaymentIn,
    OwedOut,
    ReceiptOut,
    RefundIn,
    ShiftClose,
    ShiftOpen,
    ShiftOut,
)
from zhkh.modules.errors import NotFound

router = APIRouter(prefix="/v1/cash-shifts", tags=["cash desk"], route_class=TransactionalRoute)
accounts = APIRouter(prefix="/v1/accounts", tags=["cash desk"], route_class=TransactionalRoute)
READ, WRITE = allow("cashdesk", "read"), allow("cashdesk", "write")
REVERSE = allow("cashdesk", "reverse")

PAYMENT_EXAMPLES = {
    "cash": {"summary": "Наличными со сдачей и показанием",
             "value": {"account": "1000000019", "method": "cash", "amount": "1530.40",
                       "tendered": "2000.00",
                       "readings": [{"meter_id": 1, "value": "123.456"}]}},
    "card": {"summary": "Картой", "value": {"account": "1000000019", "method": "card",
                                            "amount": "1530.40"}},
}


@router.post("", status_code=201, dependencies=[WRITE], summary="Открыть смену",
             responses={409: {"description": "У кассира уже открыта смена "
                                             "(code: shift_already_open)"}})
def open_shift(session: SessionDep, actor: ActorDep, body: ShiftOpen) -> ShiftOut:
    """Open a shift for the caller at a desk with the float in the drawer; one open shift
    per cashier."""
    return cashdesk.open_shift(session, actor, body)


@router.get("/current", dependencies=[READ], summary="Моя открытая смена")
def current_shift(session: SessionDep, actor: ActorDep) -> ShiftOut:
    """The caller's open shift with its receipts and totals; 404 ``no_open_shift``."""
    found = cashdesk.current_shift(session, actor)
    if found is None:
        raise NotFound("no_open_shift", "у вас нет открытой смены")
    return found


@router.get("/{shift_id}", dependencies=[READ], summary="Смена")
def get_shift(session: SessionDep, shift_id: IdPath) -> ShiftOut:
    """A shift with its receipts, totals by method, the cash expected (and, closed, the cash
    counted and the difference); 404 ``shift_not_found``."""
    return cashdesk.get_shift(session, shift_id)


@router.post("/{shift_id}/payments", status_code=201, dependencies=[WRITE],
             summary="Принять оплату в кассе",
             responses={409: {"description": "Смена закрыта или чужая (code: shift_closed, "
                                             "shift_of_another_cashier)"},
                        422: {"description": "Сумма, «получено» меньше суммы, счёт не найден "
                                             "или закрыт, прибор не этого счёта, показание "
                                             "не принято (ничего не записано)"}})
def take_payment(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                 rules: FinanceRulesDep, shift_id: IdPath,
                 body: Annotated[CashPaymentIn, Body(openapi_examples=PAYMENT_EXAMPLES)]
                 ) -> ReceiptOut:
    """Take a payment in the caller's open shift through finance (allocated at once), with
    the change for cash and the readings entered at the same time; the answer carries the
    payment's allocation and the account's new balance."""
    with body_references(account_not_found="account"):
        return cashdesk.take_payment(session, seams, actor, rules, shift_id, body)


@router.post("/{shift_id}/payments/{payment_id}/reverse", status_code=201,
             dependencies=[REVERSE], summary="Вернуть оплату (сторно)",
             responses={409: {"description": "Уже возвращена, смена закрыта "
                                             "(code: already_reversed, shift_closed)"},
                        422: {"description": "Оплата принята не в кассе "
                                             "(code: not_a_cashdesk_payment)"}})
def reverse_payment(session: SessionDep, actor: ActorDep, rules: FinanceRulesDep,
                    shift_id: IdPath, payment_id: IdPath, body: RefundIn) -> ReceiptOut:
    """Storno of a payment taken at a desk, its money handed back from the open shift
    ``shift_id``; the reason is required. The answer is the refund with the new balance."""
    return cashdesk.refund(session, actor, rules, shift_id, payment_id, body)


@router.post("/{shift_id}/close", dependencies=[WRITE], summary="Закрыть смену",
             responses={409: {"description": "Смена уже закрыта, чужая, или итоги не сходятся "
                                             "с оплатами (code: shift_closed, "
                                             "shift_of_another_cashier, shift_not_reconciled)"}})
def close_shift(session: SessionDep, actor: ActorDep, principal: PrincipalDep,
                shift_id: IdPath, body: ShiftClose) -> ShiftOut:
    """Close the shift with the cash counted: totals by method reconciled to the payments
    posted, the cash expected and the difference. A senior cashier may close another's."""
    return cashdesk.close_shift(session, actor, shift_id, body,
                                supervisor=principal.may("cashdesk", "reverse"))


@router.get("/{shift_id}/receipts/{receipt_id}.pdf", dependencies=[READ],
            summary="Квитанция об оплате (PDF)", response_class=Response,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "Квитанция для печати"}})
def receipt_pdf(session: SessionDep, calculator: CalculatorDep, shift_id: IdPath,
                receipt_id: IdPath) -> Response:
    """The printed confirmation of a payment (or of its return); 404 ``receipt_not_found``."""
    found = cashdesk.confirmation(session, shift_id, receipt_id)
    titles = {code: s.title for code, s in calculator.rulebook.services.items()}
    name = quote(f"квитанция-{receipt_id}.pdf")
    return Response(render_confirmation(found, titles), media_type="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=\"receipt-"
                             f"{receipt_id}.pdf\"; filename*=UTF-8''{name}"})


@accounts.get("/{number}/owed", dependencies=[allow("balances", "read")],
              summary="Задолженность по поставщикам")
def owed(session: SessionDep, number: str) -> OwedOut:
    """What the account owes each provider (billed months and the open month), its advance
    and the total to pay, with its address; 404 ``account_not_found``."""
    return cashdesk.owed(session, number)
