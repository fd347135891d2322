"""``/v1/registrations`` and ``/v1/absences``: registrations and temporary absences; each
change returns the recalculated accounts of the premises concerned."""

from __future__ import annotations

from fastapi import APIRouter

from zhkh.api.auth import PrincipalDep, allow
from zhkh.api.deps import (
    ActorDep,
    IdPath,
    IdQuery,
    PersonalReadsDep,
    SeamsDep,
    SessionDep,
    WindowDep,
)
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.paging import Page
from zhkh.modules.passport import service as passport
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.schemas import (
    AbsenceCreate,
    AbsenceOut,
    RegistrationCreate,
    RegistrationOut,
    RegistrationUpdate,
)

router = APIRouter(prefix="/v1", tags=["passport"], route_class=TransactionalRoute)
READ, WRITE = allow("passport", "read"), allow("passport", "write")


@router.post("/registrations", status_code=201, dependencies=[WRITE],
             summary="Зарегистрировать")
def create_registration(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                        body: RegistrationCreate) -> RegistrationOut:
    """A registration by residence or stay; returns the recalculated accounts."""
    reg, recalc = passport.create_registration(session, seams, actor, body)
    return RegistrationOut.of(reg, recalc)


@router.get("/registrations", dependencies=[READ], summary="Регистрации")
def list_registrations(session: SessionDep, window: WindowDep, person_id: IdQuery = None,
                       premises_id: IdQuery = None, active_on: Day | None = None
                       ) -> Page[RegistrationOut]:
    """Registrations of a person or a premises, optionally those in force on a day."""
    items, total = PassportRepository(session).list_registrations(
        person_id=person_id, premises_id=premises_id, active=active_on, limit=window.limit,
        offset=window.offset)
    return Page[RegistrationOut](items=[RegistrationOut.of(r) for r in items], total=total,
                                 limit=window.limit, offset=window.offset)


@router.get("/registrations/{registration_id}", dependencies=[READ], summary="Регистрация")
def get_registration(session: SessionDep, registration_id: IdPath) -> RegistrationOut:
    """One registration; 404 ``registration_not_found``."""
    return RegistrationOut.of(passport.get_registration(session, registration_id))


@router.patch("/registrations/{registration_id}", dependencies=[WRITE],
              summary="Изменить регистрацию")
def update_registration(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                        registration_id: IdPath, body: RegistrationUpdate) -> RegistrationOut:
    """Change kind or dates (``date_to`` ends it); returns the recalculated accounts."""
    reg, recalc = passport.update_registration(session, seams, actor, registration_id, body)
    return RegistrationOut.of(reg, recalc)


@router.post("/absences", status_code=201, dependencies=[WRITE],
             summary="Временное отсутствие")
def create_absence(session: SessionDep, seams: SeamsDep, actor: ActorDep, principal: PrincipalDep,
                   body: AbsenceCreate) -> AbsenceOut:
    """A temporary absence; returns the recalculated accounts."""
    absence, recalc = passport.create_absence(session, seams, actor, body)
    return AbsenceOut.of(absence, personal=principal.sees_personal_data, recalculation=recalc)


@router.get("/absences", dependencies=[READ], summary="Временные отсутствия")
def list_absences(session: SessionDep, principal: PrincipalDep, reads: PersonalReadsDep,
                  window: WindowDep, person_id: IdQuery = None) -> Page[AbsenceOut]:
    """Absences, optionally of one person (documents only with the personal-data right)."""
    items, total = PassportRepository(session).list_absences(
        person_id=person_id, limit=window.limit, offset=window.offset)
    personal = principal.sees_personal_data
    reads.record("absences_list", [a.person_id for a in items])
    return Page[AbsenceOut](items=[AbsenceOut.of(a, personal=personal) for a in items],
                            total=total, limit=window.limit, offset=window.offset)
