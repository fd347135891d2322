"""The finance facade the API and the CLI call: payments, balances, registries, reports,
money to providers, and what a month's end does to money. Returns read models
(``schemas``); works in the caller's transaction and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.money import format_kopecks, to_kopecks
from zhkh.kernel.penalties import PenaltyPolicy, policy_from_rulebook
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.model import Rulebook
from zhkh.modules.audit import Actor
from zhkh.modules.billing.charges import new_run_id
from zhkh.modules.billing.models import BillingPeriod
from zhkh.modules.billing.service import account_card as billing_account_card
from zhkh.modules.errors import Invalid, NotFound
from zhkh.modules.finance import balances, payments, penalties, registries, transfers
from zhkh.modules.finance.allocating import PENALTY_SERVICE
from zhkh.modules.finance.balances import AGE_BUCKETS, AccountBalance, Turnover
from zhkh.modules.finance.models import Allocation, Payment, PaymentRegistry, RegistryLine
from zhkh.modules.finance.payments import Ledgerbook, NewPayment
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.finance.schemas import (
    AllocationOut,
    BalanceOut,
    BillDebtOut,
    DebtorOut,
    FinanceAccountCard,
    KeyBalanceOut,
    MatchIn,
    PaymentIn,
    PaymentOut,
    ReconciliationOut,
    RegistryLineOut,
    RegistryOut,
    RegistryReportOut,
    ReverseIn,
    TransferDueOut,
    TransferIn,
    TransferOut,
    TurnoverOut,
    TurnoverRowOut,
)
from zhkh.modules.paging import Page, page
from zhkh.modules.registry.models import Account
from zhkh.modules.seams import ReadingChecks


@dataclass(frozen=True, slots=True)
class FinanceRules:
    """What finance takes from the published rules: allocation, the document order of
    services, the penalty policy, and the rulebook version lines are booked with."""

    book: Ledgerbook
    penalty: PenaltyPolicy
    version: str

    @classmethod
    def of(cls, rulebook: Rulebook) -> FinanceRules:
        """The finance rules of a loaded rulebook."""
        return cls(Ledgerbook.of(rulebook), policy_from_rulebook(rulebook), rulebook.version)


# payments

def post_payment(session: Session, actor: Actor, body: PaymentIn, rules: FinanceRules, *,
                 today: date | None = None) -> PaymentOut:
    """Post a payment (allocated at once) and refresh the account's penalties of the open
    month; the answer carries the allocation and the new balance."""
    today = today or date.today()
    if body.paid_on > today:
        raise Invalid("paid_in_future", f"дата оплаты {body.paid_on:%d.%m.%Y} ещё не "
                      "наступила", field="paid_on")
    account = payments.account_of(session, body.account)
    if account.closed_on is not None and account.closed_on < body.paid_on:
        raise Invalid("account_closed", f"лицевой счёт {body.account} закрыт "
                      f"{account.closed_on:%d.%m.%Y}", field="account")
    posted = payments.post(session, actor.with_reason(body.reason), NewPayment(
        account_id=account.id, paid_on=body.paid_on, amount_kopecks=to_kopecks(body.amount),
        channel=body.channel, commission_kopecks=to_kopecks(body.commission),
        operation_id=body.operation_id, designated_period=body.period,
        designated_services=tuple(body.services) if body.services else None,
        received_on=today), rules.book)
    refresh_penalties(session, [account.id], rules, posted.payment.posted_period)
    # the answer from what was just written: its rows are the parts, its account is known,
    # a new payment has no storno
    received = today
    out = _payment_out(posted.payment, account.number, [], None).model_copy(update={
        "allocation": [AllocationOut(
            kind=p.kind, bill_period=p.key.period if p.key else None,
            service=p.key.service if p.key else None,
            provider_id=p.key.provider_id if p.key else None,
            amount=format_kopecks(p.amount),
            paid_on=(p.paid_on or body.paid_on).isoformat(), booked_on=received.isoformat(),
            note=p.note) for p in posted.parts],
        "balance": balance_of(session, account.id, number=account.number)})
    return out


def reverse_payment(session: Session, actor: Actor, payment_id: int, body: ReverseIn,
                    rules: FinanceRules, *, today: date | None = None) -> PaymentOut:
    """Storno of a payment with its reason; the answer is the storno with the new balance."""
    posted = payments.reverse_payment(session, actor.with_reason(body.reason), payment_id,
                                      rules.book, on=body.on or today or date.today())
    refresh_penalties(session, [posted.payment.account_id], rules,
                      posted.payment.posted_period)
    return payment_out(session, posted.payment, with_balance=True)


def refresh_penalties(session: Session, account_ids: list[int], rules: FinanceRules,
                      period: str) -> None:
    """Book the open month's penalties of the accounts again (a payment changed them).
    Without the final months: for one account the history is one indexed read, and the
    statements that read and store its final month cost more than they save (a payment
    dated in the open month leaves the stored month valid; a storno deletes it)."""
    penalties.replace_penalties(session, account_ids, Period.parse(period), rules.penalty,
                                version=rules.version, run_id=new_run_id(period, "payment"),
                                finals=False)


def get_payment(session: Session, payment_id: int) -> PaymentOut:
    """One payment with its allocation; ``NotFound`` (``payment_not_found``)."""
    found = session.get(Payment, payment_id)
    if found is None:
        raise NotFound("payment_not_found", f"оплата {payment_id} не найдена",
                       obj=f"payment:{payment_id}")
    return payment_out(session, found)


def list_payments(session: Session, *, account: str | None = None,
                  date_from: date | None = None, date_to: date | None = None,
                  channel: str | None = None, registry_id: int | None = None,
                  limit: int = 50, offset: int = 0) -> Page[PaymentOut]:
    """Payments matching the filters, newest first, with their allocation."""
    stmt = select(Payment)
    if account is not None:
        stmt = stmt.join(Account, Account.id == Payment.account_id).where(
            Account.number == account)
    if date_from is not None:
        stmt = stmt.where(Payment.paid_on >= date_from)
    if date_to is not None:
        stmt = stmt.where(Payment.paid_on <= date_to)
    if channel is not None:
        stmt = stmt.where(Payment.channel == channel)
    if registry_id is not None:
        stmt = stmt.join(RegistryLine, RegistryLine.id == Payment.registry_line_id).where(
            RegistryLine.registry_id == registry_id)
    items, total = page(session, stmt, limit=limit, offset=offset,
                        order_by=(Payment.paid_on.desc(), Payment.id.desc()))
    outs = payment_outs(session, items)
    return Page[PaymentOut](items=outs, total=total, limit=limit, offset=offset)


def payment_outs(session: Session, items: list[Payment]) -> list[PaymentOut]:
    """Read models of payments (one query for their allocation, one for account numbers,
    one for stornos)."""
    if not items:
        return []
    rows = FinanceRepository(session).allocations_of([p.id for p in items])
    numbers = dict(session.execute(select(Account.id, Account.number).where(
        Account.id.in_({p.account_id for p in items}))).all())
    reversed_by = dict(session.execute(select(Payment.reverses_id, Payment.id).where(
        Payment.reverses_id.in_([p.id for p in items]))).all())
    return [_payment_out(p, numbers[p.account_id], rows.get(p.id, []),
                         reversed_by.get(p.id)) for p in items]


def payment_out(session: Session, payment: Payment, *, with_balance: bool = False
                ) -> PaymentOut:
    """The read model of one payment (with the account's balance when asked)."""
    out = payment_outs(session, [payment])[0]
    if with_balance:
        out = out.model_copy(update={"balance": balance_of(session, payment.account_id)})
    return out


def _payment_out(p: Payment, number: str, rows: list[Allocation],
                 reversed_by: int | None) -> PaymentOut:
    return PaymentOut(
        id=p.id, account=number, paid_on=p.paid_on.isoformat(),
        amount=format_kopecks(p.amount_kopecks), commission=format_kopecks(p.commission_kopecks),
        channel=p.channel, operation_id=p.operation_id, designated_period=p.designated_period,
        designated_services=p.designated_services, registry_line_id=p.registry_line_id,
        reverses_id=p.reverses_id, reversed_by=reversed_by, posted_period=p.posted_period,
        actor=p.actor, reason=p.reason, created_at=p.created_at.isoformat(),
        allocation=[AllocationOut(
            kind=r.kind, bill_period=r.bill_period, service=r.service,
            provider_id=r.provider_id, amount=format_kopecks(r.amount_kopecks),
            paid_on=r.paid_on.isoformat(), booked_on=r.booked_on.isoformat(), note=r.note)
            for r in rows])


# balances and reports

def balance(session: Session, number: str) -> BalanceOut:
    """An account's balance by bill, service and provider; ``NotFound`` for an unknown
    account."""
    return balance_of(session, payments.account_of(session, number).id)


_CLOSED = select(BillingPeriod.__table__.c.period).where(
    BillingPeriod.__table__.c.status == "closed")
"""The closed months (read on the connection: every payment's answer reads them)."""


def balance_of(session: Session, account_id: int, *, number: str | None = None) -> BalanceOut:
    """The balance read model of an account id (``number``: its number, when the caller
    knows it)."""
    if number is None:
        number = session.scalar(select(Account.number).where(Account.id == account_id))
    b: AccountBalance = balances.account_balance(session, account_id)  # flushes the session
    closed = set(session.connection().execute(_CLOSED).scalars())
    billed = [k for k in b.keys if k.key.period in closed]
    unbilled = sum(k.open for k in b.keys if k.key.period not in closed)
    debt = sum(k.open for k in billed if k.key.kind == "principal")
    fines = sum(k.open for k in billed if k.key.kind == "penalty")
    return BalanceOut(
        account=str(number), debt=format_kopecks(debt), penalties=format_kopecks(fines),
        advance=format_kopecks(b.advance), unbilled=format_kopecks(unbilled),
        balance=format_kopecks(debt + fines + unbilled - b.advance),
        keys=[KeyBalanceOut(
            bill_period=k.key.period, service=k.key.service, provider_id=k.key.provider_id,
            charged=format_kopecks(sum(k.charged.values())),
            charged_by_kind={kind: format_kopecks(v) for kind, v in k.charged.items() if v},
            paid=format_kopecks(k.paid), open=format_kopecks(k.open),
            billed=k.key.period in closed) for k in b.keys])


def turnover(session: Session, period: str, by: Any = "provider", **filters: Any
             ) -> TurnoverOut:
    """The turnover sheet of a period grouped ``by`` house, provider, service, company or
    account, optionally for one house, provider or company."""
    sheet = balances.turnover(session, period, by, **filters)
    return TurnoverOut(
        period=sheet.period, by=sheet.by, rows=[_turnover_row(r) for r in sheet.rows],
        total=_turnover_row(sheet.total), advance_opening=format_kopecks(sheet.advance_opening),
        advance_closing=format_kopecks(sheet.advance_closing),
        posted=format_kopecks(sheet.posted))


def _turnover_row(r: Turnover) -> TurnoverRowOut:
    return TurnoverRowOut(
        group=None if r.group is None else str(r.group), opening=format_kopecks(r.opening),
        charged={k: format_kopecks(v) for k, v in r.charged.items()},
        charged_total=format_kopecks(r.charged_total), paid=format_kopecks(r.paid),
        paid_penalties=format_kopecks(r.paid_penalties), closing=format_kopecks(r.closing))


def age_label(index: int) -> str:
    """The label of an age bucket: ``0–30``, …, ``>365``."""
    low, high = AGE_BUCKETS[index]
    return f"{low}–{high}" if high is not None else f">{low - 1}"


def debtors(session: Session, on: date, rules: FinanceRules, *, house_id: int | None = None,
            provider_id: int | None = None, min_debt: str = "0.01") -> list[DebtorOut]:
    """Accounts with billed debt on ``on``, by age past the due date, largest first."""
    found = balances.debtors(session, on, rules.penalty, house_id=house_id,
                             provider_id=provider_id, min_debt=to_kopecks(min_debt))
    return [DebtorOut(account=d.number, house_id=d.house_id, total=format_kopecks(d.total),
                      by_age={age_label(i): format_kopecks(v) for i, v in enumerate(d.buckets)})
            for d in found]


# registries

def import_registry(session: Session, actor: Actor, parsed: registries.IncomingRegistry,
                    rules: FinanceRules, *, received_on: date | None = None,
                    checks: ReadingChecks | None = None) -> RegistryReportOut:
    """Post a parsed registry file whole; see ``registries.import_registry``."""
    report = registries.import_registry(session, actor, parsed, rules.book,
                                        received_on=received_on, checks=checks)
    return RegistryReportOut(
        registry_id=report.registry_id, file_name=report.file_name, format=parsed.profile,
        lines=report.lines, posted=report.posted,
        posted_amount=format_kopecks(report.posted_kopecks), unidentified=report.unidentified,
        unidentified_amount=format_kopecks(report.unidentified_kopecks),
        duplicates=report.duplicates, commission=format_kopecks(report.commission_kopecks),
        readings=report.readings, readings_refused=report.readings_refused,
        readings_held=report.readings_held)


def registry_out(head: PaymentRegistry) -> dict[str, Any]:
    """A loaded registry as JSON: file, format, counts and sums, who loaded it and when."""
    return {"id": head.id, "file_name": head.file_name, "content_hash": head.content_hash,
            "format": head.format, "lines": head.line_count,
            "total": format_kopecks(head.total_kopecks),
            "commission": format_kopecks(head.commission_kopecks),
            "posted": head.posted_count, "unidentified": head.unidentified_count,
            "duplicates": head.duplicate_count, "actor": head.actor,
            "loaded_at": head.loaded_at.isoformat()}


def unidentified(session: Session, *, registry_id: int | None = None, limit: int = 50,
                 offset: int = 0) -> Page[RegistryLineOut]:
    """Unidentified payments waiting for an operator, oldest first."""
    items, total = registries.unidentified(session, registry_id=registry_id, limit=limit,
                                           offset=offset)
    return Page[RegistryLineOut](items=[RegistryLineOut(
        id=x.id, registry_id=x.registry_id, line_no=x.line_no, operation_id=x.operation_id,
        paid_on=x.paid_on.isoformat(), account_text=x.account_text, payer=x.payer,
        address=x.address, period=x.period, amount=format_kopecks(x.amount_kopecks),
        status=x.status) for x in items], total=total, limit=limit, offset=offset)


def match(session: Session, actor: Actor, line_id: int, body: MatchIn, rules: FinanceRules, *,
          today: date | None = None) -> PaymentOut:
    """Post an unidentified payment to the account named (audited with the reason)."""
    account = payments.account_of(session, body.account)
    payment = registries.match(session, actor.with_reason(body.reason), line_id, account.id,
                               rules.book, received_on=today or date.today())
    refresh_penalties(session, [account.id], rules, payment.posted_period)
    return payment_out(session, payment, with_balance=True)


# money to providers

def transfers_due(session: Session, day: date) -> list[TransferDueOut]:
    """What each provider is to be sent on ``day``, with bank details."""
    out = []
    for provider, money, terms, start in transfers.due_on(session, day):
        out.append(TransferDueOut(
            provider_id=provider.id, provider=provider.name, inn=provider.inn,
            date_from=start.isoformat() if start.year > 1990 else "",
            date_to=day.isoformat(), collected=format_kopecks(money.collected),
            fee=format_kopecks(money.fee),
            amount=format_kopecks(money.collected - money.fee - money.transferred),
            bank_name=terms.bank_name if terms else None, bik=terms.bik if terms else None,
            settlement_account=terms.settlement_account if terms else None,
            corr_account=terms.corr_account if terms else None))
    return out


def record_transfer(session: Session, actor: Actor, body: TransferIn) -> TransferOut:
    """Record a transfer sent to a provider for a range of days."""
    t = transfers.record(session, actor.with_reason(body.reason), body.provider_id,
                         body.date_from, body.date_to, reference=body.reference)
    return TransferOut(
        id=t.id, provider_id=t.provider_id, contract_id=t.contract_id,
        date_from=t.date_from.isoformat(), date_to=t.date_to.isoformat(),
        collected=format_kopecks(t.collected_kopecks), fee=format_kopecks(t.fee_kopecks),
        amount=format_kopecks(t.amount_kopecks), reference=t.reference, actor=t.actor,
        sent_at=t.sent_at.isoformat())


def reconcile(session: Session, first: date, last: date) -> list[ReconciliationOut]:
    """Per provider: collected = transferred + fees + still to transfer over the range."""
    return [ReconciliationOut(provider_id=r.provider_id, collected=format_kopecks(r.collected),
                              transferred=format_kopecks(r.transferred),
                              fees=format_kopecks(r.fees), pending=format_kopecks(r.pending))
            for r in transfers.reconcile(session, first, last)]


# the month's end

def settle_month(session: Session, rules: FinanceRules, *, day: date, period: str) -> int:
    """After a month closed: spend the advances on its bill; returns rows written."""
    return payments.settle_all(session, rules.book, booked_on=day, period=period)


# the account card and loaded registries (read models for the API and the CLI)

def account_card(session: Session, number: str, *, period_from: str | None = None,
                 period_to: str | None = None, with_balance: bool = True,
                 with_payments: bool = True) -> FinanceAccountCard:
    """Billing's card (details, services, ledger lines by booked period) with the balance
    by bill month × service × provider, the debts and penalties of each billed month, and the
    payments with their allocation (posted in the periods asked, newest first). A part not
    asked for is left null. ``NotFound`` for an unknown account."""
    card = billing_account_card(session, number, period_from=period_from,
                                period_to=period_to)
    extra: dict[str, Any] = {}
    if with_balance:
        extra["balance"] = balance_of(session, card.account.id)
        extra["debts"] = bill_debts(extra["balance"])
    if with_payments:
        stmt = select(Payment).where(Payment.account_id == card.account.id)
        if period_from is not None:
            stmt = stmt.where(Payment.posted_period >= period_from)
        if period_to is not None:
            stmt = stmt.where(Payment.posted_period <= period_to)
        found = list(session.scalars(stmt.order_by(Payment.paid_on.desc(), Payment.id.desc())))
        extra["payments"] = payment_outs(session, found)
    return FinanceAccountCard(**dict(card), **extra)


def bill_debts(balance: BalanceOut) -> list[BillDebtOut]:
    """What stays unpaid of each billed month: principal and penalties apart."""
    months: dict[str, list[int]] = {}
    for k in balance.keys:
        if not k.billed:
            continue
        charged, paid, debt, fines = months.setdefault(k.bill_period, [0, 0, 0, 0])
        is_penalty = k.service == PENALTY_SERVICE
        months[k.bill_period] = [
            charged + to_kopecks(k.charged), paid + to_kopecks(k.paid),
            debt + (0 if is_penalty else to_kopecks(k.open)),
            fines + (to_kopecks(k.open) if is_penalty else 0)]
    return [BillDebtOut(bill_period=p, charged=format_kopecks(c), paid=format_kopecks(pd),
                        debt=format_kopecks(d), penalties=format_kopecks(f))
            for p, (c, pd, d, f) in sorted(months.items())]


def list_registries(session: Session, *, limit: int = 50, offset: int = 0
                    ) -> Page[RegistryOut]:
    """Loaded registry files, the latest first."""
    items, total = page(session, select(PaymentRegistry), limit=limit, offset=offset,
                        order_by=PaymentRegistry.id.desc())
    return Page[RegistryOut](items=[RegistryOut(**registry_out(h)) for h in items],
                             total=total, limit=limit, offset=offset)


def get_registry(session: Session, registry_id: int) -> RegistryOut:
    """One loaded registry file; ``NotFound`` (``registry_not_found``)."""
    head = session.get(PaymentRegistry, registry_id)
    if head is None:
        raise NotFound("registry_not_found", f"реестр {registry_id} не найден",
                       obj=f"payment_registry:{registry_id}")
    return RegistryOut(**registry_out(head))
