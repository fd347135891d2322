"""SQL of analytics: sums of the ledger by booked month and service, money paid by month, and
charged, paid and owed by month and by house, provider, service or management company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import case, func, select, union_all

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


def _group(by: Grouping | None, table: Any) -> list[Any]:
    """The column a row of ``table`` (ledger lines or allocation rows) is grouped by: none
    for the whole base."""
    if by is None:
        return []
    return [{"house": Premises.house_id, "provider": table.provider_id,
            "service": table.service, "company": House.management_company_id}[by]]


def _joined(stmt: Any, by: Grouping | None, table: Any) -> Any:
    """``stmt`` joined to the account's house when the grouping needs it (by house or
    company); by provider or service the rows group by their own columns, with no join."""
    if by not in ("house", "company"):
        return stmt
    return (stmt.join(Account, Account.id == table.account_id)
            .join(Premises, Premises.id == Account.premises_id)
            .join(House, House.id == Premises.house_id))


def _keyed(rows: Any) -> dict[tuple[str, Any], int]:
    """``(month, [group,] sum)`` rows → {(month, group or None): kopecks}."""
    out: dict[tuple[str, Any], int] = {}
    for row in rows:
        key = (row[0], row[1] if len(row) == 3 else None)
        out[key] = out.get(key, 0) + int(row[-1] or 0)
    return out


def _in_range(stmt: Any, column: Any, since: str | None, until: str | None) -> Any:
    if since is not None:
        stmt = stmt.where(column >= since)
    if until is not None:
        stmt = stmt.where(column <= until)
    return stmt


class CollectionRepository(Repository):
    """Sums of money charged, paid and still owed, per month and group, in a few set-based
    statements (one scan of the ledger, one of the allocation rows, one of the open debt):
    the rows returned are groups × months, never accounts."""

    def charged(self, by: Grouping | None, since: str | None, until: str | None
                ) -> dict[tuple[str, Any], int]:
        """(booked month, group) → kopecks of every ledger line booked that month (all
        kinds, penalties included: the turnover sheet's «начислено»)."""
        group = _group(by, LedgerLine)
        stmt = _joined(select(LedgerLine.period_booked, *group,
                              func.sum(LedgerLine.amount_kopecks)), by, LedgerLine)
        stmt = _in_range(stmt, LedgerLine.period_booked, since, until)
        return _keyed(self.session.execute(stmt.group_by(LedgerLine.period_booked, *group)))

    def paid(self, by: Grouping | None, since: str | None, until: str | None
             ) -> dict[tuple[str, Any], int]:
        """(month, group) → kopecks of payments' parts that paid bills (principal and
        penalties; advances left out: they are owed to no provider yet), by the month the
        part was booked in (the turnover sheet's «оплачено»)."""
        group = _group(by, Allocation)
        stmt = _joined(select(Allocation.period_booked, *group,
                              func.sum(Allocation.amount_kopecks)), by, Allocation)
        stmt = _in_range(stmt.where(Allocation.kind != "advance"), Allocation.period_booked,
                         since, until)
        return _keyed(self.session.execute(stmt.group_by(Allocation.period_booked, *group)))

    def posted(self, since: str | None, until: str | None) -> dict[str, int]:
        """Month → kopecks of the payments posted in it (stornos subtract)."""
        stmt = _in_range(select(Payment.posted_period, func.sum(Payment.amount_kopecks)),
                         Payment.posted_period, since, until)
        return {p: int(v or 0) for p, v in self.session.execute(
            stmt.group_by(Payment.posted_period))}

    def open_debt(self, by: Grouping | None) -> dict[tuple[str, Any], int]:
        """(bill month, group) → kopecks still owed for the bills of closed months, penalties
        apart: per account × bill month × service × provider, what was charged less the
        principal paid for it, counting only what is above zero (money paid beyond one key
        pays no other: it is an advance or a refund). Every grouping sums the same keys, so
        the totals agree whichever way the debt is split."""
        closed = select(BillingPeriod.period).where(BillingPeriod.status == "closed")
        charged = select(LedgerLine.account_id.label("account_id"),
                         LedgerLine.period_booked.label("period"),
                         LedgerLine.service.label("service"),
                         LedgerLine.provider_id.label("provider_id"),
                         LedgerLine.amount_kopecks.label("amount")).where(
            LedgerLine.service != PENALTY_SERVICE, LedgerLine.period_booked.in_(closed))
        paid = select(Allocation.account_id, Allocation.bill_period, Allocation.service,
                      Allocation.provider_id, -Allocation.amount_kopecks).where(
            Allocation.kind == "principal", Allocation.bill_period.in_(closed))
        both = union_all(charged, paid).subquery()
        owed = func.sum(both.c.amount)
        keys = (select(both.c.account_id, both.c.period, both.c.service, both.c.provider_id,
                       owed.label("owed"))
                .group_by(both.c.account_id, both.c.period, both.c.service,
                          both.c.provider_id)
                .having(owed > 0)).subquery()
        group = [] if by is None else [{
            "house": Premises.house_id, "provider": keys.c.provider_id,
            "service": keys.c.service, "company": House.management_company_id}[by]]
        stmt = select(keys.c.period, *group, func.sum(keys.c.owed))
        if by in ("house", "company"):
            stmt = (stmt.join(Account, Account.id == keys.c.account_id)
                    .join(Premises, Premises.id == Account.premises_id)
                    .join(House, House.id == Premises.house_id))
        return _keyed(self.session.execute(stmt.group_by(keys.c.period, *group)))
