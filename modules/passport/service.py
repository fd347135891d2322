"""Passport services: persons with their personal data, registrations, absences, benefits.

Audit of personal data: a person's snapshot keeps its personal fields masked
(``"***"`` when set, ``null`` when empty) and an update lists ``personal_fields_changed`` —
the names of personal fields whose value changed — so the log proves a change without
holding the values. A registration or an absence recalculates the accounts of the premises
concerned for the first month it touches; a benefit assignment recalculates its account from
the first day whose benefit it changes. A benefit's category must be one the ``benefits``
rules name, and its holder registered in the account's premises during it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Invalid
from zhkh.modules.passport.models import (
    Absence,
    BenefitAssignment,
    Person,
    PersonData,
    Registration,
)
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.schemas import (
    PERSONAL_FIELDS,
    AbsenceCreate,
    BenefitCreate,
    BenefitUpdate,
    PersonCreate,
    PersonUpdate,
    RegistrationCreate,
    RegistrationUpdate,
)
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.models import Account, Premises
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.schemas import AccountRecalc
from zhkh.modules.seams import Seams, period_of

REGISTRATION_FIELDS = ("person_id", "premises_id", "kind", "date_from", "date_to")
ABSENCE_FIELDS = ("person_id", "date_from", "date_to")
BENEFIT_FIELDS = ("person_id", "account_id", "category", "date_from", "date_to")
_DATA_FIELDS = ("full_name", "document_kind", "document_number", "document_issued")


def personal_values(person: Person) -> dict[str, Any]:
    """The personal values of a person (for comparison only; never logged or audited)."""
    data = person.data
    values = {name: getattr(data, name) if data else None for name in _DATA_FIELDS}
    values["birth_date"] = person.birth_date
    return {name: values[name] for name in PERSONAL_FIELDS}


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    return audit.masked_personal(values)


def get_person(session: Session, person_id: int) -> Person:
    """The person or ``NotFound`` (``person_not_found``)."""
    return get_or_not_found(session, Person, person_id, code="person_not_found",
                            message=f"человек {person_id} не найден", obj=f"person:{person_id}")


def create_person(session: Session, actor: Actor, data: PersonCreate) -> Person:
    """A new person; personal data goes to its own table; audited with values masked."""
    if data.full_name is None and any(
            getattr(data, f) is not None for f in ("document_kind", "document_number",
                                                   "document_issued")):
        raise Invalid("full_name_required", "документ указывается вместе с ФИО",
                      field="full_name")
    person = PassportRepository(session).add_person(
        birth_date=data.birth_date, full_name=data.full_name, document_kind=data.document_kind,
        document_number=data.document_number, document_issued=data.document_issued)
    after = _audit_view(personal_values(person))
    after["personal_fields_changed"] = [k for k, v in personal_values(person).items()
                                        if v is not None]
    audit.record(session, actor.with_reason(data.reason), action="person.create",
                 object_type="person", object_id=person.id, after=after)
    return person


def update_person(session: Session, actor: Actor, person_id: int, data: PersonUpdate) -> Person:
    """Change the sent fields; the audit entry names changed personal fields, not values."""
    person = get_person(session, person_id)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    old = personal_values(person)
    if "birth_date" in changes:
        person.birth_date = changes["birth_date"]
    data_changes = {k: v for k, v in changes.items() if k in _DATA_FIELDS}
    if data_changes:
        _apply_personal(person, data_changes)
    session.flush()
    new = personal_values(person)
    after = _audit_view(new)
    after["personal_fields_changed"] = [k for k in PERSONAL_FIELDS if old[k] != new[k]]
    audit.record(session, actor.with_reason(data.reason), action="person.update",
                 object_type="person", object_id=person.id, before=_audit_view(old),
                 after=after)
    return person


def _apply_personal(person: Person, changes: dict[str, Any]) -> None:
    if person.data is None:
        if not changes.get("full_name"):
            raise Invalid("full_name_required", "персональные данные начинаются с ФИО",
                          field="full_name")
        person.data = PersonData(**changes)
        return
    if "full_name" in changes and changes["full_name"] is None:
        raise Invalid("field_required", "ФИО не может быть пустым", field="full_name")
    for name, value in changes.items():
        setattr(person.data, name, value)


# registrations

def get_registration(session: Session, registration_id: int) -> Registration:
    """The registration or ``NotFound`` (``registration_not_found``)."""
    return get_or_not_found(session, Registration, registration_id,
                            code="registration_not_found",
                            message=f"регистрация {registration_id} не найдена",
                            obj=f"registration:{registration_id}")


def create_registration(session: Session, seams: Seams, actor: Actor, data: RegistrationCreate
                        ) -> tuple[Registration, list[AccountRecalc]]:
    """Register a person in a premises; the premises' accounts are recalculated."""
    if session.get(Person, data.person_id) is None:
        raise Invalid("person_not_found", f"человек {data.person_id} не найден",
                      field="person_id")
    if session.get(Premises, data.premises_id) is None:
        raise Invalid("premises_not_found", f"помещение {data.premises_id} не найдено",
                      field="premises_id")
    reg = PassportRepository(session).add_registration(
        person_id=data.person_id, premises_id=data.premises_id, kind=data.kind,
        date_from=data.date_from, date_to=data.date_to)
    audit.record(session, actor.with_reason(data.reason), action="registration.create",
                 object_type="registration", object_id=reg.id,
                 after=audit.snapshot(reg, REGISTRATION_FIELDS))
    return reg, _recalc_premises(session, seams, [reg.premises_id], reg.date_from)


