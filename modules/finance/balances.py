"""Balances (сальдо) from the ledger and the allocation rows: an account's card, the turnover
sheet (оборотно-сальдовая ведомость) of a period, the debtors by debt age.

For every account × service × provider and booking period P:
``opening(P) = charged before P − paid before P``, ``closing = opening + charged in P − paid in
P``, where charged is every ledger line booked (charges, recalculations, benefits, quality
reductions, penalties, corrections) and paid every allocation row other than the advance. The
advance is the account's money not yet owed to anyone; payments posted in P = paid in P + the
advance's change in P. These identities hold by construction (sums over the same rows), which
the property tests check after every step of random histories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from zhkh.kernel.penalties import PenaltyPolicy
from zhkh.kernel.period import Period
from zhkh.modules.billing.models import BillingPeriod, LedgerLine
from zhkh.modules.finance.allocating import PENALTY_SERVICE, Key
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.registry.models import Account, House, Premises

LEDGER_KINDS = ("charge", "recalculation", "benefit", "quality_reduction", "penalty",
                "correction")
Grouping = Literal["house", "provider", "service", "company", "account"]
AGE_BUCKETS = ((0, 30), (31, 90), (91, 180), (181, 365), (366, None))
"""Debt age in days past the due date (0–30, 31–90, 91–180, 181–365, over 365)."""


@dataclass(slots=True)
class Turnover:
    """One row of the turnover sheet (kopecks): opening, charged by kind, paid, closing."""

    group: Any
    opening: int = 0
    charged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEDGER_KINDS, 0))
    paid: int = 0
    paid_penalties: int = 0
    closing: int = 0

    @property
    def charged_total(self) -> int:
        return sum(self.charged.values())


@dataclass(slots=True)
class Sheet:
    """The turnover sheet of a period: rows by the grouping, their total, and the account
    advances (held apart: money not yet owed to any provider)."""

    period: str
    by: str
    rows: list[Turnover]
    total: Turnover
    advance_opening: int
    advance_closing: int
    posted: int
    """Payments posted in the period (net of stornos)."""


def _group_column(by: Grouping, table: Any) -> Any:
    return {"house": Premises.house_id, "provider": table.provider_id,
            "service": table.service, "company": House.management_company_id,
            "account": Account.id}[by]


def _with_account(stmt: Any, table: Any) -> Any:
    return (stmt.join(Account, Account.id == table.account_id)
            .join(Premises, Premises.id == Account.premises_id)
            .join(House, House.id == Premises.house_id))


def turnover(session: Session, period: str, by: Grouping = "provider", *,
             house_id: int | None = None, provider_id: int | None = None,
             company_id: int | None = None) -> Sheet:
    """The turnover sheet of ``period`` grouped ``by``; filters narrow it to a house, a
    provider or a management company. The total row's charged equals the ledger's lines
    booked in the period, to the kopeck."""
    key = str(Period.parse(period))
    rows: dict[Any, Turnover] = {}

    def row(group: Any) -> Turnover:
        return rows.setdefault(group, Turnover(group))

    for table in (LedgerLine, Allocation):
        group = _group_column(by, table)
        before = func.sum(case((table.period_booked < key, table.amount_kopecks), else_=0))
        now = func.sum(case((table.period_booked == key, table.amount_kopecks), else_=0))
        stmt = _with_account(select(group, before, now, table.kind), table).where(
            table.period_booked <= key)
        if table is Allocation:
            stmt = stmt.where(table.kind != "advance")
        stmt = _filtered(stmt, table, house_id, provider_id, company_id)
        for g, earlier, now, kind in session.execute(stmt.group_by(group, table.kind)):
            r = row(g)
            sign = 1 if table is LedgerLine else -1
            r.opening += sign * int(earlier)
            if table is LedgerLine:
                r.charged[kind] += int(now)
            elif kind == "penalty":
                r.paid_penalties += int(now)
                r.paid += int(now)
            else:
                r.paid += int(now)
    total = Turnover("итого")
    for r in rows.values():
        r.closing = r.opening + r.charged_total - r.paid
        total.opening += r.opening
        total.paid += r.paid
        total.paid_penalties += r.paid_penalties
        total.closing += r.closing
        for kind, amount in r.charged.items():
            total.charged[kind] += amount
    opening_adv, closing_adv, posted = _advances(session, key, house_id, company_id,
                                                 provider_id)
    ordered = sorted(rows.values(), key=lambda r: (r.group is None, str(r.group)))
    return Sheet(key, by, ordered, total, opening_adv, closing_adv, posted)


def _filtered(stmt: Any, table: Any, house_id: int | None, provider_id: int | None,
              company_id: int | None) -> Any:
    if house_id is not None:
        stmt = stmt.where(Premises.house_id == house_id)
    if provider_id is not None:
        stmt = stmt.where(table.provider_id == provider_id)
    if company_id is not None:
        stmt = stmt.where(House.management_company_id == company_id)
    return stmt


def _advances(session: Session, key: str, house_id: int | None, company_id: int | None,
              provider_id: int | None) -> tuple[int, int, int]:
    if provider_id is not None:  # an advance belongs to no provider yet
        return 0, 0, 0
    adv = _with_account(select(
        func.coalesce(func.sum(case((Allocation.period_booked < key,
                                     Allocation.amount_kopecks), else_=0)), 0),
        func.coalesce(func.sum(Allocation.amount_kopecks), 0)), Allocation).where(
        Allocation.kind == "advance", Allocation.period_booked <= key)
    adv = _filtered(adv, Allocation, house_id, None, company_id)
    opening, closing = session.execute(adv).one()
    posted_stmt = _with_account(select(func.coalesce(func.sum(Payment.amount_kopecks), 0)),
                                Payment).where(Payment.posted_period == key)
    posted_stmt = _filtered(posted_stmt, Payment, house_id, None, company_id)
    return int(opening), int(closing), int(session.scalar(posted_stmt) or 0)


@dataclass(frozen=True, slots=True)
class KeyBalance:
    """What is charged and paid for one key of an account (kopecks)."""

    key: Key
    charged: dict[str, int]
    paid: int

    @property
    def open(self) -> int:
        return sum(self.charged.values()) - self.paid


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """An account's money: every key, the debt (principal and penalties), the advance."""

    keys: list[KeyBalance]
    advance: int

    @property
    def debt(self) -> int:
        return sum(k.open for k in self.keys if k.key.service != PENALTY_SERVICE)

    @property
    def penalties(self) -> int:
        return sum(k.open for k in self.keys if k.key.service == PENALTY_SERVICE)

    @property
    def balance(self) -> int:
        """Owed by the account (positive) or owed to it (negative): debt + penalties −
        advance."""
        return self.debt + self.penalties - self.advance


