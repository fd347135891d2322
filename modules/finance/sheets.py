"""What a printed turnover sheet needs besides the sheet (``balances.turnover``): the names of
its groups, and the ledger's own total of the period — counted apart from the sheet, so the
«сверка» line compares two independent sums.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.registry.models import Account, House, ManagementCompany, Premises, Provider


def group_names(session: Session, by: str, groups: Iterable[str | None]) -> dict[str, str]:
    """Names of the groups of a sheet ``by`` house (address), provider or company (name),
    account (number); services and unknown ids are left to the caller."""
    ids = sorted({int(g) for g in groups if g is not None and g.isdigit()})
    column = {"house": (House.id, House.address), "provider": (Provider.id, Provider.name),
              "company": (ManagementCompany.id, ManagementCompany.name),
              "account": (Account.id, Account.number)}.get(by)
    if column is None or not ids:
        return {}
    found: dict[str, str] = {}
    for i in range(0, len(ids), 900):
        stmt = select(*column).where(column[0].in_(ids[i:i + 900]))
        found.update({str(k): str(v) for k, v in session.execute(stmt)})
    return found


def ledger_total(session: Session, period: str, *, house_id: int | None = None,
                 provider_id: int | None = None, company_id: int | None = None) -> int:
    """Kopecks of every ledger line booked in ``period`` (all kinds), with the sheet's
    filters."""
    stmt = select(func.coalesce(func.sum(LedgerLine.amount_kopecks), 0)).where(
        LedgerLine.period_booked == str(Period.parse(period)))
    if house_id is not None or company_id is not None:
        stmt = (stmt.join(Account, Account.id == LedgerLine.account_id)
                .join(Premises, Premises.id == Account.premises_id)
                .join(House, House.id == Premises.house_id))
    if house_id is not None:
        stmt = stmt.where(Premises.house_id == house_id)
    if company_id is not None:
        stmt = stmt.where(House.management_company_id == company_id)
    if provider_id is not None:
        stmt = stmt.where(LedgerLine.provider_id == provider_id)
    return int(session.scalar(stmt) or 0)
