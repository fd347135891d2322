"""``/v1/complaints``: consumers' complaints for the dispatcher's desk and for portals.

The dispatcher (``complaints:write``) registers complaints and moves them through the
workflow; the roles with ``complaints:read`` read them all. A portal (``external_system``,
``complaints:submit``) registers complaints and reads back only those it registered — their
status and history, so it can tell the consumer — and moves none: the workflow is the
dispatcher's. Times are local wall-clock times of the house; due times are moments (UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from zhkh.api.auth import PrincipalDep, allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.access.service import Principal
from zhkh.modules.complaints import desk
from zhkh.modules.complaints.repository import ComplaintDeskRepository
from zhkh.modules.complaints.schemas import ComplaintCreate, ComplaintOut, Status, TransitionIn
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1/complaints", tags=["complaints"], route_class=TransactionalRoute)
WRITE = allow("complaints", "write")


def _either(action: str) -> Callable[[Principal], Principal]:
    """A dependency: the principal, if it may ``complaints:<action>`` or submit (403 else)."""

    def check(principal: PrincipalDep) -> Principal:
        if not (principal.may("complaints", action) or principal.may("complaints", "submit")):
            raise HTTPException(status_code=403, detail={
                "code": "forbidden",
                "message": f"Роли {principal.role} не разрешено: complaints:{action}",
                "role": principal.role, "permission": f"complaints:{action}"})
        return principal

    check.__name__ = f"allow_complaints_{action}_or_submit"
    return check


SubmitDep = Annotated[Principal, Depends(_either("write"))]
ReadDep = Annotated[Principal, Depends(_either("read"))]


def _own(principal: Principal) -> str | None:
    """The principal whose complaints only are visible: a portal sees its own."""
    return None if principal.may("complaints", "read") else principal.actor


@router.post("", status_code=201, summary="Зарегистрировать обращение")
def register_complaint(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                       _principal: SubmitDep, body: ComplaintCreate) -> ComplaintOut:
    """A complaint by phone, portal or visit; it starts ``new``, due per the workflow."""
    complaint = desk.register(session, seams, actor, body)
    return desk.view(session, complaint, history=True)


def _contacts(principal: Principal) -> bool:
    return desk.sees_contacts(principal.may)


@router.get("", summary="Обращения")
def list_complaints(session: SessionDep, window: WindowDep, principal: ReadDep,
                    status: Status | None = None, house_id: IdQuery = None,
                    overdue: Annotated[bool, Query(
                        description="true — только просроченные (срок шага прошёл)")] = False,
                    ) -> Page[ComplaintOut]:
    """Complaints of a status and a house, the most urgent first; ``overdue=true``: those
    whose current step is past its due time."""
    at = desk.now()
    items, total = ComplaintDeskRepository(session).find(
        status=status, house_id=house_id, overdue_at=at if overdue else None,
        created_by=_own(principal), limit=window.limit, offset=window.offset)
    shown = desk.views(session, items, at=at, contacts=_contacts(principal))
    return Page[ComplaintOut](items=shown, total=total, limit=window.limit,
                              offset=window.offset)


@router.get("/{complaint_id}", summary="Обращение с историей")
def get_complaint(session: SessionDep, principal: ReadDep, complaint_id: IdPath
                  ) -> ComplaintOut:
    """One complaint with its history; 404 ``complaint_not_found`` (also for a portal asking
    for another's complaint)."""
    complaint = desk.get_complaint(session, complaint_id, created_by=_own(principal))
    return desk.view(session, complaint, history=True, contacts=_contacts(principal))


@router.post("/{complaint_id}/transition", dependencies=[WRITE],
             summary="Перевести обращение в следующее состояние")
def transition_complaint(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                         complaint_id: IdPath, body: TransitionIn) -> ComplaintOut:
    """One step of new → accepted → inspection → confirmed | rejected → closed; an illegal
    step is 409 ``illegal_transition``; rejecting needs ``comment``; confirming a quality
    complaint records its incident and answers with the recalculation."""
    done = desk.transition(session, seams, actor, complaint_id, body)
    return desk.view(session, done.complaint, history=True, recalculated=done.recalculated)
