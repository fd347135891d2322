"""``/v1/reading-review``: readings held by the plausibility checks (``rules/checks``) — list
them, confirm one (it is stored and the accounts recalculated) or reject it with a reason."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.meters import review
from zhkh.modules.meters.schemas import ReadingReviewOut, ReviewDecision
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1/reading-review", tags=["meters"],
                   route_class=TransactionalRoute)
READ, WRITE = allow("readings", "read"), allow("readings", "write")


@router.get("", dependencies=[READ], summary="Показания на проверке")
def list_reviews(session: SessionDep, window: WindowDep,
                 status: Literal["pending", "confirmed", "rejected"] | None = "pending",
                 meter_id: IdQuery = None) -> Page[ReadingReviewOut]:
    """Held readings, oldest first (pending ones unless ``status`` says otherwise)."""
    items, total = review.list_reviews(session, status=status, meter_id=meter_id,
                                       limit=window.limit, offset=window.offset)
    return Page[ReadingReviewOut](items=[ReadingReviewOut.of(r) for r in items], total=total,
                                  limit=window.limit, offset=window.offset)


@router.get("/{review_id}", dependencies=[READ], summary="Показание на проверке")
def get_review(session: SessionDep, review_id: IdPath) -> ReadingReviewOut:
    """One held reading; 404 ``reading_review_not_found``."""
    return ReadingReviewOut.of(review.get_review(session, review_id))


@router.post("/{review_id}/confirm", dependencies=[WRITE], summary="Подтвердить показание")
def confirm(session: SessionDep, seams: SeamsDep, actor: ActorDep, review_id: IdPath,
            body: ReviewDecision) -> ReadingReviewOut:
    """Store the reading and recalculate the accounts; 409 ``reading_review_decided``."""
    found, recalc = review.confirm(session, seams, actor.with_reason(body.reason), review_id)
    return ReadingReviewOut.of(found, recalc)


@router.post("/{review_id}/reject", dependencies=[WRITE], summary="Отклонить показание")
def reject(session: SessionDep, actor: ActorDep, review_id: IdPath,
           body: ReviewDecision) -> ReadingReviewOut:
    """Never bill the reading; a reason is required (422 ``reason_required``)."""
    return ReadingReviewOut.of(review.reject(session, actor.with_reason(body.reason),
                                             review_id))
