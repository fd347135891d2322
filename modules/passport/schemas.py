"""Pydantic models of the passport office: persons (personal data apart), registrations,
absences, benefit assignments, owners with their shares.

Personal data — full name, birth date, document — sits in :class:`PersonalData`; a reader
without the right to see it gets ``personal: null`` and ``personal_data_hidden: true``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from zhkh.kernel.bounded import Day
from zhkh.modules.schemas import AccountRecalc, Input, Reason, Ref

PERSONAL_FIELDS = ("full_name", "birth_date", "document_kind", "document_number",
                   "document_issued")
RegistrationKind = Literal["residence", "stay"]


def _ordered(value: date | None, info: Any) -> date | None:
    start = info.data.get("date_from")
    if value is not None and start is not None and value < start:
        raise ValueError("дата окончания раньше даты начала")
    return value


class PersonCreate(Input):
    full_name: str | None = Field(default=None, min_length=1, max_length=300)
    birth_date: Day | None = None
    document_kind: str | None = Field(default=None, max_length=64)
    document_number: str | None = Field(default=None, max_length=64)
    document_issued: str | None = Field(default=None, max_length=1000)
    reason: Reason = None


class PersonUpdate(PersonCreate):
    """Only the fields sent are changed; ``null`` clears an optional one."""


class PersonalData(BaseModel):
    full_name: str | None
    birth_date: Day | None
    document_kind: str | None
    document_number: str | None
    document_issued: str | None


class PersonOut(BaseModel):
    id: int
    personal_data_hidden: bool
    personal: PersonalData | None

    @classmethod
    def of(cls, person: Any, *, personal: bool) -> PersonOut:
        """The read model; personal data only when ``personal`` is True."""
        if not personal:
            return cls(id=person.id, personal_data_hidden=True, personal=None)
        data = person.data
        return cls(id=person.id, personal_data_hidden=False, personal=PersonalData(
            full_name=data.full_name if data else None, birth_date=person.birth_date,
            document_kind=data.document_kind if data else None,
            document_number=data.document_number if data else None,
            document_issued=data.document_issued if data else None))


class RegistrationCreate(Input):
    person_id: Ref
    premises_id: Ref
    kind: RegistrationKind = "residence"
    date_from: Day
    date_to: Day | None = None
    reason: Reason = None

    _dates = field_validator("date_to")(_ordered)


class RegistrationUpdate(Input):
    kind: RegistrationKind | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    reason: Reason = None


class RegistrationOut(BaseModel):
    id: int
    person_id: int
    premises_id: int
    kind: str
    date_from: Day
    date_to: Day | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, reg: Any, recalculation: list[AccountRecalc] | None = None) -> RegistrationOut:
        """The read model of a ``Registration`` (with the recalculation after a change)."""
        return cls(id=reg.id, person_id=reg.person_id, premises_id=reg.premises_id,
                   kind=reg.kind, date_from=reg.date_from, date_to=reg.date_to,
                   recalculation=recalculation)


class AbsenceCreate(Input):
    person_id: Ref
    date_from: Day
    date_to: Day
    document: str | None = Field(default=None, max_length=1000)
    reason: Reason = None

    _dates = field_validator("date_to")(_ordered)


class AbsenceOut(BaseModel):
    id: int
    person_id: int
    date_from: Day
    date_to: Day
    document: str | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, absence: Any, *, personal: bool,
           recalculation: list[AccountRecalc] | None = None) -> AbsenceOut:
        """The read model of an ``Absence``; its supporting document (it may tell of health or
        travel) only with the right to personal data."""
        return cls(id=absence.id, person_id=absence.person_id, date_from=absence.date_from,
                   date_to=absence.date_to, document=absence.document if personal else None,
                   recalculation=recalculation)


class BenefitCreate(Input):
    person_id: Ref
    account: str = Field(min_length=6, max_length=20, description="Номер лицевого счёта")
    category: str = Field(min_length=1, max_length=64, examples=["veteran_combat"],
                          description="Льготная категория, как её называют правила benefits/")
    date_from: Day
    date_to: Day | None = Field(default=None, description="Последний день; null — бессрочно")
    document: str = Field(min_length=1, max_length=1000,
                          description="Основание: удостоверение, справка МСЭ …")
    reason: Reason = None

    _dates = field_validator("date_to")(_ordered)


class BenefitUpdate(Input):
    """Only the fields sent are changed; ``date_to`` ends the benefit."""

    category: str | None = Field(default=None, min_length=1, max_length=64)
    date_from: Day | None = None
    date_to: Day | None = None
    document: str | None = Field(default=None, min_length=1, max_length=1000)
    reason: Reason = None


class BenefitOut(BaseModel):
    id: int
    person_id: int
    account: str
    category: str
    date_from: Day
    date_to: Day | None
    document: str | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, benefit: Any, account: str, *, personal: bool,
           recalculation: list[AccountRecalc] | None = None) -> BenefitOut:
        """The read model of a ``BenefitAssignment`` on the account numbered ``account``; its
        document (it may tell of a disability) only with the right to personal data."""
        return cls(id=benefit.id, person_id=benefit.person_id, account=account,
                   category=benefit.category, date_from=benefit.date_from,
                   date_to=benefit.date_to, document=benefit.document if personal else None,
                   recalculation=recalculation)


ShareText = Annotated[str, StringConstraints(pattern=r"^\s*[1-9]\d{0,8}\s*/\s*[1-9]\d{0,8}\s*$")]
"""An ownership share as a fraction, ``"1/2"``; ``"1/1"`` for a sole owner."""


def _share(value: str) -> str:
    num, den = (int(x) for x in value.split("/"))
    if num > den:
        raise ValueError("доля больше целого: числитель больше знаменателя")
    return f"{num}/{den}"


class OwnershipCreate(Input):
    """An owner of a premises with a share, from a date (to a date, both inclusive)."""

    person_id: Ref
    premises_id: Ref
    share: ShareText = Field(default="1/1", description="Доля, «1/2»")
    date_from: date
    date_to: date | None = None
    reason: Reason = None

    _share_ok = field_validator("share")(_share)
    _dates = field_validator("date_to")(_ordered)


class OwnershipUpdate(Input):
    """Only the fields sent are changed: ``date_to`` ends the ownership."""

    share: ShareText | None = None
    date_from: date | None = None
    date_to: date | None = None
    reason: Reason = None

    @field_validator("share")
    @classmethod
    def _share_ok(cls, value: str | None) -> str | None:
        return None if value is None else _share(value)


class OwnershipOut(BaseModel):
    id: int
    person_id: int
    premises_id: int
    share: str
    date_from: date
    date_to: date | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, own: Any, recalculation: list[AccountRecalc] | None = None) -> OwnershipOut:
        """The read model of an ``OwnershipShare`` (with the recalculation after a change)."""
        return cls(id=own.id, person_id=own.person_id, premises_id=own.premises_id,
                   share=f"{own.numerator}/{own.denominator}", date_from=own.date_from,
                   date_to=own.date_to, recalculation=recalculation)
