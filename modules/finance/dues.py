"""What each account owes a provider, for the charges registry banks load to take payments
(реестр начислений, REFERENCE §7): the open debt of its bills up to a month (principal and
penalties, the same keys as the account's balance), the payer, the address, and the bank
details the provider is paid to under its contract.

A bill exists once its month is closed, so the month asked for must be closed. An account is
listed when the provider billed it that month or it still owes the provider; what it owes is
never below zero (an overpayment waits as the account's advance, not against a provider).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period
from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.billing.models import BillingPeriod, LedgerLine
from zhkh.modules.errors import Conflict, Invalid
from zhkh.modules.finance.contracts import get_provider, terms_on
from zhkh.modules.finance.models import Allocation, Contract
from zhkh.modules.passport.models import OwnershipShare, PersonData, Registration
from zhkh.modules.registry.models import Account, House, Premises, Provider


@dataclass(frozen=True, slots=True)
class Due:
    """One line of the charges registry: an account and what it owes (kopecks, ≥ 0)."""

    account: str
    payer: str
    address: str
    amount: int


@dataclass(frozen=True, slots=True)
class Payee:
    """Who the bank pays: the provider and the bank details of its contract in force."""

    provider_id: int
    code: str
    name: str
    inn: str
    bank_name: str
    bik: str
    settlement_account: str
    contract_ids: tuple[int, ...]


def payee(session: Session, provider_id: int, day: date) -> Payee:
    """The provider with the bank details of its contracts in force on ``day``. ``Invalid``
    (``provider_without_terms``) when none has terms that day; ``Conflict``
    (``provider_accounts_differ``) when contracts in force name different accounts."""
    provider = get_provider(session, provider_id)
    contracts = session.scalars(select(Contract).where(
        Contract.provider_id == provider_id, Contract.date_from <= day,
        or_(Contract.date_to.is_(None), Contract.date_to >= day)).order_by(Contract.id)).all()
    found = [(c, t) for c in contracts if (t := terms_on(session, c.id, day)) is not None]
    if not found:
        raise Invalid("provider_without_terms", f"у поставщика «{provider.name}» нет договора "
                      f"с банковскими реквизитами на {day:%d.%m.%Y}", field="provider_id")
    accounts = {(t.bik, t.settlement_account) for _, t in found}
    if len(accounts) > 1:
        numbers = ", ".join(f"№ {c.number} (р/с {t.settlement_account})" for c, t in found)
        raise Conflict("provider_accounts_differ", f"у поставщика «{provider.name}» "
                       f"договоры с разными счетами: {numbers}", field="provider_id")
    terms = found[0][1]
    return Payee(provider.id, provider.code, provider.name, provider.inn, terms.bank_name,
                 terms.bik, terms.settlement_account, tuple(c.id for c, _ in found))


def charges_due(session: Session, provider_id: int, period: str) -> list[Due]:
    """The accounts the provider billed in ``period`` or that owe it for bills up to
    ``period``, with what they owe now, by account number. ``Invalid`` when the month is not
    closed (its bill is not issued yet)."""
    key = str(Period.parse(period))
    status = session.scalar(select(BillingPeriod.status).where(BillingPeriod.period == key))
    if status != "closed":
        raise Invalid("period_not_closed", f"месяц {key} не закрыт: счёт за него ещё не "
                      "выставлен, реестр начислений строится по закрытым месяцам",
                      field="period")
    closed = select(BillingPeriod.period).where(BillingPeriod.status == "closed")
    charged: dict[int, int] = defaultdict(int)
    billed_now: set[int] = set()
    stmt = (select(LedgerLine.account_id, LedgerLine.period_booked,
                   func.sum(LedgerLine.amount_kopecks))
            .where(LedgerLine.provider_id == provider_id, LedgerLine.period_booked <= key,
                   LedgerLine.period_booked.in_(closed))
            .group_by(LedgerLine.account_id, LedgerLine.period_booked))
    for account_id, booked, total in session.execute(stmt):
        charged[account_id] += int(total)
        if booked == key:
            billed_now.add(account_id)
    paid = (select(Allocation.account_id, func.sum(Allocation.amount_kopecks))
            .where(Allocation.provider_id == provider_id, Allocation.kind != "advance",
                   Allocation.bill_period <= key, Allocation.bill_period.in_(closed))
            .group_by(Allocation.account_id))
    for account_id, total in session.execute(paid):
        charged[account_id] -= int(total)
    owing = {a: max(v, 0) for a, v in charged.items() if v > 0 or a in billed_now}
    return _described(session, owing, Period.parse(key).last_day)


def _described(session: Session, owing: dict[int, int], day: date) -> list[Due]:
    rows: list[tuple[int, str, int, str, str, str]] = []
    ids = sorted(owing)
    for i in range(0, len(ids), 900):
        stmt = (select(Account.id, Account.number, Premises.id, Premises.kind, Premises.number,
                       House.address)
                .join(Premises, Premises.id == Account.premises_id)
                .join(House, House.id == Premises.house_id)
                .where(Account.id.in_(ids[i:i + 900])))
        rows.extend(r.tuple() for r in session.execute(stmt))
    payers = _payers(session, {r[2] for r in rows}, day)
    out = [Due(number, payers.get(premises_id, ""), _address(address, kind, flat),
               owing[account_id])
           for account_id, number, premises_id, kind, flat, address in rows]
    return sorted(out, key=lambda d: d.account)


def _address(house: str, kind: str, number: str) -> str:
    return f"{house}, {'кв.' if kind == 'flat' else 'пом.'} {number}"


def _payers(session: Session, premises: set[int], day: date) -> dict[int, str]:
    """The payer of each premises on ``day``: the owner with the largest share, else the
    person registered there longest; absent when nobody is known."""
    best: dict[int, tuple[Fraction, date, str]] = {}
    wanted = sorted(premises)
    for i in range(0, len(wanted), 900):
        chunk = wanted[i:i + 900]
        owners = (select(OwnershipShare.premises_id, OwnershipShare.numerator,
                         OwnershipShare.denominator, OwnershipShare.date_from,
                         PersonData.full_name)
                  .join(PersonData, PersonData.person_id == OwnershipShare.person_id)
                  .where(OwnershipShare.premises_id.in_(chunk),
                         OwnershipShare.date_from <= day,
                         or_(OwnershipShare.date_to.is_(None), OwnershipShare.date_to >= day)))
        for premises_id, num, den, since, name in session.execute(owners):
            _prefer(best, premises_id, (Fraction(num, den), -since.toordinal(), name))
        residents = (select(Registration.premises_id, Registration.date_from,
                            PersonData.full_name)
                     .join(PersonData, PersonData.person_id == Registration.person_id)
                     .where(Registration.premises_id.in_(chunk),
                            Registration.date_from <= day,
                            or_(Registration.date_to.is_(None), Registration.date_to >= day)))
        for premises_id, since, name in session.execute(residents):
            _prefer(best, premises_id, (Fraction(-1), -since.toordinal(), name))
    return {p: name for p, (_, _, name) in best.items()}


def _prefer(best: dict, premises_id: int, candidate: tuple) -> None:
    known = best.get(premises_id)
    if known is None or candidate[:2] > known[:2]:
        best[premises_id] = candidate


def record_export(session: Session, actor: Actor, payee_: Payee, period: str, file_name: str,
                  rows: list[Due]) -> None:
    """Audit a charges registry handed to a bank (it carries payers' names): who, which
    provider, month, file, line count and sum — not the names."""
    audit.record(session, actor, action="charges_registry.export", object_type="provider",
                 object_id=payee_.provider_id, after={
                     "period": period, "file_name": file_name, "lines": len(rows),
                     "total_kopecks": sum(r.amount for r in rows)})


def providers_billed(session: Session, period: str) -> list[int]:
    """Ids of the providers with ledger lines booked in ``period`` (``--all``)."""
    stmt = (select(Provider.id).where(Provider.id.in_(
        select(LedgerLine.provider_id).where(LedgerLine.period_booked == period)))
        .order_by(Provider.id))
    return list(session.scalars(stmt))
