"""Passport reads the repository does not have: filtered pages of persons, registrations,
absences and benefit assignments, and the premises where a person lives during some days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from zhkh.modules.db.repository import active_on, overlapping
from zhkh.modules.paging import page
from zhkh.modules.passport.models import Absence, BenefitAssignment, Person, Registration
from zhkh.modules.registry.models import Account


def list_persons(session: Session, *, premises_id: int | None = None,
                 registered_on: date | None = None, limit: int, offset: int
                 ) -> tuple[list[Person], int]:
    """Persons, optionally those registered in a premises (on a day, when given)."""
    stmt = select(Person).options(selectinload(Person.data))
    if premises_id is not None or registered_on is not None:
        regs = select(Registration.person_id)
        if premises_id is not None:
            regs = regs.where(Registration.premises_id == premises_id)
        if registered_on is not None:
            regs = regs.where(active_on(Registration.date_from, Registration.date_to,
                                        registered_on))
        stmt = stmt.where(Person.id.in_(regs))
    return page(session, stmt, limit=limit, offset=offset, order_by=Person.id)


def list_registrations(session: Session, *, person_id: int | None = None,
                       premises_id: int | None = None, active: date | None = None,
                       limit: int, offset: int) -> tuple[list[Registration], int]:
    """Registrations of a person or a premises, optionally only those in force on a day."""
    stmt = select(Registration)
    if person_id is not None:
        stmt = stmt.where(Registration.person_id == person_id)
    if premises_id is not None:
        stmt = stmt.where(Registration.premises_id == premises_id)
    if active is not None:
        stmt = stmt.where(active_on(Registration.date_from, Registration.date_to, active))
    return page(session, stmt, limit=limit, offset=offset, order_by=Registration.id)


def list_absences(session: Session, *, person_id: int | None = None, limit: int, offset: int
                  ) -> tuple[list[Absence], int]:
    """Absences, optionally of one person."""
    stmt = select(Absence)
    if person_id is not None:
        stmt = stmt.where(Absence.person_id == person_id)
    return page(session, stmt, limit=limit, offset=offset, order_by=Absence.id)


def list_benefits(session: Session, *, person_id: int | None = None,
                  account: str | None = None, category: str | None = None,
                  active_on_day: date | None = None, limit: int, offset: int
                  ) -> tuple[list[BenefitAssignment], int]:
    """Benefit assignments of a person or an account (by number), of a category, optionally
    only those in force on a day."""
    stmt = select(BenefitAssignment)
    if person_id is not None:
        stmt = stmt.where(BenefitAssignment.person_id == person_id)
    if account is not None:
        stmt = stmt.where(BenefitAssignment.account_id.in_(
            select(Account.id).where(Account.number == account)))
    if category is not None:
        stmt = stmt.where(BenefitAssignment.category == category)
    if active_on_day is not None:
        stmt = stmt.where(active_on(BenefitAssignment.date_from, BenefitAssignment.date_to,
                                    active_on_day))
    return page(session, stmt, limit=limit, offset=offset, order_by=BenefitAssignment.id)


def registered_between(session: Session, person_id: int, premises_id: int, first: date,
                       last: date | None) -> bool:
    """Whether the person is registered in the premises on some day of ``[first, last]``
    (``last`` None: open end)."""
    far = date.max if last is None else last
    stmt = select(Registration.id).where(
        Registration.person_id == person_id, Registration.premises_id == premises_id,
        overlapping(Registration.date_from, Registration.date_to, first, far)).limit(1)
    return session.scalar(stmt) is not None


def premises_of_person(session: Session, person_id: int, first: date, last: date) -> list[int]:
    """Ids of premises where the person is registered at some day of ``[first, last]``."""
    stmt = (select(Registration.premises_id).distinct()
            .where(Registration.person_id == person_id,
                   overlapping(Registration.date_from, Registration.date_to, first, last))
            .order_by(Registration.premises_id))
    return list(session.scalars(stmt))