def update_registration(session: Session, seams: Seams, actor: Actor, registration_id: int,
                        data: RegistrationUpdate) -> tuple[Registration, list[AccountRecalc]]:
    """Change kind or dates (``date_to`` ends it); recalculated from the earliest date touched."""
    reg = get_registration(session, registration_id)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    start = changes.get("date_from") or reg.date_from
    end = changes.get("date_to", reg.date_to)
    if end is not None and end < start:
        raise Invalid("dates_out_of_order", "дата окончания раньше даты начала", field="date_to")
    before = audit.snapshot(reg, REGISTRATION_FIELDS)
    registry.apply(reg, changes, required=("kind", "date_from"))
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="registration.update",
                 object_type="registration", object_id=reg.id, before=before,
                 after=audit.snapshot(reg, REGISTRATION_FIELDS))
    touched = [d for d in (reg.date_from, reg.date_to, *_dates(before)) if d is not None]
    return reg, _recalc_premises(session, seams, [reg.premises_id], min(touched))


def _dates(snapshot: dict[str, Any]) -> list[date]:
    return [date.fromisoformat(snapshot[k]) for k in ("date_from", "date_to") if snapshot[k]]


# absences

def create_absence(session: Session, seams: Seams, actor: Actor, data: AbsenceCreate
                   ) -> tuple[Absence, list[AccountRecalc]]:
    """A temporary absence; accounts of the premises where the person lives are recalculated."""
    if session.get(Person, data.person_id) is None:
        raise Invalid("person_not_found", f"человек {data.person_id} не найден",
                      field="person_id")
    absence = PassportRepository(session).add_absence(
        person_id=data.person_id, date_from=data.date_from, date_to=data.date_to,
        document=data.document)
    audit.record(session, actor.with_reason(data.reason), action="absence.create",
                 object_type="absence", object_id=absence.id,
                 after={**audit.snapshot(absence, ABSENCE_FIELDS),
                        "document": None if data.document is None else audit.PERSONAL_MASK})
    premises = PassportRepository(session).premises_of_person(data.person_id, data.date_from,
                                                             data.date_to)
    return absence, _recalc_premises(session, seams, premises, data.date_from)


# benefits

def get_benefit(session: Session, benefit_id: int) -> BenefitAssignment:
    """The benefit assignment or ``NotFound`` (``benefit_not_found``)."""
    return get_or_not_found(session, BenefitAssignment, benefit_id, code="benefit_not_found",
                            message=f"льгота {benefit_id} не найдена",
                            obj=f"benefit:{benefit_id}")


