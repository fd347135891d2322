"""SQL of the passport office: persons (and their separate personal data), registrations,
ownership shares, absences, benefit assignments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from zhkh.modules.db.repository import Repository, active_on, overlapping
from zhkh.modules.paging import page
from zhkh.modules.passport.models import (
    Absence,
    BenefitAssignment,
    OwnershipShare,
    Person,
    PersonData,
    Registration,
)
from zhkh.modules.registry.models import Account


class PassportRepository(Repository):
    """Reads and writes of the passport office; flushes, never commits."""

    def add_person(self, *, birth_date: date | None = None, full_name: str | None = None,
                   document_kind: str | None = None, document_number: str | None = None,
                   document_issued: str | None = None) -> Person:
        """A new person; personal data (if a name is given) goes to ``person_data``."""
        person = Person(birth_date=birth_date)
        if full_name is not None:
            person.data = PersonData(full_name=full_name, document_kind=document_kind,
                                     document_number=document_number,
                                     document_issued=document_issued)
        return self._add(person)

    def add_registration(self, *, person_id: int, premises_id: int, kind: str,
                         date_from: date, date_to: date | None = None) -> Registration:
        """Register a person in a premises (``residence`` or ``stay``)."""
        return self._add(Registration(person_id=person_id, premises_id=premises_id, kind=kind,
                                      date_from=date_from, date_to=date_to))

    def end_registration(self, registration_id: int, date_to: date) -> None:
        """Set the last day of a registration."""
        self.session.execute(update(Registration).where(Registration.id == registration_id)
                             .values(date_to=date_to))

    def add_absence(self, *, person_id: int, date_from: date, date_to: date,
                    document: str | None = None) -> Absence:
        """A temporary absence of a person, both dates inclusive."""
        return self._add(Absence(person_id=person_id, date_from=date_from, date_to=date_to,
                                 document=document))

    def add_benefit(self, *, person_id: int, account_id: int, category: str,
                    date_from: date, date_to: date | None = None,
                    document: str | None = None) -> BenefitAssignment:
        """A person's benefit category applied on an account, both dates inclusive."""
        return self._add(BenefitAssignment(person_id=person_id, account_id=account_id,
                                           category=category, date_from=date_from,
                                           date_to=date_to, document=document))

    def list_persons(self, *, premises_id: int | None = None,
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
        return page(self.session, stmt, limit=limit, offset=offset, order_by=Person.id)

    def list_registrations(self, *, person_id: int | None = None,
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
        return page(self.session, stmt, limit=limit, offset=offset, order_by=Registration.id)

    def list_absences(self, *, person_id: int | None = None, limit: int, offset: int
                      ) -> tuple[list[Absence], int]:
        """Absences, optionally of one person."""
        stmt = select(Absence)
        if person_id is not None:
            stmt = stmt.where(Absence.person_id == person_id)
        return page(self.session, stmt, limit=limit, offset=offset, order_by=Absence.id)

    def list_benefits(self, *, person_id: int | None = None,
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
        return page(self.session, stmt, limit=limit, offset=offset, order_by=BenefitAssignment.id)

    def registered_between(self, person_id: int, premises_id: int, first: date,
                           last: date | None) -> bool:
        """Whether the person is registered in the premises on some day of ``[first, last]``
        (``last`` None: open end)."""
        far = date.max if last is None else last
        stmt = select(Registration.id).where(
            Registration.person_id == person_id, Registration.premises_id == premises_id,
            overlapping(Registration.date_from, Registration.date_to, first, far)).limit(1)
        return self.session.scalar(stmt) is not None

    def premises_of_person(self, person_id: int, first: date, last: date) -> list[int]:
        """Ids of premises where the person is registered at some day of ``[first, last]``."""
        stmt = (select(Registration.premises_id).distinct()
                .where(Registration.person_id == person_id,
                       overlapping(Registration.date_from, Registration.date_to, first, last))
                .order_by(Registration.premises_id))
        return list(self.session.scalars(stmt))

    def add_ownership(self, *, person_id: int, premises_id: int, numerator: int,
                      denominator: int, date_from: date, date_to: date | None = None
                      ) -> OwnershipShare:
        """An owner's share ``numerator/denominator`` of a premises, dates inclusive."""
        return self._add(OwnershipShare(person_id=person_id, premises_id=premises_id,
                                        numerator=numerator, denominator=denominator,
                                        date_from=date_from, date_to=date_to))

    def list_ownerships(self, *, person_id: int | None = None, premises_id: int | None = None,
                        active: date | None = None, limit: int, offset: int
                        ) -> tuple[list[OwnershipShare], int]:
        """Owners of a premises or premises of an owner, optionally those in force on a day."""
        stmt = select(OwnershipShare)
        if person_id is not None:
            stmt = stmt.where(OwnershipShare.person_id == person_id)
        if premises_id is not None:
            stmt = stmt.where(OwnershipShare.premises_id == premises_id)
        if active is not None:
            stmt = stmt.where(active_on(OwnershipShare.date_from, OwnershipShare.date_to, active))
        return page(self.session, stmt, limit=limit, offset=offset, order_by=OwnershipShare.id)

    def ownerships_overlapping(self, premises_id: int, first: date, last: date | None,
                               *, but: int | None = None) -> list[OwnershipShare]:
        """The shares of a premises in force on some day of ``[first, last]`` (other than
        ``but``)."""
        stmt = select(OwnershipShare).where(
            OwnershipShare.premises_id == premises_id,
            overlapping(OwnershipShare.date_from, OwnershipShare.date_to, first,
                        date.max if last is None else last))
        if but is not None:
            stmt = stmt.where(OwnershipShare.id != but)
        return list(self.session.scalars(stmt))
