"""SQL of analytics: sums of the ledger by booked month and service."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.db.repository import Repository

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
        they are about); other kinds (penalties, corrections) are left out."""
        sums = [func.sum(case((LedgerLine.kind == kind, LedgerLine.amount_kopecks), else_=0))
                for kind in KINDS]
        stmt = (select(LedgerLine.period_booked, LedgerLine.service, *sums,
                       func.count(func.distinct(LedgerLine.account_id)))
                .where(LedgerLine.kind.in_(KINDS))
                .group_by(LedgerLine.period_booked, LedgerLine.service)
                .order_by(LedgerLine.period_booked, LedgerLine.service))
        if since is not None:
            stmt = stmt.where(LedgerLine.period_booked >= since)
        if until is not None:
            stmt = stmt.where(LedgerLine.period_booked <= until)
        return [SummaryRow(p, s, int(c or 0), int(r or 0), int(b or 0), int(q or 0), int(n))
                for p, s, c, r, b, q, n in self.session.execute(stmt)]
