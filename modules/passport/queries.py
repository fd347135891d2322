"""Passport reads the repository does not have: filtered pages of persons, registrations and
absences, and the premises where a person lives during some days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from zhkh.modules.db.repository import active_on, overlapping
from zhkh.modules.passport.models import Absence, Person, Registration
from zhkh.modules.registry.queries import page


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


def premises_of_person(session: Session, person_id: int, first: date, last: date) -> list[int]:
    """Ids of premises where the person is registered at some day of ``[first, last]``."""
    stmt = (select(Registration.premises_id).distinct()
            .where(Registration.person_id == person_id,
                   overlapping(Registration.date_from, Registration.date_to, first, last))
            .order_by(Registration.premises_id))
    return list(session.scalars(stmt))
