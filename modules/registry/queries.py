"""Registry reads the repository does not have: filtered pages of houses, premises, accounts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhkh.modules.db.repository import active_on
from zhkh.modules.paging import page
from zhkh.modules.registry.models import Account, House, Premises


def list_houses(session: Session, *, address: str | None = None,
                management_company_id: int | None = None, limit: int, offset: int
                ) -> tuple[list[House], int]:
    """Houses whose address contains ``address`` and of the company (case folding of Cyrillic
    letters happens on PostgreSQL only: SQLite's ``lower`` folds ASCII)."""
    stmt = select(House)
    if address:
        stmt = stmt.where(or_(
            House.address.contains(address, autoescape=True),
            func.lower(House.address).contains(address.lower(), autoescape=True)))
    if management_company_id is not None:
        stmt = stmt.where(House.management_company_id == management_company_id)
    return page(session, stmt, limit=limit, offset=offset, order_by=House.id)


def list_premises(session: Session, *, house_id: int | None = None, kind: str | None = None,
                  number: str | None = None, limit: int, offset: int
                  ) -> tuple[list[Premises], int]:
    """Premises filtered by house, kind and exact number."""
    stmt = select(Premises)
    if house_id is not None:
        stmt = stmt.where(Premises.house_id == house_id)
    if kind is not None:
        stmt = stmt.where(Premises.kind == kind)
    if number is not None:
        stmt = stmt.where(Premises.number == number)
    return page(session, stmt, limit=limit, offset=offset, order_by=Premises.id)


def list_accounts(session: Session, *, house_id: int | None = None,
                  premises_id: int | None = None, open_on: date | None = None,
                  limit: int, offset: int) -> tuple[list[Account], int]:
    """Accounts of a house or a premises, optionally only those open on ``open_on``."""
    stmt = select(Account)
    if house_id is not None:
        stmt = stmt.join(Premises, Premises.id == Account.premises_id).where(
            Premises.house_id == house_id)
    if premises_id is not None:
        stmt = stmt.where(Account.premises_id == premises_id)
    if open_on is not None:
        stmt = stmt.where(active_on(Account.opened_on, Account.closed_on, open_on))
    return page(session, stmt, limit=limit, offset=offset, order_by=Account.id)


def accounts_of_premises(session: Session, premises_id: int, *,
                         include_rooms: bool = True) -> list[Account]:
    """Accounts of the premises (and of its rooms, for a communal flat), by id."""
    ids = select(Premises.id).where(Premises.parent_id == premises_id)
    cond = Account.premises_id == premises_id
    if include_rooms:
        cond = cond | Account.premises_id.in_(ids)
    return list(session.scalars(select(Account).where(cond).order_by(Account.id)))
