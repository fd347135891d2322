"""Money to the providers: the daily split of collections, transfers recorded, reconciliation.

What a provider is owed for a day is the allocation rows of that day to its keys (principal
and penalties; a storno's rows count negative, an advance counts when later charges consume
it), minus the agent fee of the contract in force that day: a percent of the day's money
(rounded half up per provider × contract × day) or a fixed sum per payment (stornos give it
back). A transfer covers a range of days of one provider and is recorded once; for any range,
per provider: collected = transferred + fees + still to transfer, to the kopeck.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.errors import Conflict, Invalid
from zhkh.modules.finance.models import Allocation, Contract, ContractTerms, Transfer
from zhkh.modules.registry.models import Account, House, Premises, Provider

MICRO_PERCENT = Decimal(100_000_000)
"""A percent stored in 1e-6 over 100 %: ``fee_value / 10⁸`` is the share."""


@dataclass(slots=True)
class Owed:
    """A provider's money over a range of days (kopecks)."""

    provider_id: int
    collected: int = 0
    fee: int = 0
    transferred: int = 0
    transferred_fee: int = 0
    contracts: set[int] = field(default_factory=set)
    days: set[date] = field(default_factory=set)

    @property
    def to_transfer(self) -> int:
        """Collected − fees − already transferred (of the days not yet covered)."""
        return self.collected - self.fee - self.transferred


def _daily(session: Session, first: date, last: date, provider_id: int | None
           ) -> dict[tuple[int, int | None, date], tuple[int, int]]:
    """(provider, management company, day) → (kopecks, payments) of the allocation rows."""
    stmt = (select(Allocation.provider_id, House.management_company_id, Allocation.booked_on,
                   func.sum(Allocation.amount_kopecks),
                   func.count(func.distinct(Allocation.payment_id)))
            .join(Account, Account.id == Allocation.account_id)
            .join(Premises, Premises.id == Account.premises_id)
            .join(House, House.id == Premises.house_id)
            .where(Allocation.kind != "advance", Allocation.booked_on >= first,
                   Allocation.booked_on <= last)
            .group_by(Allocation.provider_id, House.management_company_id,
                      Allocation.booked_on))
    if provider_id is not None:
        stmt = stmt.where(Allocation.provider_id == provider_id)
    # not an advance: every row has a provider
    return {(p, c, d): (int(total), int(count))  # type: ignore[misc]
            for p, c, d, total, count in session.execute(stmt)}


def _terms(session: Session, provider_id: int, company: int | None, day: date
           ) -> tuple[int | None, ContractTerms | None]:
    """The contract of a provider for a company's houses in force on ``day`` (a contract for
    that company first, else one for no company) and its terms that day."""
    stmt = (select(Contract).where(
        Contract.provider_id == provider_id, Contract.date_from <= day,
        or_(Contract.date_to.is_(None), Contract.date_to >= day),
        or_(Contract.management_company_id == company,
            Contract.management_company_id.is_(None)))
        .order_by(Contract.management_company_id.is_(None), Contract.id))
    contract = session.scalars(stmt).first()
    if contract is None:
        return None, None
    terms = session.scalar(select(ContractTerms).where(
        ContractTerms.contract_id == contract.id, ContractTerms.date_from <= day)
        .order_by(ContractTerms.date_from.desc()).limit(1))
    return contract.id, terms


def fee_of(terms: ContractTerms | None, kopecks: int, payments: int) -> int:
    """The agent fee of one day's money under ``terms`` (0 without terms)."""
    if terms is None:
        return 0
    if terms.fee_kind == "fixed":
        return terms.fee_value * payments if kopecks > 0 else -terms.fee_value * payments
    share = Decimal(kopecks) * Decimal(terms.fee_value) / MICRO_PERCENT
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def owed(session: Session, first: date, last: date, *, provider_id: int | None = None
         ) -> dict[int, Owed]:
    """Per provider: collected, fees and what transfers already cover, for days
    ``first``..``last``."""
    out: dict[int, Owed] = {}
    cache: dict[tuple[int, int | None, date], tuple[int | None, ContractTerms | None]] = {}
    for (provider, company, day), (kopecks, payments) in sorted(
            _daily(session, first, last, provider_id).items(), key=lambda x: str(x[0])):
        key = (provider, company, day)
        if key not in cache:
            cache[key] = _terms(session, provider, company, day)
        contract_id, terms = cache[key]
        o = out.setdefault(provider, Owed(provider))
        o.collected += kopecks
        o.fee += fee_of(terms, kopecks, payments)
        o.days.add(day)
        if contract_id is not None:
            o.contracts.add(contract_id)
    for t in session.scalars(_covering(first, last, provider_id)):
        o = out.setdefault(t.provider_id, Owed(t.provider_id))
        o.transferred += t.amount_kopecks
        o.transferred_fee += t.fee_kopecks
    return out


