"""What the passport office's documents show about a premises: the people registered there
(with their personal data) and its owners — read for one document, and the read logged.

152-ФЗ: personal data is read here only for a document the passport office issues, and every
such read is an audit entry (``personal_data.read``): who read, for which document and
premises, whose data (person ids, never the values), which fields, who asked and why (the
entry's reason). The document's own issue is audited by the documents module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.passport.models import OwnershipShare, Person, PersonData, Registration

FIELDS = ("full_name", "birth_date")
"""The personal fields a passport document prints."""


@dataclass(frozen=True, slots=True)
class RegisteredPerson:
    """One registration of a person in the premises."""

    person_id: int
    full_name: str | None
    birth_date: date | None
    kind: str
    date_from: date
    date_to: date | None


@dataclass(frozen=True, slots=True)
class Owner:
    """An ownership share of the premises."""

    person_id: int
    full_name: str | None
    numerator: int
    denominator: int
    date_from: date
    date_to: date | None


@dataclass(frozen=True, slots=True)
class PremisesPeople:
    """Registrations (current only, or the whole history up to the date) and owners."""

    registrations: tuple[RegisteredPerson, ...]
    owners: tuple[Owner, ...]


def read_for_document(session: Session, actor: Actor, premises_id: int, on: date, *,
                      document: str, requested_by: str, history: bool,
                      with_owners: bool) -> PremisesPeople:
    """The people of a premises on ``on`` for the passport document ``document``: the
    registrations in force that day, or (``history``) every one begun by then; the owners
    that day when asked. Logs the read (``actor.reason`` is why it was asked for)."""
    reg = Registration
    stmt = (select(reg.person_id, PersonData.full_name, Person.birth_date, reg.kind,
                   reg.date_from, reg.date_to)
            .join(Person, Person.id == reg.person_id)
            .outerjoin(PersonData, PersonData.person_id == reg.person_id)
            .where(reg.premises_id == premises_id, reg.date_from <= on))
    if not history:
        stmt = stmt.where((reg.date_to.is_(None)) | (reg.date_to >= on))
    registrations = tuple(RegisteredPerson(*row) for row in session.execute(
        stmt.order_by(reg.date_from, reg.id)))
    owners: tuple[Owner, ...] = ()
    if with_owners:
        own = OwnershipShare
        owners = tuple(Owner(*row) for row in session.execute(
            select(own.person_id, PersonData.full_name, own.numerator, own.denominator,
                   own.date_from, own.date_to)
            .outerjoin(PersonData, PersonData.person_id == own.person_id)
            .where(own.premises_id == premises_id, own.date_from <= on,
                   (own.date_to.is_(None)) | (own.date_to >= on))
            .order_by(own.date_from, own.id)))
    people = sorted({r.person_id for r in registrations} | {o.person_id for o in owners})
    audit.record(session, actor, action="personal_data.read", object_type="premises",
                 object_id=premises_id, after={
                     "document": document, "on_date": on.isoformat(),
                     "requested_by": requested_by, "persons": people,
                     "fields": list(FIELDS)})
    audit.record_personal_read(session, actor, f"document:{document}", people)
    return PremisesPeople(registrations, owners)
