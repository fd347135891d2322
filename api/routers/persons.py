"""``/v1/persons``: persons; personal data only for roles allowed to see it."""

from __future__ import annotations

from fastapi import APIRouter

from zhkh.api.auth import PrincipalDep, allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, PersonalReadsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.paging import Page
from zhkh.modules.passport import service as passport
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.schemas import PersonCreate, PersonOut, PersonUpdate

router = APIRouter(prefix="/v1/persons", tags=["passport"], route_class=TransactionalRoute)
READ, WRITE = allow("passport", "read"), allow("passport", "write")


@router.post("", status_code=201, dependencies=[WRITE], summary="Добавить человека")
def create_person(session: SessionDep, actor: ActorDep, principal: PrincipalDep,
                  body: PersonCreate) -> PersonOut:
    """A new person with (optional) personal data."""
    person = passport.create_person(session, actor, body)
    return PersonOut.of(person, personal=principal.sees_personal_data)


@router.get("", dependencies=[READ], summary="Люди")
def list_persons(session: SessionDep, principal: PrincipalDep, reads: PersonalReadsDep,
                 window: WindowDep, premises_id: IdQuery = None,
                 registered_on: Day | None = None) -> Page[PersonOut]:
    """Persons, optionally those registered in a premises (on a day); the read of the page's
    personal data is logged (``GET /v1/audit/access``)."""
    items, total = PassportRepository(session).list_persons(
        premises_id=premises_id, registered_on=registered_on, limit=window.limit,
        offset=window.offset)
    personal = principal.sees_personal_data
    reads.record("persons_list", [p.id for p in items])
    return Page[PersonOut](items=[PersonOut.of(p, personal=personal) for p in items],
                           total=total, limit=window.limit, offset=window.offset)


@router.get("/{person_id}", dependencies=[READ], summary="Человек")
def get_person(session: SessionDep, principal: PrincipalDep, reads: PersonalReadsDep,
               person_id: IdPath) -> PersonOut:
    """One person; 404 ``person_not_found``; the read is logged (``GET /v1/audit/access``)."""
    person = passport.get_person(session, person_id)
    reads.record("person", [person.id])
    return PersonOut.of(person, personal=principal.sees_personal_data)


@router.patch("/{person_id}", dependencies=[WRITE], summary="Изменить данные человека")
def update_person(session: SessionDep, actor: ActorDep, principal: PrincipalDep,
                  person_id: IdPath, body: PersonUpdate) -> PersonOut:
    """Change the fields sent; the audit entry names changed personal fields, not values."""
    person = passport.update_person(session, actor, person_id, body)
    return PersonOut.of(person, personal=principal.sees_personal_data)