def _covering(first: date, last: date, provider_id: int | None) -> Select[Transfer]:
    stmt = select(Transfer).where(and_(Transfer.date_from <= last, Transfer.date_to >= first))
    if provider_id is not None:
        stmt = stmt.where(Transfer.provider_id == provider_id)
    return stmt


def due_on(session: Session, day: date) -> list[tuple[Provider, Owed, ContractTerms | None,
                                                      date]]:
    """What each provider is to be sent on ``day`` by its transfer rule (daily, or the named
    days of the month): the days since its last transfer up to ``day``; with the bank details
    of the terms in force. Providers with nothing to send are left out."""
    out = []
    for provider in session.scalars(select(Provider).order_by(Provider.id)):
        last = session.scalar(select(func.max(Transfer.date_to)).where(
            Transfer.provider_id == provider.id))
        start = (last + timedelta(days=1)) if last else date(1990, 1, 1)
        if start > day:
            continue
        money = owed(session, start, day, provider_id=provider.id).get(provider.id)
        if money is None or money.collected == 0:
            continue
        if last is None and money.days:  # a first transfer starts on the first day of money
            start = min(money.days)
        _, terms = _terms(session, provider.id, None, day)
        contract = min(money.contracts) if money.contracts else None
        if contract is not None:
            terms = session.scalar(select(ContractTerms).where(
                ContractTerms.contract_id == contract, ContractTerms.date_from <= day)
                .order_by(ContractTerms.date_from.desc()).limit(1))
        if terms is not None and terms.transfer_rule == "days" and \
                day.day not in (terms.transfer_days or []):
            continue
        out.append((provider, money, terms, start))
    return out


def record(session: Session, actor: Actor, provider_id: int, first: date, last: date, *,
           reference: str | None) -> Transfer:
    """Record that the provider's money of days ``first``..``last`` was sent (collected −
    fees); refused when a recorded transfer already covers one of those days."""
    if last < first:
        raise Invalid("dates_out_of_order", "конец периода раньше начала", field="date_to")
    if session.scalar(_covering(first, last, provider_id).limit(1)) is not None:
        raise Conflict("transfer_overlaps", f"за дни {first:%d.%m.%Y}–{last:%d.%m.%Y} "
                       f"поставщику {provider_id} перечисление уже записано")
    money = owed(session, first, last, provider_id=provider_id).get(provider_id,
                                                                    Owed(provider_id))
    transfer = Transfer(provider_id=provider_id,
                        contract_id=min(money.contracts) if money.contracts else None,
                        date_from=first, date_to=last, collected_kopecks=money.collected,
                        fee_kopecks=money.fee, amount_kopecks=money.collected - money.fee,
                        reference=reference, actor=actor.name)
    session.add(transfer)
    session.flush()
    audit.record(session, actor, action="transfer.record", object_type="provider_transfer",
                 object_id=transfer.id, after=audit.snapshot(transfer, (
                     "provider_id", "date_from", "date_to", "collected_kopecks", "fee_kopecks",
                     "amount_kopecks", "reference")))
    return transfer


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """One provider over a range: collected = transferred + fees + still to transfer."""

    provider_id: int
    collected: int
    transferred: int
    fees: int
    pending: int


def reconcile(session: Session, first: date, last: date) -> list[Reconciliation]:
    """Per provider over ``first``..``last`` (transfers counted by the days they cover,
    which must lie inside the range; a transfer straddling its edge is refused)."""
    for t in session.scalars(_covering(first, last, None)):
        if t.date_from < first or t.date_to > last:
            raise Invalid("transfer_straddles", f"перечисление {t.id} за "
                          f"{t.date_from:%d.%m.%Y}–{t.date_to:%d.%m.%Y} выходит за границы "
                          "сверки; выберите период, включающий его целиком")
    out = []
    money = owed(session, first, last)
    by_days: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for t in session.scalars(_covering(first, last, None)):
        collected, fee = by_days[t.provider_id]
        by_days[t.provider_id] = (collected + t.collected_kopecks, fee + t.fee_kopecks)
    for provider_id, o in sorted(money.items()):
        covered_collected, covered_fee = by_days.get(provider_id, (0, 0))
        pending_collected = o.collected - covered_collected
        pending_fee = o.fee - covered_fee
        out.append(Reconciliation(provider_id, o.collected, o.transferred,
                                  covered_fee + pending_fee,
                                  pending_collected - pending_fee))
    return out
