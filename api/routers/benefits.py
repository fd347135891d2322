"""``/v1/benefits``: benefit assignments (льготы) of persons on accounts; each change returns
the recalculated account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

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
from zhkh.modules.passport.schemas import BenefitCreate, BenefitOut, BenefitUpdate
from zhkh.modules.registry.models import Account

router = APIRouter(prefix="/v1/benefits", tags=["passport"], route_class=TransactionalRoute)
READ, WRITE = allow("passport", "read"), allow("passport", "write")


@router.post("", status_code=201, dependencies=[WRITE], summary="Назначить льготу")
def create_benefit(session: SessionDep, seams: SeamsDep, actor: ActorDep, principal: PrincipalDep,
                   body: BenefitCreate) -> BenefitOut:
    """A benefit category of a person on an account; returns the recalculated account."""
    benefit, account, recalc = passport.create_benefit(session, seams, actor, body)
    return BenefitOut.of(benefit, account.number, personal=principal.sees_personal_data,
                         recalculation=recalc)


@router.get("", dependencies=[READ], summary="Льготы")
def list_benefits(session: SessionDep, principal: PrincipalDep, reads: PersonalReadsDep,
                  window: WindowDep,
                  person_id: IdQuery = None,
                  account: Annotated[str | None, Query(max_length=20,
                                                       description="Номер счёта")] = None,
                  category: Annotated[str | None, Query(max_length=64)] = None,
                  active_on: Annotated[Day | None, Query(description="Действующие на дату")]
                  = None) -> Page[BenefitOut]:
    """Benefit assignments of a person or an account, of a category, in force on a day
    (documents only with the personal-data right)."""
    items, total = PassportRepository(session).list_benefits(
        person_id=person_id, account=account, category=category, active_on_day=active_on,
        limit=window.limit, offset=window.offset)
    numbers = dict(session.execute(select(Account.id, Account.number).where(
        Account.id.in_({b.account_id for b in items}))).all()) if items else {}
    personal = principal.sees_personal_data
    reads.record("benefits_list", [b.person_id for b in items])
    return Page[BenefitOut](
        items=[BenefitOut.of(b, numbers[b.account_id], personal=personal) for b in items],
        total=total, limit=window.limit, offset=window.offset)


@router.get("/{benefit_id}", dependencies=[READ], summary="Льгота")
def get_benefit(session: SessionDep, principal: PrincipalDep, reads: PersonalReadsDep,
                benefit_id: IdPath) -> BenefitOut:
    """One benefit assignment; 404 ``benefit_not_found``; the read is logged."""
    benefit = passport.get_benefit(session, benefit_id)
    reads.record("benefit", [benefit.person_id])
    number = session.execute(select(Account.number).where(
        Account.id == benefit.account_id)).scalar_one()
    return BenefitOut.of(benefit, number, personal=principal.sees_personal_data)


@router.patch("/{benefit_id}", dependencies=[WRITE], summary="Изменить льготу")
def update_benefit(session: SessionDep, seams: SeamsDep, actor: ActorDep, principal: PrincipalDep,
                   benefit_id: IdPath, body: BenefitUpdate) -> BenefitOut:
    """Change category, dates or document (``date_to`` ends it); returns the recalculated
    account."""
    benefit, account, recalc = passport.update_benefit(session, seams, actor, benefit_id, body)
    return BenefitOut.of(benefit, account.number, personal=principal.sees_personal_data,
                         recalculation=recalc)
