"""How the demo town pays: contracts with its providers, and each month's payments of the bills.

Every account has a habit, fixed by its id and the seed: most pay the whole bill in the month
after it (on a day from the 1st to the 25th), some pay part of it, some pay every other month,
some round up (an advance), a few never pay (their debt ages and carries penalties). A few
payments name an account that does not exist (a typo at the bank: unidentified payments). The
plan is data; ``zhkh demo`` writes it as a bank registry file and takes it in as a user would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period
from zhkh.modules.audit import Actor
from zhkh.modules.finance.contracts import create_contract
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.finance.requisites import account_key
from zhkh.modules.finance.schemas import ContractIn
from zhkh.modules.registry.models import Account, House, Premises, Provider

HABITS = (("whole", 0.80), ("part", 0.06), ("every_other", 0.06), ("round_up", 0.05),
          ("never", 0.03))
UNKNOWN_PER_MONTH = 3
COMMISSION_PERMILLE = 10
"""The bank's fee the payee pays (1 %), kept apart from what the account is credited."""
BIK = "044525225"
CORR = "30101810400000000225"
AGENT_FEE = "1.2"
"""The billing center's fee by contract, percent of the money collected."""


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    """One payment the bank will report."""

    account: str
    paid_on: date
    amount: int
    commission: int
    operation_id: str
    address: str
    period: Period


def habit(account_id: int, seed: int) -> str:
    """The paying habit of an account (stable for a seed)."""
    roll = random.Random(seed * 1_000_003 + account_id).random()
    edge = 0.0
    for name, share in HABITS:
        edge += share
        if roll < edge:
            return name
    return HABITS[0][0]


def settlement_account(number: int) -> str:
    """A settlement account at :data:`BIK` with the right control key (for the demo)."""
    body = f"40702810{0}{number:011d}"
    key = account_key(body, BIK)
    return body[:8] + str(key) + body[9:]


def sign_contracts(session: Session, actor: Actor, start: date) -> int:
    """A contract with every provider, for all its services of every house, from ``start``:
    the bank details of :data:`BIK` and the agent fee :data:`AGENT_FEE`; returns the count."""
    from zhkh.modules.registry.models import AccountService

    houses = list(session.scalars(select(House.id).order_by(House.id)))
    pairs = session.execute(select(AccountService.provider_id, AccountService.service)
                            .distinct().order_by(AccountService.provider_id,
                                                 AccountService.service)).all()
    services: dict[int, list[str]] = {}
    for provider_id, service in pairs:
        services.setdefault(provider_id, []).append(service)
    for i, provider in enumerate(session.scalars(select(Provider).order_by(Provider.id))):
        scope = [{"house_id": h, "service": s} for h in houses
                 for s in services.get(provider.id, [])]
        if not scope:
            continue
        create_contract(session, actor, ContractIn(
            provider_id=provider.id, number=f"АГ-{i + 1:03d}", date_from=start,
            signed_on=start, scope=scope, terms={
                "bank_name": "ПАО СБЕРБАНК", "bik": BIK, "corr_account": CORR,
                "settlement_account": settlement_account(i + 1), "fee_kind": "percent",
                "fee": AGENT_FEE}))
    return len(services)


def plan(session: Session, month: Period, index: int, seed: int) -> list[PlannedPayment]:
    """The payments arriving in ``month`` (the ``index``-th month of the demo) for the bills
    of the months before it."""
    rng = random.Random(seed * 31 + index)
    rows = session.execute(select(Account.id, Account.number, House.address, Premises.number)
                           .join(Premises, Premises.id == Account.premises_id)
                           .join(House, House.id == Premises.house_id)
                           .order_by(Account.id)).all()
    owed = FinanceRepository(session).open_keys([r[0] for r in rows])
    bill = month.shift(-1)
    out: list[PlannedPayment] = []
    for account_id, number, street, flat in rows:
        debt = sum(v for v in owed.get(account_id, {}).values() if v > 0)
        amount = _amount(habit(account_id, seed), debt, index, rng)
        if amount <= 0:
            continue
        out.append(_payment(number, f"{street}, кв. {flat}", month, bill, amount, rng,
                            len(out)))
    for n in range(UNKNOWN_PER_MONTH):
        amount = rng.randrange(50_000, 400_000, 100)
        out.append(_payment(f"9{rng.randrange(10**8, 10**9)}", "адрес не указан", month, bill,
                            amount, rng, len(out) + n))
    return sorted(out, key=lambda p: (p.paid_on, p.operation_id))


def _amount(kind: str, debt: int, index: int, rng: random.Random) -> int:
    if debt <= 0 or kind == "never":
        return 0
    if kind == "part":
        return debt * rng.randrange(50, 91) // 100 // 100 * 100
    if kind == "every_other":
        return debt if index % 2 == 0 else 0
    if kind == "round_up":
        return (debt // 50_000 + 1) * 50_000
    return debt


def _payment(number: str, address: str, month: Period, bill: Period, amount: int,
             rng: random.Random, n: int) -> PlannedPayment:
    day = date(month.year, month.month, rng.randint(1, 25))
    commission = (amount * COMMISSION_PERMILLE + 500) // 1000
    return PlannedPayment(account=number, paid_on=day, amount=amount, commission=commission,
                          operation_id=f"{month.year % 100:02d}{month.month:02d}{n:07d}",
                          address=address, period=bill)
