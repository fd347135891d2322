"""Passport tables. Personal data (name, document) sits in its own table, ``person_data``,
so it can be granted, encrypted or purged separately from the facts the calculation reads."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhkh.modules.db.base import Base, IdPK, one_of

REGISTRATION_KINDS = ("residence", "stay")


class Person(Base):
    """A person as the calculation sees them: an id and a birth date, nothing personal."""

    __tablename__ = "persons"

    id: Mapped[IdPK]
    birth_date: Mapped[date | None]

    data: Mapped[PersonData | None] = relationship(
        back_populates="person", cascade="all, delete-orphan")


class PersonData(Base):
    """Personal data of a person (152-ФЗ): kept apart so access to it can be restricted."""

    __tablename__ = "person_data"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(300))
    document_kind: Mapped[str | None] = mapped_column(String(64))
    document_number: Mapped[str | None] = mapped_column(String(64))
    document_issued: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="data")


class Registration(Base):
    """Регистрация по месту жительства (``residence``) or пребывания (``stay``)."""

    __tablename__ = "registrations"
    __table_args__ = (
        one_of("kind", REGISTRATION_KINDS),
        CheckConstraint("date_to IS NULL OR date_to >= date_from", name="dates_ordered"),
        Index("ix_registrations_premises_dates", "premises_id", "date_from"),
    )

    id: Mapped[IdPK]
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"))
    kind: Mapped[str] = mapped_column(String(16))
    date_from: Mapped[date]
    date_to: Mapped[date | None]


class OwnershipShare(Base):
    """A share of ownership ``numerator/denominator`` of a premises from a date to a date."""

    __tablename__ = "ownership_shares"
    __table_args__ = (
        CheckConstraint("numerator > 0 AND denominator > 0 AND numerator <= denominator",
                        name="proper_fraction"),
        CheckConstraint("date_to IS NULL OR date_to >= date_from", name="dates_ordered"),
    )

    id: Mapped[IdPK]
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), index=True)
    numerator: Mapped[int]
    denominator: Mapped[int]
    date_from: Mapped[date]
    date_to: Mapped[date | None]


class Absence(Base):
    """Временное отсутствие (ПП 354 разд. VIII): both dates inclusive, with its document."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("date_to >= date_from", name="dates_ordered"),
    )

    id: Mapped[IdPK]
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    date_from: Mapped[date]
    date_to: Mapped[date]
    document: Mapped[str | None] = mapped_column(Text)


class BenefitAssignment(Base):
    """A person's right to a benefit category (льгота), applied on one account.

    ``category`` is the code the ``benefits`` rules name (``veteran_combat`` …); both dates are
    inclusive, an open end is NULL. ``document`` is the basis (удостоверение, справка МСЭ …):
    personal data, shown only to roles that may read it.
    """

    __tablename__ = "benefit_assignments"
    __table_args__ = (
        CheckConstraint("date_to IS NULL OR date_to >= date_from", name="dates_ordered"),
        CheckConstraint("length(category) > 0", name="category_not_empty"),
        Index("ix_benefit_assignments_account_dates", "account_id", "date_from"),
    )

    id: Mapped[IdPK]
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    category: Mapped[str] = mapped_column(String(64))
    date_from: Mapped[date]
    date_to: Mapped[date | None]
    document: Mapped[str | None] = mapped_column(Text)
