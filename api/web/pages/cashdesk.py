"""The cash desk (Касса): open a shift, find an account, see what it owes each provider, take
a payment (cash with the change, or card) with the readings the payer dictates, print the
confirmation, hand a payment back (senior cashier), close the shift with its totals.

Every action is the cash desk service's (``modules/cashdesk/service.py``), the same the API
calls: the payment goes through finance like a bank's. Keyboard alone: each form's main field
has the focus, Enter submits, the confirmation link takes the focus after a payment.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from zhkh.adapters.print.cash_receipt import render_confirmation
from zhkh.api.web import format as fmt
from zhkh.api.web.core import Desk, Page, desk_router, require
from zhkh.modules.cashdesk import service as cashdesk
from zhkh.modules.cashdesk.schemas import (
    CashPaymentIn,
    ReadingAtDesk,
    RefundIn,
    ShiftClose,
    ShiftOpen,
)
from zhkh.modules.errors import DomainError, Invalid

router = desk_router()
DESK = Desk("Касса", "/cash", "cashdesk", "write", key="k")
READING_FIELD = re.compile(r"^reading_(\d{1,18})_([a-z_]{1,12})$")


def _money(text: str, label: str, *, required: bool = True) -> str | None:
    """A sum typed as a Russian writes it (``1 500,50``) → ``"1500.50"``; ``Invalid``
    naming ``label`` otherwise."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".").strip()
    if not cleaned:
        if required:
            raise Invalid("invalid_input", f"{label}: укажите сумму")
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise Invalid("invalid_input", f"{label}: «{text}» — не сумма (пример: 1500,00)") \
            from None
    if amount != amount.quantize(Decimal("0.01")) or amount < 0:
        raise Invalid("invalid_input", f"{label}: сумма в рублях с копейками, не меньше нуля")
    return f"{amount:.2f}"


ZONE_NAMES = {"day": "день", "night": "ночь", "peak": "пик", "half_peak": "полупик"}


def _at(text: str | None) -> str:
    """An ISO moment of a read model → ``15.11.2026 14:05`` (Moscow)."""
    return fmt.moment(datetime.fromisoformat(text)) if text else ""


def _titles(request: Request) -> dict[str, str]:
    """Service code → its title in the published rules (``cold_water`` → «Холодное …»)."""
    return {code: s.title for code, s in request.app.state.calculator.rulebook.services.items()}


def _checked(model: Any, **data: Any) -> Any:
    """``model(**data)``, its validation errors as one ``Invalid`` in Russian."""
    try:
        return model(**data)
    except ValidationError as exc:
        messages = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
        raise Invalid("invalid_input", "; ".join(messages)) from None


def _desk_page(page: Page, *, account: str = "", error: str = "", status_code: int = 200,
               form: dict[str, str] | None = None, receipt: int | None = None) -> Response:
    """The desk: the open shift (or the form to open one), the account found and its
    payment form, the shift's receipts."""
    session = page.session
    shift = cashdesk.current_shift(session, page.actor)
    owed = meters = None
    if shift is not None and account:
        try:
            owed = cashdesk.owed(session, account)
            meters = cashdesk.meters_of(session, account)
        except DomainError as exc:
            error = error or exc.message
    done = next((r for r in shift.receipts if r.id == receipt), None) if shift else None
    return page.render("cashdesk/desk.html", status_code=status_code, title="Касса",
                       shift=shift, account=account, owed=owed, meters=meters or [],
                       error=error, form=form or {}, done=done,
                       may_reverse=page.may("cashdesk", "reverse"), at=_at,
                       titles=_titles(page.request), zone_names=ZONE_NAMES)


@router.get("/cash", response_class=HTMLResponse)
def desk(page: Annotated[Page, require("cashdesk", "read")], account: str = "",
         receipt: int | None = None) -> Response:
    """The cash desk page (``?account=`` — the account found; ``?receipt=`` — the payment
    just taken, with its change and the confirmation to print)."""
    return _desk_page(page, account=account.strip()[:20], receipt=receipt)


