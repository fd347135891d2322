"""SQL of analytics: sums of the ledger by booked month and service, money paid by month, and
charged, paid and owed by month and by house, provider, service or management company."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import case, func, select

from zhkh.modules.billing.models import BillingPeriod, LedgerLine
from zhkh.modules.db.repository import Repository
from zhkh.modules.finance.allocating import PENALTY_SERVICE
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.registry.models import Account, House, Premises

KINDS = ("charge", "recalculation", "benefit", "quality_reduction")
"""The kinds summed, in the order of :class:`SummaryRow`'s money fields."""


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """Money booked in one month for one service (kopecks) by kind, and how many accounts it
    touches. Benefits and quality reductions are negative."""

    period: str
    service: str
    charged: int
    recalculated: int
    benefits: int
    quality: int
    accounts: int

    @property
    def total(self) -> int:
        return self.charged + self.recalculated + self.benefits + self.quality


class SummaryRepository(Repository):
    """Reads of the ledger for summaries; never writes."""

    def by_service_and_month(self, *, since: str | None = None, until: str | None = None
                             ) -> list[SummaryRow]:
        """Rows per booked month × service, ordered by month then service: the sums of charge,
        recalculation, benefit and quality-reduction lines booked in that month (whatever month
        they are about); penalties (and their corrections) and other kinds are left out —
        they are money of the finance summary."""
        sums = [func.sum(case((LedgerLine.kind == kind, LedgerLine.amount_kopecks), else_=0))
                for kind in KINDS]
        stmt = (select(LedgerLine.period_booked, LedgerLine.service, *sums,
                       func.count(func.distinct(LedgerLine.account_id)))
                .where(LedgerLine.kind.in_(KINDS), LedgerLine.service != "penalty")
                .group_by(LedgerLine.period_booked, LedgerLine.service)
                .order_by(LedgerLine.period_booked, LedgerLine.service))
        if since is not None:
            stmt = stmt.where(LedgerLine.period_booked >= since)
        if until is not None:
            stmt = stmt.where(LedgerLine.period_booked <= until)
        return [SummaryRow(p, s, int(c or 0), int(r or 0), int(b or 0), int(q or 0), int(n))
                for p, s, c, r, b, q, n in self.session.execute(stmt)]


class MoneyRepository(Repository):
    """Reads of the money booked and paid per month, for the finance summary."""

    def months(self) -> list[str]:
        """Booked months of the ledger, oldest first."""
        return list(self.session.scalars(select(LedgerLine.period_booked).distinct()
                                         .order_by(LedgerLine.period_booked)))

    def billed(self) -> dict[str, tuple[int, int]]:
        """Per booked month: (lines other than penalties, penalty lines) in kopecks."""
        is_penalty = LedgerLine.service == "penalty"
        stmt = (select(LedgerLine.period_booked,
                       func.sum(case((is_penalty, 0), else_=LedgerLine.amount_kopecks)),
                       func.sum(case((is_penalty, LedgerLine.amount_kopecks), else_=0)))
                .group_by(LedgerLine.period_booked))
        return {p: (int(b or 0), int(f or 0)) for p, b, f in self.session.execute(stmt)}

    def posted(self) -> dict[str, int]:
        """Per month: the payments posted in it (stornos subtract), kopecks."""
        stmt = (select(Payment.posted_period, func.sum(Payment.amount_kopecks))
                .group_by(Payment.posted_period))
        return {p: int(v or 0) for p, v in self.session.execute(stmt)}


Grouping = Literal["house", "provider", "service", "company"]
GROUPINGS: tuple[Grouping, ...] = ("house", "provider", "service", "company")

Cell = tuple[int, int | None, str, int]
"""The finest group the sums keep: (house id, management company id, service, provider id);
every grouping is a projection of it."""

CELL_INDEX: dict[Grouping, int] = {"house": 0, "company": 1, "service": 2, "provider": 3}