@lru_cache(maxsize=1)
def _balance_statements() -> tuple[Any, Any]:
    """The two reads of :func:`account_balance` (parameter ``account``), built once: every
    payment through the API answers with the balance."""
    account: Any = bindparam("account")
    charged = (select(LedgerLine.period_booked, LedgerLine.service, LedgerLine.provider_id,
                      LedgerLine.kind, func.sum(LedgerLine.amount_kopecks))
               .where(LedgerLine.account_id == account)
               .group_by(LedgerLine.period_booked, LedgerLine.service, LedgerLine.provider_id,
                         LedgerLine.kind))
    allocated = (select(Allocation.bill_period, Allocation.service, Allocation.provider_id,
                        func.sum(Allocation.amount_kopecks))
                 .where(Allocation.account_id == account)
                 .group_by(Allocation.bill_period, Allocation.service, Allocation.provider_id))
    return charged, allocated


def account_balance(session: Session, account_id: int) -> AccountBalance:
    """The balance of one account, every key in document order of periods."""
    charged: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LEDGER_KINDS, 0))
    stmt, allocated = _balance_statements()
    session.flush()  # read on the connection (past the ORM layer): what the session holds
    conn = session.connection()  # must be there
    for period, service, provider_id, kind, total in conn.execute(
            stmt, {"account": account_id}):
        charged[Key(period, service, provider_id)][kind] += int(total)
    paid: dict[Key, int] = defaultdict(int)
    advance = 0
    for bill, paid_for, provider, total in conn.execute(allocated, {"account": account_id}):
        if paid_for is None:
            advance += int(total)
        else:  # an allocation row has a bill and a provider unless it is an advance
            paid[Key(bill, paid_for, provider)] += int(total)
    keys = [KeyBalance(k, dict(charged.get(k, dict.fromkeys(LEDGER_KINDS, 0))), paid.get(k, 0))
            for k in sorted(set(charged) | set(paid))]
    return AccountBalance(keys, advance)


