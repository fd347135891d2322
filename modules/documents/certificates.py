"""Passport office certificates (REFERENCE §8): what each shows, and their issue.

* ``house_register_extract`` — выписка из домовой книги (поквартирной карточки): everyone
  registered in the premises up to the date, permanently or temporarily, with the dates;
* ``residents_certificate`` — справка о составе семьи (о зарегистрированных): the people
  registered there on the date;
* ``apartment_card`` — поквартирная карточка (форма №10): the premises (area, rooms), its
  owners on the date and every registration up to it.

Issuing reads the residents' personal data through ``passport.extracts`` (each read logged),
numbers the certificate (``numbering``: ВДК, СЗР, Ф10 per month of issue), keeps a register
row without personal data (number, kind, premises, date, who asked, why, who issued, the
content hash of what is printed) and audits the issue. The snapshot itself is not kept: it is
personal data, and a new certificate is issued when one is needed again. The relationship to
the householder and the registration's basis are not kept by the passport module, so they are
not printed.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from zhkh.kernel.money import format_micro
from zhkh.kernel.period import Period
from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.documents import numbering
from zhkh.modules.documents.canonical import sha256_of
from zhkh.modules.documents.read_models import CertificateIssueIn
from zhkh.modules.documents.repository import DocumentRepository
from zhkh.modules.errors import NotFound
from zhkh.modules.passport.extracts import read_for_document
from zhkh.modules.registry.models import House, ManagementCompany, Premises

TITLES = {"house_register_extract": "ВЫПИСКА ИЗ ДОМОВОЙ КНИГИ (ПОКВАРТИРНОЙ КАРТОЧКИ)",
          "residents_certificate": "СПРАВКА О СОСТАВЕ СЕМЬИ (О ЗАРЕГИСТРИРОВАННЫХ)",
          "apartment_card": "ПОКВАРТИРНАЯ КАРТОЧКА (ФОРМА № 10)"}
KINDS = {"residence": "по месту жительства", "stay": "по месту пребывания"}
UNKNOWN = "сведения не внесены"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resident(_Part):
    """A registration as printed."""

    full_name: str
    birth_date: date | None
    kind: str = Field(description="по месту жительства / пребывания")
    date_from: date
    date_to: date | None


class Owner(_Part):
    """An owner as printed."""

    full_name: str
    share: str = Field(description="Доля, «1/2»")
    date_from: date


class Certificate(_Part):
    """One certificate: everything its page shows."""

    kind: Literal["house_register_extract", "residents_certificate", "apartment_card"]
    number: str
    issue_date: date
    on_date: date
    address: str
    premises_kind: str
    total_area: str
    rooms: int
    executor: str
    residents: tuple[Resident, ...]
    owners: tuple[Owner, ...] = ()
    requested_by: str
    purpose: str
    officer: str


def issue_certificate(session: Session, actor: Actor, premises_id: int,
                      body: CertificateIssueIn, *, today: date | None = None
                      ) -> tuple[Certificate, int]:
    """Issue a certificate for a premises: read the people (logged), number it, keep its
    register row, audit the issue; returns the certificate to print and its register id.
    ``NotFound`` (``premises_not_found``) for an unknown premises."""
    premises = session.get(Premises, premises_id)
    if premises is None:
        raise NotFound("premises_not_found", f"помещение {premises_id} не найдено",
                       obj=f"premises:{premises_id}")
    issue_date = today or date.today()
    on = body.on_date or issue_date
    asked = actor.with_reason(body.purpose)
    people = read_for_document(session, asked, premises_id, on, document=body.kind,
                               requested_by=body.requested_by,
                               history=body.kind != "residents_certificate",
                               with_owners=body.kind == "apartment_card")
    period = str(Period.of(issue_date))
    repo = DocumentRepository(session)
    sequence = repo.take_sequences(body.kind, period, 1)
    certificate = _certificate(session, premises, body, people, on, issue_date, actor,
                               numbering.number(body.kind, period, sequence))
    digest = sha256_of(certificate.model_dump_json().encode("utf-8"))
    row = repo.add_certificate(
        number=certificate.number, kind=body.kind, period=period, sequence=sequence,
        premises_id=premises_id, on_date=on, issue_date=issue_date,
        requested_by=body.requested_by, purpose=body.purpose,
        persons_count=len({r.person_id for r in people.registrations}),
        content_hash=digest, actor=actor.name)
    audit.record(session, asked, action="certificate.issue", object_type="certificate",
                 object_id=row.id, after={"number": row.number, "kind": row.kind,
                                          "premises_id": premises_id,
                                          "on_date": on.isoformat(),
                                          "requested_by": body.requested_by,
                                          "persons_count": row.persons_count,
                                          "content_hash": digest})
    return certificate, row.id


def _certificate(session: Session, premises: Premises, body: CertificateIssueIn, people,
                 on: date, issue_date: date, actor: Actor, number: str) -> Certificate:
    house = session.get(House, premises.house_id)
    company = session.get(ManagementCompany, house.management_company_id) \
        if house is not None and house.management_company_id else None
    parent = session.get(Premises, premises.parent_id) if premises.parent_id else None
    where = house.address if house is not None else ""
    if premises.kind == "room" and parent is not None:
        where += f", кв. {parent.number}, комн. {premises.number}"
    else:
        where += f", {'пом.' if premises.kind == 'nonresidential' else 'кв.'} {premises.number}"
    return Certificate(
        kind=body.kind, number=number, issue_date=issue_date, on_date=on, address=where,
        premises_kind={"flat": "квартира", "room": "комната",
                       "nonresidential": "нежилое помещение"}[premises.kind],
        total_area=format_micro(premises.area_micro), rooms=premises.rooms,
        executor=company.name if company is not None else "",
        residents=tuple(Resident(full_name=r.full_name or UNKNOWN, birth_date=r.birth_date,
                                 kind=KINDS.get(r.kind, r.kind), date_from=r.date_from,
                                 date_to=r.date_to) for r in people.registrations),
        owners=tuple(Owner(full_name=o.full_name or UNKNOWN,
                           share=f"{o.numerator}/{o.denominator}", date_from=o.date_from)
                     for o in people.owners),
        requested_by=body.requested_by, purpose=body.purpose, officer=actor.name)


