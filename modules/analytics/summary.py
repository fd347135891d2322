"""Summary of the ledger by booked month and service: charges, recalculations, total."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from zhkh.modules.billing.models import LedgerLine


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """Money booked in one month for one service (kopecks) and how many accounts it touches."""

    period: str
    service: str
    charged: int
    recalculated: int
    accounts: int

    @property
    def total(self) -> int:
        return self.charged + self.recalculated


def by_service_and_month(session: Session, *, since: str | None = None,
                         until: str | None = None) -> list[SummaryRow]:
    """Rows per booked month × service, ordered by month then service. ``charged`` is the sum
    of charge lines, ``recalculated`` of recalculation lines booked in that month (whatever
    month they are about); other kinds are left out."""
    charged = func.sum(case((LedgerLine.kind == "charge", LedgerLine.amount_kopecks), else_=0))
    recalc = func.sum(case((LedgerLine.kind == "recalculation", LedgerLine.amount_kopecks),
                           else_=0))
    stmt = (select(LedgerLine.period_booked, LedgerLine.service, charged, recalc,
                   func.count(func.distinct(LedgerLine.account_id)))
            .where(LedgerLine.kind.in_(("charge", "recalculation")))
            .group_by(LedgerLine.period_booked, LedgerLine.service)
            .order_by(LedgerLine.period_booked, LedgerLine.service))
    if since is not None:
        stmt = stmt.where(LedgerLine.period_booked >= since)
    if until is not None:
        stmt = stmt.where(LedgerLine.period_booked <= until)
    return [SummaryRow(p, s, int(c or 0), int(r or 0), int(n))
            for p, s, c, r, n in session.execute(stmt)]


def by_month(rows: list[SummaryRow]) -> list[tuple[str, int, int, int]]:
    """``(period, charged, recalculated, accounts with charges)`` per month from ``rows``."""
    months: dict[str, list[int]] = {}
    for r in rows:
        entry = months.setdefault(r.period, [0, 0, 0])
        entry[0] += r.charged
        entry[1] += r.recalculated
        entry[2] = max(entry[2], r.accounts)
    return [(p, c, rc, n) for p, (c, rc, n) in months.items()]


def by_service(rows: list[SummaryRow]) -> list[tuple[str, int, int]]:
    """``(service, charged, recalculated)`` over all months of ``rows``."""
    services: dict[str, list[int]] = {}
    for r in rows:
        entry = services.setdefault(r.service, [0, 0])
        entry[0] += r.charged
        entry[1] += r.recalculated
    return [(s, c, rc) for s, (c, rc) in sorted(services.items())]
