"""The cash desk: open a shift, see what an account owes, take payments (with the readings
dictated at the desk), hand a payment back, close the shift with reconciled totals.

A payment taken here is finance's payment (``finance.payments.post``, channel ``cashdesk``):
allocation, penalties and the balance are exactly what a bank's payment gets; the desk adds
only the receipt (method, cash tendered, change) that ties the payment to the shift. A storno
is finance's storno (``finance.service.reverse_payment``). Everything a request does is in
the caller's transaction and nothing commits, so a reading refused after the payment was
written leaves neither (the request's unit of work rolls back whole).

Who: a shift is its cashier's — only they take payments in it and close it; a supervisor
(a role with ``cashdesk:reverse``: the senior cashier, the administrator) may close anybody's
shift and hands a payment back from any open shift (the one at whose desk the payer stands).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhkh.kernel.money import format_kopecks, to_kopecks
from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.cashdesk.models import METHODS, CashReceipt, CashShift
from zhkh.modules.cashdesk.repository import CashdeskRepository
from zhkh.modules.cashdesk.schemas import (
    CashPaymentIn,
    MeterAtDesk,
    MethodTotals,
    OwedOut,
    ProviderOwed,
    ReadingAtDesk,
    ReadingTaken,
    ReceiptOut,
    RefundIn,
    ShiftClose,
    ShiftOpen,
    ShiftOut,
)
from zhkh.modules.errors import Conflict, Invalid, NotFound
from zhkh.modules.finance import payments
from zhkh.modules.finance import service as finance
from zhkh.modules.finance.models import Payment
from zhkh.modules.finance.payments import NewPayment
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.finance.schemas import PaymentOut, ReverseIn
from zhkh.modules.finance.service import FinanceRules
from zhkh.modules.meters import service as meters
from zhkh.modules.meters.models import Meter, ReadingReview
from zhkh.modules.meters.schemas import ReadingCreate
from zhkh.modules.registry.models import Account, House, Premises, Provider
from zhkh.modules.seams import Seams

CHANNEL = "cashdesk"
SHIFT_FIELDS = ("cashier", "desk", "opened_at", "opening_float_kopecks", "closed_at",
                "closed_by", "cash_kopecks", "card_kopecks", "expected_cash_kopecks",
                "counted_cash_kopecks")
RECEIPT_FIELDS = ("shift_id", "payment_id", "kind", "method", "amount_kopecks",
                  "tendered_kopecks", "change_kopecks")


# shifts

def open_shift(session: Session, actor: Actor, body: ShiftOpen) -> ShiftOut:
    """Open a shift for the actor; a cashier with a shift still open is refused
    (``shift_already_open``), also when two requests race (a unique index decides)."""
    repo = CashdeskRepository(session)
    current = repo.open_shift_of(actor.name)
    if current is not None:
        raise Conflict("shift_already_open", f"у вас уже открыта смена № {current.id} "
                       f"({current.desk}) с {_when(current.opened_at)}: закройте её, прежде "
                       "чем открыть новую", obj=f"cash_shift:{current.id}")
    try:
        with session.begin_nested():  # a concurrent open of the same cashier loses here
            shift = repo.add_shift(CashShift(
                cashier=actor.name, desk=body.desk,
                opening_float_kopecks=to_kopecks(body.opening_float), opened_at=_now()))
    except IntegrityError:
        raise Conflict("shift_already_open", "у вас уже открыта смена: закройте её, прежде "
                       "чем открыть новую") from None
    audit.record(session, actor, action="cash_shift.open", object_type="cash_shift",
                 object_id=shift.id, after=audit.snapshot(shift, SHIFT_FIELDS))
    return shift_out(session, shift)


def current_shift(session: Session, actor: Actor) -> ShiftOut | None:
    """The actor's open shift with its receipts, or None."""
    shift = CashdeskRepository(session).open_shift_of(actor.name)
    return None if shift is None else shift_out(session, shift)


