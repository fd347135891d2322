"""Summaries of the ledger: totals by booked month and by service (charges, recalculations,
benefits, quality reductions, total) over the rows of ``SummaryRepository``; and money by
month: billed, penalties, paid, the collection rate and the debt at the month's end."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from zhkh.modules.analytics.repository import MoneyRepository, SummaryRepository, SummaryRow
from zhkh.modules.finance.balances import turnover


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


@dataclass(frozen=True, slots=True)
class MonthMoney:
    """Money of one booked month (kopecks): what its bill charged (penalties apart), what was
    paid in it, the share of the previous bill that was paid, and the balance at its end."""

    period: str
    billed: int
    penalties: int
    paid: int
    collection_permille: int | None
    """Paid in the month ÷ the previous month's bill (penalties included), in ‰; None for the
    first month."""
    debt: int
    """Owed by all accounts at the month's end (bills, penalties, the open month's charges)."""
    advance: int


def money_by_month(session: Session) -> list[MonthMoney]:
    """:class:`MonthMoney` of every booked month, oldest first; ``debt`` is the turnover
    sheet's closing total of the month."""
    repo = MoneyRepository(session)
    billed, posted = repo.billed(), repo.posted()
    out: list[MonthMoney] = []
    previous: int | None = None
    for period in repo.months():
        charged, fines = billed.get(period, (0, 0))
        paid = posted.get(period, 0)
        sheet = turnover(session, period, "service")
        rate = None if not previous else (paid * 1000 + previous // 2) // previous
        out.append(MonthMoney(period, charged, fines, paid, rate, sheet.total.closing,
                              sheet.advance_closing))
        previous = charged + fines
    return out
