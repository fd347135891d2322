"""Summary of the ledger by booked month and service: charges, recalculations, benefits,
quality reductions, total."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from zhkh.modules.billing.models import LedgerLine

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


def by_service_and_month(session: Session, *, since: str | None = None,
                         until: str | None = None) -> list[SummaryRow]:
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
            for p, s, c, r, b, q, n in session.execute(stmt)]


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums of :class:`SummaryRow` money fields over a month or a service (kopecks)."""

    key: str
    charged: int = 0
    recalculated: int = 0
    benefits: int = 0
    quality: int = 0
    accounts: int = 0
    """For a month: the most accounts any service touched (those with charges, usually)."""

    @property
    def total(self) -> int:
        return self.charged + self.recalculated + self.benefits + self.quality

    def plus(self, row: SummaryRow) -> Totals:
        return Totals(self.key, self.charged + row.charged,
                      self.recalculated + row.recalculated, self.benefits + row.benefits,
                      self.quality + row.quality, max(self.accounts, row.accounts))


def by_month(rows: list[SummaryRow]) -> list[Totals]:
    """Totals per month of ``rows``, in their order."""
    months: dict[str, Totals] = {}
    for r in rows:
        months[r.period] = months.get(r.period, Totals(r.period)).plus(r)
    return list(months.values())


def by_service(rows: list[SummaryRow]) -> list[Totals]:
    """Totals per service over all months of ``rows``, by service code (``accounts`` is the
    most any month touched)."""
    services: dict[str, Totals] = {}
    for r in rows:
        services[r.service] = services.get(r.service, Totals(r.service)).plus(r)
    return [services[s] for s in sorted(services)]