def get_shift(session: Session, shift_id: int) -> ShiftOut:
    """A shift with its receipts and totals; ``NotFound`` (``shift_not_found``)."""
    return shift_out(session, CashdeskRepository(session).shift(shift_id))


def close_shift(session: Session, actor: Actor, shift_id: int, body: ShiftClose, *,
                supervisor: bool = False) -> ShiftOut:
    """Close the shift with the cash counted. Refused (``shift_not_reconciled``, naming each
    discrepancy) unless every receipt matches the finance payment it names and no payment of
    the shift was reversed outside the desk; a closed shift is ``shift_closed``. The totals by
    method, the cash expected (float + net cash) and counted are stored with the close."""
    repo = CashdeskRepository(session)
    shift = repo.shift(shift_id, lock=True)
    if shift.closed_at is not None:
        raise Conflict("shift_closed", f"смена № {shift.id} уже закрыта "
                       f"{_when(shift.closed_at)}", obj=f"cash_shift:{shift.id}")
    _check_owner(shift, actor, supervisor=supervisor)
    receipts = repo.receipts(shift.id)
    problems = discrepancies(session, receipts)
    if problems:
        raise Conflict("shift_not_reconciled", "смену нельзя закрыть — итоги кассы не "
                       "сходятся с проведёнными оплатами: " + "; ".join(problems),
                       obj=f"cash_shift:{shift.id}")
    net = _net(receipts)
    shift.cash_kopecks, shift.card_kopecks = net["cash"], net["card"]
    shift.expected_cash_kopecks = shift.opening_float_kopecks + net["cash"]
    shift.counted_cash_kopecks = to_kopecks(body.counted_cash)
    shift.closed_by, shift.closed_at = actor.name, _now()
    session.flush()
    audit.record(session, actor, action="cash_shift.close", object_type="cash_shift",
                 object_id=shift.id, after=audit.snapshot(shift, SHIFT_FIELDS))
    return shift_out(session, shift, receipts)


def discrepancies(session: Session, receipts: list[CashReceipt]) -> list[str]:
    """Where the desk's receipts and finance's payments disagree, in Russian; empty when they
    reconcile: each receipt's payment is a cash-desk payment of the same amount, and every
    storno of a payment taken here is a refund of some shift."""
    repo = CashdeskRepository(session)
    found = repo.payments([r.payment_id for r in receipts])
    out = []
    for r in receipts:
        p = found.get(r.payment_id)
        if p is None or p.channel != CHANNEL or p.amount_kopecks != r.amount_kopecks:
            out.append(f"операция № {r.id}: {format_kopecks(r.amount_kopecks)} руб. по "
                       f"кассе, в оплатах — "
                       + ("нет оплаты" if p is None else
                          f"{format_kopecks(p.amount_kopecks)} руб. ({p.channel})"))
    taken = [r.payment_id for r in receipts if r.kind == "payment"]
    for original, storno in sorted(repo.stornos_of(taken).items()):
        if repo.receipt_of_payment(storno.id) is None:
            out.append(f"оплата № {original} сторнирована вне кассы (сторно № {storno.id}, "
                       "деньги из кассы не выданы): оформите возврат в кассе")
    return out


# an account at the desk

def owed(session: Session, number: str) -> OwedOut:
    """What the account owes each provider (billed months and the month not billed yet),
    from finance's balance; ``NotFound`` (``account_not_found``)."""
    account = payments.account_of(session, number)
    balance = finance.balance_of(session, account.id, number=account.number)
    by_provider: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for k in balance.keys:
        by_provider[k.provider_id][0 if k.billed else 1] += to_kopecks(k.open)
    names = dict(session.execute(select(Provider.id, Provider.name).where(
        Provider.id.in_(list(by_provider)))).all()) if by_provider else {}
    providers = [ProviderOwed(provider_id=pid, provider=names.get(pid, str(pid)),
                              debt=format_kopecks(d), unbilled=format_kopecks(u),
                              total=format_kopecks(d + u))
                 for pid, (d, u) in sorted(by_provider.items(),
                                           key=lambda i: names.get(i[0], "")) if d or u]
    return OwedOut(account=account.number, address=address_of(session, account),
                   providers=providers, advance=balance.advance, penalties=balance.penalties,
                   total=balance.balance)