@router.post("/cash/open")
def open_shift(page: Annotated[Page, require("cashdesk", "write")],
               desk: Annotated[str, Form(max_length=100)] = "",
               opening_float: Annotated[str, Form(max_length=30)] = "0") -> Response:
    """Open the user's shift; back to the desk."""
    try:
        body = _checked(ShiftOpen, desk=desk.strip(),
                        opening_float=_money(opening_float, "Размен", required=False) or "0")
        cashdesk.open_shift(page.session, page.actor, body)
    except DomainError as exc:
        return _desk_page(page, error=exc.message, status_code=422)
    return RedirectResponse("/cash", status_code=303)


@router.post("/cash/pay")
async def take_payment(request: Request,
                       page: Annotated[Page, require("cashdesk", "write")]) -> Response:
    """Take a payment in the user's shift with the readings typed; the desk shows the change
    and the link to the confirmation, or the form again with the refusal."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    account = form.get("account", "").strip()[:20]
    try:
        shift = cashdesk.current_shift(page.session, page.actor)
        if shift is None:
            raise Invalid("no_open_shift", "смена не открыта: откройте смену")
        readings = []
        for name, value in form.items():
            found = READING_FIELD.match(name)
            if found and value.strip():
                readings.append(_checked(ReadingAtDesk, meter_id=int(found.group(1)),
                                         zone=found.group(2),
                                         value=value.strip().replace(",", ".")))
        method = form.get("method", "cash")
        body = _checked(
            CashPaymentIn, account=account, method=method,
            amount=_money(form.get("amount", ""), "Сумма"),
            tendered=_money(form.get("tendered", ""), "Получено", required=False)
            if method == "cash" else None, readings=readings)
        receipt = cashdesk.take_payment(page.session, request.app.state.seams, page.actor,
                                        request.app.state.finance_rules, shift.id, body)
    except DomainError as exc:
        return _desk_page(page, account=account, error=exc.message, status_code=422,
                          form=form)
    return RedirectResponse(f"/cash?account={account}&receipt={receipt.id}", status_code=303)


@router.post("/cash/reverse")
def reverse(request: Request, page: Annotated[Page, require("cashdesk", "reverse")],
            payment_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
            reason: Annotated[str, Form(max_length=2000)] = "",
            account: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Hand a payment back from the user's open shift (senior cashier), with the reason."""
    try:
        shift = cashdesk.current_shift(page.session, page.actor)
        if shift is None:
            raise Invalid("no_open_shift", "смена не открыта: откройте смену, из которой "
                          "выдаются деньги")
        body = _checked(RefundIn, reason=reason.strip())
        done = cashdesk.refund(page.session, page.actor, request.app.state.finance_rules,
                               shift.id, payment_id, body)
    except DomainError as exc:
        return _desk_page(page, account=account, error=exc.message, status_code=422)
    return RedirectResponse(f"/cash?account={account}&receipt={done.id}", status_code=303)


@router.post("/cash/close")
def close(page: Annotated[Page, require("cashdesk", "write")],
          shift_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
          counted_cash: Annotated[str, Form(max_length=30)] = "") -> Response:
    """Close the shift with the cash counted; the closed shift's totals are shown."""
    try:
        body = _checked(ShiftClose, counted_cash=_money(counted_cash, "Пересчитано"))
        cashdesk.close_shift(page.session, page.actor, shift_id, body,
                             supervisor=page.may("cashdesk", "reverse"))
    except DomainError as exc:
        return _desk_page(page, error=exc.message, status_code=422)
    return RedirectResponse(f"/cash/shifts/{shift_id}", status_code=303)


@router.get("/cash/shifts/{shift_id}", response_class=HTMLResponse)
def shift_page(page: Annotated[Page, require("cashdesk", "read")], shift_id: int) -> Response:
    """A shift: its totals by method, the cash expected and counted, its receipts."""
    shift = cashdesk.get_shift(page.session, shift_id)
    return page.render("cashdesk/shift.html", title=f"Смена № {shift.id}", shift=shift, at=_at)


@router.get("/cash/shifts/{shift_id}/receipts/{receipt_id}.pdf")
def confirmation(request: Request, page: Annotated[Page, require("cashdesk", "read")],
                 shift_id: int, receipt_id: int) -> Response:
    """The printed confirmation of a payment (PDF, opened by the browser to print)."""
    found = cashdesk.confirmation(page.session, shift_id, receipt_id)
    return Response(render_confirmation(found, _titles(request)), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="receipt-{receipt_id}.pdf"'})