@dataclass(slots=True)
class Sums:
    """Money of a set of booking months, by month and :data:`Cell` (kopecks) — or by month
    and group once projected (``collection.project``):

    * ``charged`` — (booked month, cell) → ledger lines other than penalties;
    * ``penalties`` — (booked month, cell) → penalty lines;
    * ``paid`` — (booked month, cell) → payments' parts that paid bills (not advances);
    * ``principal`` — (bill month, cell) → payments' parts that paid a bill's principal;
    * ``posted`` — month → payments posted in it (stornos subtract; no cell: an advance
      belongs to no provider).
    """

    charged: dict[tuple[str, Any], int] = field(default_factory=dict)
    penalties: dict[tuple[str, Any], int] = field(default_factory=dict)
    paid: dict[tuple[str, Any], int] = field(default_factory=dict)
    principal: dict[tuple[str, Any], int] = field(default_factory=dict)
    posted: dict[str, int] = field(default_factory=dict)

    def plus(self, other: Sums) -> Sums:
        """Both sums added key by key (a new object)."""
        out = Sums()
        for name in ("charged", "penalties", "paid", "principal", "posted"):
            merged = dict(getattr(self, name))
            for key, value in getattr(other, name).items():
                merged[key] = merged.get(key, 0) + value
            setattr(out, name, merged)
        return out


def _add(target: dict[Any, int], key: Any, value: Any) -> None:
    target[key] = target.get(key, 0) + int(value or 0)


def _with_house(stmt: Any, table: Any) -> Any:
    return (stmt.join(Account, Account.id == table.account_id)
            .join(Premises, Premises.id == Account.premises_id)
            .join(House, House.id == Premises.house_id))


class CollectionRepository(Repository):
    """Sums of money charged, paid and posted by month and cell, over the rows booked in
    given months: three statements (ledger, allocation rows, payments) whose rows are cells ×
    months, never accounts. Each statement reads only the months asked for (through the
    booking month's index), so the open months can be read live while the closed ones — whose
    rows never change — are read once (``CollectionCache``)."""

    def periods(self) -> tuple[list[str], list[str]]:
        """(closed months, open months), oldest first."""
        rows = self.session.execute(select(BillingPeriod.period, BillingPeriod.status)
                                    .order_by(BillingPeriod.period)).all()
        return ([p for p, s in rows if s == "closed"], [p for p, s in rows if s != "closed"])

    def sums(self, booked: Sequence[str]) -> Sums:
        """:class:`Sums` of the rows booked in the months ``booked``."""
        out = Sums()
        if not booked:
            return out
        months = list(booked)
        cell = (Premises.house_id, House.management_company_id, LedgerLine.service,
                LedgerLine.provider_id)
        stmt = _with_house(select(LedgerLine.period_booked, *cell,
                                  func.sum(LedgerLine.amount_kopecks)), LedgerLine)
        stmt = stmt.where(LedgerLine.period_booked.in_(months)).group_by(
            LedgerLine.period_booked, *cell)
        for period, house, company, service, provider, amount in self.session.execute(stmt):
            target = out.penalties if service == PENALTY_SERVICE else out.charged
            _add(target, (period, (house, company, service, provider)), amount)
        part = (Premises.house_id, House.management_company_id, Allocation.service,
                Allocation.provider_id)
        stmt = _with_house(select(Allocation.period_booked, Allocation.bill_period,
                                  Allocation.kind, *part,
                                  func.sum(Allocation.amount_kopecks)), Allocation)
        stmt = stmt.where(Allocation.period_booked.in_(months),
                          Allocation.kind != "advance").group_by(
            Allocation.period_booked, Allocation.bill_period, Allocation.kind, *part)
        for period, bill, kind, *key, amount in self.session.execute(stmt):
            _add(out.paid, (period, tuple(key)), amount)
            if kind == "principal":
                _add(out.principal, (bill, tuple(key)), amount)
        stmt = (select(Payment.posted_period, func.sum(Payment.amount_kopecks))
                .where(Payment.posted_period.in_(months)).group_by(Payment.posted_period))
        for period, amount in self.session.execute(stmt):
            _add(out.posted, period, amount)
        return out