def meters_of(session: Session, number: str, *, today: date | None = None
              ) -> list[MeterAtDesk]:
    """The meters of the account's premises working on ``today`` (installed, not removed),
    with their zones; ``NotFound`` (``account_not_found``)."""
    today = today or date.today()
    account = payments.account_of(session, number)
    found = session.scalars(select(Meter).where(
        Meter.premises_id == account.premises_id, Meter.installed_on <= today,
        (Meter.removed_on.is_(None)) | (Meter.removed_on >= today)).order_by(Meter.id))
    return [MeterAtDesk(id=m.id, service=m.service, serial=m.serial,
                        zones=[z.zone for z in m.zones]) for m in found]


def address_of(session: Session, account: Account) -> str:
    """``ул. Ленина, 1, кв. 5``: the house's address and the premises' number."""
    row = session.execute(select(House.address, Premises.number, Premises.kind).join(
        Premises, Premises.house_id == House.id).where(
        Premises.id == account.premises_id)).one()
    return f"{row.address}, {'кв.' if row.kind == 'flat' else 'пом.'} {row.number}"


# money

def take_payment(session: Session, seams: Seams, actor: Actor, rules: FinanceRules,
                 shift_id: int, body: CashPaymentIn, *, today: date | None = None
                 ) -> ReceiptOut:
    """Take a payment in the actor's open shift: the readings first (recalculated as any
    reading is), then finance's payment (channel ``cashdesk``, allocated at once, penalties of
    the open month refreshed), then the receipt with the change. Any refusal leaves nothing
    written once the caller rolls back (``shift_closed``, ``shift_of_another_cashier``,
    ``account_not_found``, ``account_closed``, ``meter_not_of_account``, a reading's)."""
    today = today or date.today()
    repo = CashdeskRepository(session)
    shift = repo.shift(shift_id, lock=True)
    _check_open(shift)
    _check_owner(shift, actor)
    account = payments.account_of(session, body.account)
    if account.closed_on is not None and account.closed_on < today:
        raise Invalid("account_closed", f"лицевой счёт {account.number} закрыт "
                      f"{account.closed_on:%d.%m.%Y}", field="account")
    taken = [_reading(session, seams, actor, account, i, r, today)
             for i, r in enumerate(body.readings)]
    amount = to_kopecks(body.amount)
    posted = payments.post(session, actor, NewPayment(
        account_id=account.id, paid_on=today, amount_kopecks=amount, channel=CHANNEL,
        designated_period=body.period, received_on=today), rules.book)
    finance.refresh_penalties(session, [account.id], rules, posted.payment.posted_period)
    tendered = None if body.method == "card" else to_kopecks(body.tendered or body.amount)
    receipt = repo.add_receipt(CashReceipt(
        shift_id=shift.id, payment_id=posted.payment.id, kind="payment", method=body.method,
        amount_kopecks=amount, tendered_kopecks=tendered,
        change_kopecks=None if tendered is None else tendered - amount))
    audit.record(session, actor, action="cash_receipt.create", object_type="cash_receipt",
                 object_id=receipt.id, after=audit.snapshot(receipt, RECEIPT_FIELDS))
    return receipt_out(session, receipt, posted.payment, readings=taken, with_balance=True)


