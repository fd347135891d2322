"""SQL of analytics: sums of the ledger by booked month and service, money paid by month."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.db.repository import Repository
from zhkh.modules.finance.models import Payment

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