def create_benefit(session: Session, seams: Seams, actor: Actor, data: BenefitCreate
                   ) -> tuple[BenefitAssignment, Account, list[AccountRecalc]]:
    """Assign a benefit category to a person on an account; the account is recalculated from
    the benefit's first month."""
    if session.get(Person, data.person_id) is None:
        raise Invalid("person_not_found", f"человек {data.person_id} не найден",
                      field="person_id")
    account = session.scalar(select(Account).where(Account.number == data.account))
    if account is None:
        raise Invalid("account_not_found", f"лицевой счёт {data.account} не найден",
                      field="account")
    _known_category(seams, data.category)
    _holder_registered(session, data.person_id, account, data.date_from, data.date_to)
    benefit = PassportRepository(session).add_benefit(
        person_id=data.person_id, account_id=account.id, category=data.category,
        date_from=data.date_from, date_to=data.date_to, document=data.document)
    audit.record(session, actor.with_reason(data.reason), action="benefit.create",
                 object_type="benefit", object_id=benefit.id, after=_benefit_audit(benefit))
    return benefit, account, seams.recalculate(session, [account],
                                               period_of(benefit.date_from))


def update_benefit(session: Session, seams: Seams, actor: Actor, benefit_id: int,
                   data: BenefitUpdate
                   ) -> tuple[BenefitAssignment, Account, list[AccountRecalc]]:
    """Change category, dates or document (``date_to`` ends the benefit); the account is
    recalculated from the first day whose benefit changed (nothing for a document alone)."""
    benefit = get_benefit(session, benefit_id)
    account = session.get_one(Account, benefit.account_id)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    start = changes.get("date_from") or benefit.date_from
    end = changes.get("date_to", benefit.date_to)
    if end is not None and end < start:
        raise Invalid("dates_out_of_order", "дата окончания раньше даты начала", field="date_to")
    if changes.get("category") is not None:
        _known_category(seams, changes["category"])
    _holder_registered(session, benefit.person_id, account, start, end)
    before = _benefit_audit(benefit)
    old = (benefit.category, benefit.date_from, benefit.date_to)
    registry.apply(benefit, changes, required=("category", "date_from", "document"))
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="benefit.update",
                 object_type="benefit", object_id=benefit.id, before=before,
                 after=_benefit_audit(benefit))
    day = _first_changed_day(old, (benefit.category, benefit.date_from, benefit.date_to))
    if day is None:
        return benefit, account, []
    return benefit, account, seams.recalculate(session, [account], period_of(day))


def _benefit_audit(benefit: BenefitAssignment) -> dict[str, Any]:
    return {**audit.snapshot(benefit, BENEFIT_FIELDS),
            "document": None if benefit.document is None else audit.PERSONAL_MASK}


def _known_category(seams: Seams, category: str) -> None:
    known = seams.vocabulary.benefit_categories()
    if category not in known:
        raise Invalid("unknown_benefit_category", f"льготная категория {category!r} не описана "
                      f"в правилах benefits/; есть: {', '.join(known) or 'нет ни одной'}",
                      field="category")


def _holder_registered(session: Session, person_id: int, account: Account, first: date,
                       last: date | None) -> None:
    if not PassportRepository(session).registered_between(person_id, account.premises_id,
                                                          first, last):
        raise Invalid("benefit_holder_not_registered",
                      f"человек {person_id} не зарегистрирован в помещении счёта "
                      f"{account.number} ни в один день льготы", field="person_id")


def _first_changed_day(old: tuple[str, date, date | None], new: tuple[str, date, date | None]
                       ) -> date | None:
    """The first day on which the benefit (category, first day, last day) differs; None when
    nothing that counts changed."""
    if old == new:
        return None
    if old[0] != new[0] or old[1] != new[1]:
        return min(old[1], new[1])
    ends = [d for d in (old[2], new[2]) if d is not None]
    return min(ends) + timedelta(days=1)


def _recalc_premises(session: Session, seams: Seams, premises_ids: list[int], day: date
                     ) -> list[AccountRecalc]:
    accounts = []
    for premises_id in premises_ids:
        accounts += RegistryRepository(session).accounts_of_premises(premises_id)
    return seams.recalculate(session, accounts, period_of(day))