def refund(session: Session, actor: Actor, rules: FinanceRules, shift_id: int,
           payment_id: int, body: RefundIn, *, today: date | None = None) -> ReceiptOut:
    """Hand back a payment taken at a desk from the open shift ``shift_id``: finance's storno
    with the reason, and a refund receipt of the original method. A payment not taken at a
    desk is ``not_a_cashdesk_payment``; one handed back already ``already_reversed``. A storno
    finance made outside the desk is adopted (its money is handed back now)."""
    if session.get(Payment, payment_id) is None:
        raise NotFound("payment_not_found", f"оплата {payment_id} не найдена",
                       obj=f"payment:{payment_id}")
    repo = CashdeskRepository(session)
    shift = repo.shift(shift_id, lock=True)
    _check_open(shift)
    taken = repo.receipt_of_payment(payment_id)
    if taken is None or taken.kind != "payment":
        raise Invalid("not_a_cashdesk_payment", f"оплата № {payment_id} принята не в кассе: "
                      "её сторнирует бухгалтерия", field="payment_id",
                      obj=f"payment:{payment_id}")
    storno = FinanceRepository(session).reversal_of(payment_id)
    if storno is not None and repo.receipt_of_payment(storno.id) is not None:
        raise Conflict("already_reversed", f"оплата № {payment_id} уже возвращена "
                       f"(сторно № {storno.id})", obj=f"payment:{payment_id}")
    if storno is None:
        out = finance.reverse_payment(session, actor, payment_id, ReverseIn(reason=body.reason),
                                      rules, today=today or date.today())
        storno = session.get(Payment, out.id)
        assert storno is not None  # just written
    receipt = repo.add_receipt(CashReceipt(
        shift_id=shift.id, payment_id=storno.id, kind="refund", method=taken.method,
        amount_kopecks=storno.amount_kopecks))
    audit.record(session, actor.with_reason(body.reason), action="cash_receipt.refund",
                 object_type="cash_receipt", object_id=receipt.id,
                 after=audit.snapshot(receipt, RECEIPT_FIELDS))
    return receipt_out(session, receipt, storno, with_balance=True)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a printed payment confirmation shows: the receipt, its shift, the payer's
    address and the names of the providers the payment went to."""

    receipt: ReceiptOut
    shift: ShiftOut
    address: str
    providers: dict[int, str]


def confirmation(session: Session, shift_id: int, receipt_id: int) -> Confirmation:
    """The confirmation of a receipt of the shift; ``NotFound`` (``receipt_not_found``) for
    a receipt of another shift too."""
    repo = CashdeskRepository(session)
    receipt = repo.receipt(receipt_id)
    if receipt.shift_id != shift_id:
        raise NotFound("receipt_not_found", f"в смене № {shift_id} нет операции № "
                       f"{receipt_id}", obj=f"cash_receipt:{receipt_id}")
    payment = session.get(Payment, receipt.payment_id)
    account = session.get(Account, payment.account_id) if payment else None
    assert payment is not None and account is not None  # foreign keys
    out = receipt_out(session, receipt, payment, with_balance=True)
    ids = {a.provider_id for a in out.payment.allocation if a.provider_id is not None}
    names = dict(session.execute(select(Provider.id, Provider.name).where(
        Provider.id.in_(ids))).all()) if ids else {}
    return Confirmation(out, shift_out(session, repo.shift(shift_id), with_receipts=False),
                        address_of(session, account), names)


# read models

def shift_out(session: Session, shift: CashShift, receipts: list[CashReceipt] | None = None,
              *, with_receipts: bool = True) -> ShiftOut:
    """The read model of a shift: its totals by method and, when asked, its receipts."""
    if receipts is None:
        receipts = CashdeskRepository(session).receipts(shift.id)
    net = _net(receipts)
    expected = shift.opening_float_kopecks + net["cash"]
    counted = shift.counted_cash_kopecks
    outs = []
    if with_receipts and receipts:
        found = CashdeskRepository(session).payments([r.payment_id for r in receipts])
        # one query each for the allocation, the numbers and the stornos of all of them
        paid = {p.id: p for p in finance.payment_outs(session, list(found.values()))}
        outs = [_receipt(r, paid[r.payment_id]) for r in receipts]
    return ShiftOut(
        id=shift.id, cashier=shift.cashier, desk=shift.desk,
        opened_at=shift.opened_at.isoformat(),
        opening_float=format_kopecks(shift.opening_float_kopecks),
        status="open" if shift.closed_at is None else "closed",
        closed_at=shift.closed_at.isoformat() if shift.closed_at else None,
        closed_by=shift.closed_by, totals=_totals(receipts),
        expected_cash=format_kopecks(expected),
        counted_cash=None if counted is None else format_kopecks(counted),
        difference=None if counted is None else format_kopecks(counted - expected),
        receipts=outs)


def receipt_out(session: Session, r: CashReceipt, payment: Payment, *,
                readings: list[ReadingTaken] | None = None, with_balance: bool = False
                ) -> ReceiptOut:
    """The read model of a receipt with its finance payment (and the account's balance)."""
    paid = finance.payment_out(session, payment, with_balance=with_balance)
    return _receipt(r, paid, readings=readings)


def _receipt(r: CashReceipt, paid: PaymentOut, *, readings: list[ReadingTaken] | None = None
             ) -> ReceiptOut:
    return ReceiptOut(
        id=r.id, shift_id=r.shift_id, kind=r.kind, method=r.method,
        amount=format_kopecks(r.amount_kopecks),
        tendered=None if r.tendered_kopecks is None else format_kopecks(r.tendered_kopecks),
        change=None if r.change_kopecks is None else format_kopecks(r.change_kopecks),
        created_at=r.created_at.isoformat(), payment=paid.model_copy(update={"balance": None}),
        readings=readings or [], balance=paid.balance)


# helpers

def _reading(session: Session, seams: Seams, actor: Actor, account: Account, index: int,
             r: ReadingAtDesk, today: date) -> ReadingTaken:
    meter = session.get(Meter, r.meter_id)
    if meter is None or meter.premises_id != account.premises_id:
        raise Invalid("meter_not_of_account", f"прибор учёта {r.meter_id} не установлен в "
                      f"помещении счёта {account.number}", field=f"readings.{index}.meter_id")
    stored, created, _ = meters.add_reading(session, seams, actor, meter.id, ReadingCreate(
        taken_on=today, value=r.value, source="cashier", zone=r.zone))
    status = ("held_for_review" if isinstance(stored, ReadingReview)
              else "accepted" if created else "already_accepted")
    return ReadingTaken(meter_id=meter.id, zone=r.zone, value=r.value, status=status,
                        id=stored.id)


def _net(receipts: list[CashReceipt]) -> dict[str, int]:
    net = dict.fromkeys(METHODS, 0)
    for r in receipts:
        net[r.method] += r.amount_kopecks
    return net


def _totals(receipts: list[CashReceipt]) -> list[MethodTotals]:
    out = []
    for method in METHODS:
        mine = [r for r in receipts if r.method == method]
        taken = [r.amount_kopecks for r in mine if r.kind == "payment"]
        back = [-r.amount_kopecks for r in mine if r.kind == "refund"]
        out.append(MethodTotals(method=method, payments=len(taken),
                                taken=format_kopecks(sum(taken)), refunds=len(back),
                                refunded=format_kopecks(sum(back)),
                                net=format_kopecks(sum(taken) - sum(back))))
    return out


def _check_open(shift: CashShift) -> None:
    if shift.closed_at is not None:
        raise Conflict("shift_closed", f"смена № {shift.id} закрыта {_when(shift.closed_at)}: "
                       "откройте новую смену", obj=f"cash_shift:{shift.id}")


def _check_owner(shift: CashShift, actor: Actor, *, supervisor: bool = False) -> None:
    if shift.cashier != actor.name and not supervisor:
        raise Conflict("shift_of_another_cashier", f"смена № {shift.id} открыта другим "
                       f"кассиром ({shift.cashier}): работайте в своей смене",
                       obj=f"cash_shift:{shift.id}")


def _now() -> datetime:
    return datetime.now(UTC)


def _when(moment: datetime) -> str:
    return f"{moment:%d.%m.%Y %H:%M}"
