"""Payments: post one (allocated at once), reverse one (storno), settle an account's advance.

Every function works in the caller's transaction and never commits; every mutation is audited.
After any of them the account's allocation rows satisfy: each payment's rows sum to its amount;
no key is paid beyond what its bill charges; an account holding an advance has no open debt
(an advance is spent on the bills as soon as there are any — when a month closes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhkh.kernel.allocation import AllocationPolicy
from zhkh.kernel.allocation.rulebook import allocation_policy_from_rulebook
from zhkh.kernel.rulebook.model import Rulebook
from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.errors import Conflict, Invalid, NotFound
from zhkh.modules.finance.allocating import Part, consume, reverse, split
from zhkh.modules.finance.models import Payment, PenaltyFinal
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.registry.models import Account

PAYMENT_FIELDS = ("account_id", "paid_on", "amount_kopecks", "commission_kopecks", "channel",
                  "operation_id", "designated_period", "designated_services",
                  "registry_line_id", "reverses_id", "posted_period")


@dataclass(frozen=True, slots=True)
class Ledgerbook:
    """What allocation needs of the rules: the policy and the document order of services."""

    policy: AllocationPolicy
    services: tuple[str, ...]

    @classmethod
    def of(cls, rulebook: Rulebook) -> Ledgerbook:
        """The allocation policy and service order of ``rulebook``."""
        return cls(allocation_policy_from_rulebook(rulebook), tuple(rulebook.services))


@dataclass(frozen=True, slots=True)
class NewPayment:
    """A payment to post: money in kopecks, already validated by the caller's schema."""

    account_id: int
    paid_on: date
    amount_kopecks: int
    channel: str
    commission_kopecks: int = 0
    operation_id: str | None = None
    designated_period: str | None = None
    designated_services: tuple[str, ...] | None = None
    registry_line_id: int | None = None
    received_on: date | None = None
    """The day the billing center got the money (the day of the split to providers);
    default: today."""


@dataclass(frozen=True, slots=True)
class Posted:
    """A payment written, with the rows that allocated it (settlement rows included)."""

    payment: Payment
    parts: list[Part]


def posting_period(session: Session) -> str:
    """The open billing period payments are posted in; ``Invalid`` when none is open."""
    found = PeriodRepository(session).latest_open()
    if found is None:
        raise Invalid("no_open_period", "нет открытого расчётного периода: оплаты проводятся "
                      "в открытом периоде (zhkh period open ГГГГ-ММ или zhkh run)")
    return found


def post(session: Session, actor: Actor, new: NewPayment, book: Ledgerbook, *,
         period: str | None = None, audited: bool = True) -> Posted:
    """Write the payment and its allocation in the open period; returns both.

    Guarantees: the allocation rows of the payment sum to its amount; what the open bills do
    not take is the advance. ``period`` (the open period) may be given by a bulk caller.
    """
    if new.amount_kopecks <= 0:
        raise Invalid("amount_not_positive", "сумма оплаты должна быть больше нуля",
                      field="amount")
    period = period or posting_period(session)
    repo = FinanceRepository(session)
    repo.lock_accounts([new.account_id])
    payment = repo.add_payment(
        account_id=new.account_id, paid_on=new.paid_on, amount_kopecks=new.amount_kopecks,
        commission_kopecks=new.commission_kopecks, channel=new.channel,
        operation_id=new.operation_id, designated_period=new.designated_period,
        designated_services=list(new.designated_services) if new.designated_services else None,
        registry_line_id=new.registry_line_id, posted_period=period, actor=actor.name,
        reason=actor.reason)
    open_keys = repo.open_keys([new.account_id])[new.account_id]
    parts = split(payment.id, new.amount_kopecks, open_keys, book.services, book.policy,
                  designated_period=new.designated_period,
                  designated_services=new.designated_services)
    received = new.received_on or date.today()
    repo.write_parts(((new.account_id, p) for p in parts), booked_on=received,
                     paid_on=new.paid_on, period_booked=period, rule_id=book.policy.rule_id)
    if audited:
        audit.record(session, actor, action="payment.create", object_type="payment",
                     object_id=payment.id, after=audit.snapshot(payment, PAYMENT_FIELDS))
    return Posted(payment, parts)