@dataclass(frozen=True, slots=True)
class Debtor:
    """An account's open debt (principal) split by age bucket, on a day."""

    account_id: int
    number: str
    house_id: int
    buckets: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.buckets)


def bucket_of(days: int) -> int:
    """The index in :data:`AGE_BUCKETS` of a debt ``days`` past its due date (not yet due →
    the first bucket)."""
    for i, (_, high) in enumerate(AGE_BUCKETS):
        if high is None or days <= high:
            return i
    return len(AGE_BUCKETS) - 1


def debtors(session: Session, on: date, policy: PenaltyPolicy, *, house_id: int | None = None,
            provider_id: int | None = None, min_debt: int = 1) -> list[Debtor]:
    """Accounts whose open principal of billed (closed) months is at least ``min_debt``
    kopecks, with the debt by age on ``on`` (age = days since the period's due date by the
    penalty rules), largest first. The open month is no debt yet: it has no bill."""
    billed = select(BillingPeriod.period).where(BillingPeriod.status == "closed")
    ledger = (_with_account(select(LedgerLine.account_id, Account.number, Premises.house_id,
                                   LedgerLine.period_booked,
                                   func.sum(LedgerLine.amount_kopecks)), LedgerLine)
              .where(LedgerLine.service != PENALTY_SERVICE,
                     LedgerLine.period_booked.in_(billed))
              .group_by(LedgerLine.account_id, Account.number, Premises.house_id,
                        LedgerLine.period_booked))
    paid = (select(Allocation.account_id, Allocation.bill_period,
                   func.sum(Allocation.amount_kopecks))
            .where(Allocation.kind == "principal")
            .group_by(Allocation.account_id, Allocation.bill_period))
    if house_id is not None:
        ledger = ledger.where(Premises.house_id == house_id)
    if provider_id is not None:
        ledger = ledger.where(LedgerLine.provider_id == provider_id)
        paid = paid.where(Allocation.provider_id == provider_id)
    paid_by = {(a, p): int(v) for a, p, v in session.execute(paid)}
    found: dict[int, tuple[str, int, list[int]]] = {}
    for account_id, number, house, period, charged in session.execute(ledger):
        left = int(charged) - paid_by.get((account_id, period), 0)
        if left <= 0:
            continue
        due = policy.due_date(Period.parse(period))
        entry = found.setdefault(account_id, (number, house, [0] * len(AGE_BUCKETS)))
        entry[2][bucket_of((on - due).days)] += left
    out = [Debtor(a, n, h, tuple(b)) for a, (n, h, b) in found.items()]
    return sorted((d for d in out if d.total >= min_debt), key=lambda d: (-d.total, d.number))


__all__: Sequence[str] = ("AGE_BUCKETS", "AccountBalance", "Debtor", "KeyBalance", "Sheet",
                          "Turnover", "account_balance", "bucket_of", "debtors", "turnover")
