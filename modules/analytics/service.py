"""Summaries of the ledger: totals by booked month and by service (charges, recalculations,
benefits, quality reductions, total) over the rows of ``SummaryRepository``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from zhkh.modules.analytics.repository import SummaryRepository, SummaryRow


def by_service_and_month(session: Session, *, since: str | None = None,
                         until: str | None = None) -> list[SummaryRow]:
    """Rows per booked month × service (see ``SummaryRepository.by_service_and_month``)."""
    return SummaryRepository(session).by_service_and_month(since=since, until=until)


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