def reverse_payment(session: Session, actor: Actor, payment_id: int, book: Ledgerbook, *,
                    on: date) -> Posted:
    """Storno of a payment: a new payment of the opposite amount pointing at it, its
    allocation reversed, the account settled again. A storno or a payment already reversed is
    a ``Conflict``; the reason is required (``Invalid``)."""
    if not actor.reason:
        raise Invalid("reason_required", "укажите причину сторно", field="reason")
    original = session.get(Payment, payment_id)
    if original is not None:
        FinanceRepository(session).lock_accounts([original.account_id])
    if original is None:
        raise NotFound("payment_not_found", f"оплата {payment_id} не найдена",
                       obj=f"payment:{payment_id}")
    if original.reverses_id is not None:
        raise Conflict("storno_of_storno", f"запись {payment_id} сама является сторно")
    repo = FinanceRepository(session)
    if repo.reversal_of(payment_id) is not None:
        raise Conflict("already_reversed", f"оплата {payment_id} уже сторнирована",
                       obj=f"payment:{payment_id}")
    period = posting_period(session)
    storno = repo.add_payment(
        account_id=original.account_id, paid_on=on, amount_kopecks=-original.amount_kopecks,
        commission_kopecks=0, channel=original.channel, operation_id=original.operation_id,
        designated_period=original.designated_period, registry_line_id=None,
        reverses_id=original.id, posted_period=period, actor=actor.name, reason=actor.reason)
    # a bill this payment paid is owed again: its penalty is no longer final
    session.execute(delete(PenaltyFinal).where(PenaltyFinal.account_id == original.account_id),
                    execution_options={"synchronize_session": False})
    parts = reverse(storno.id, repo.rows_of(original.id))  # each row keeps its day paid
    repo.write_parts(((original.account_id, p) for p in parts), booked_on=on,
                     period_booked=period, rule_id="storno")
    parts += settle(session, [original.account_id], book, booked_on=on, period=period)
    audit.record(session, actor, action="payment.reverse", object_type="payment",
                 object_id=original.id, after=audit.snapshot(storno, PAYMENT_FIELDS))
    return Posted(storno, parts)


def settle(session: Session, account_ids: Sequence[int], book: Ledgerbook, *,
           booked_on: date, period: str) -> list[Part]:
    """Spend the accounts' advances on their open keys (when a month closes, its bill is what
    they pay); writes and returns the rows. Accounts without an advance or a debt get none."""
    repo = FinanceRepository(session)
    repo.lock_accounts(account_ids)
    written: list[tuple[int, Part]] = []
    advances = repo.advances(list(account_ids))
    if not advances:
        return []
    open_by_account = repo.open_keys(list(advances))
    for account_id, stored in advances.items():
        open_keys = open_by_account.get(account_id, {})
        if any(v > 0 for v in open_keys.values()):
            written += [(account_id, p) for p in consume(stored, open_keys, book.services,
                                                          book.policy)]
    repo.write_parts(written, booked_on=booked_on, period_booked=period,
                     rule_id=book.policy.rule_id)
    return [p for _, p in written]


def account_of(session: Session, number: str) -> Account:
    """The account with ``number`` or ``NotFound``."""
    account = session.scalar(select(Account).where(Account.number == number))
    if account is None:
        raise NotFound("account_not_found", f"лицевой счёт {number} не найден",
                       field="account", obj=f"account:{number}")
    return account


def settle_all(session: Session, book: Ledgerbook, *, booked_on: date, period: str) -> int:
    """:func:`settle` every account holding an advance (after a month closes and its bill
    exists); returns the number of rows written."""
    repo = FinanceRepository(session)
    repo.lock_all()
    accounts = repo.accounts_with_advance()
    written = 0
    for i in range(0, len(accounts), 5000):
        written += len(settle(session, accounts[i:i + 5000], book, booked_on=booked_on,
                              period=period))
    return written
