"""The review queue of readings held by the plausibility checks (``rules/checks``).

A reading that fails a check is not stored among the meter's readings, so it is not billed:
it waits here, with the checks it failed (code and Russian message each), and the month is
billed as if no reading came (the method rules' fallback: the п. 59 average, then the norm).
An operator confirms it — the reading is then stored and the accounts of the premises are
recalculated from its month, as for any new reading — or rejects it, with a reason. A decided
review is never changed again, and none is deleted (database triggers, migration 0112). The
same ``(source, source_id)`` sent again returns the held review, not a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Conflict, Invalid
from zhkh.modules.meters.models import Meter, ReadingReview
from zhkh.modules.meters.recalc import recalculate_meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.meters.schemas import ReadingCreate
from zhkh.modules.paging import page
from zhkh.modules.schemas import AccountRecalc, micro
from zhkh.modules.seams import Seams

REVIEW_FIELDS = ("meter_id", "zone", "taken_on", "value_micro", "source", "source_id", "status",
                 "decided_by", "decision_reason", "reading_id")


def held(session: Session, seams: Seams, actor: Actor, meter: Meter, data: ReadingCreate
         ) -> tuple[ReadingReview | None, bool]:
    """The review holding this reading: ``(review, True)`` when it failed a check now (it is
    queued), ``(review, False)`` when the same ``(source, source_id)`` is already queued,
    ``(None, False)`` when it passes every check (or no checks are wired)."""
    if data.source_id is not None:
        known = session.scalar(select(ReadingReview).where(
            ReadingReview.source == data.source, ReadingReview.source_id == data.source_id))
        if known is not None:
            if (known.meter_id, known.zone, known.taken_on, known.value_micro) != (
                    meter.id, data.zone, data.taken_on, micro(data.value)):
                raise Conflict("reading_source_conflict",
                               f"показание {data.source}/{data.source_id} уже получено иным "
                               f"(на проверке № {known.id})", field="source_id")
            return known, False
    if seams.checks is None:
        return None, False
    failed = seams.checks.check(session, meter.id, data.zone, data.taken_on, micro(data.value))
    if not failed:
        return None, False
    review = ReadingReview(meter_id=meter.id, zone=data.zone, taken_on=data.taken_on,
                           value_micro=micro(data.value), source=data.source,
                           source_id=data.source_id, checks=failed, status="pending",
                           actor=actor.name)
    session.add(review)
    session.flush()
    audit.record(session, actor, action="reading.hold", object_type="reading_review",
                 object_id=review.id,
                 after={**audit.snapshot(review, REVIEW_FIELDS),
                        "checks": [c["code"] for c in failed]})
    return review, True


def get_review(session: Session, review_id: int) -> ReadingReview:
    """The held reading or ``NotFound`` (``reading_review_not_found``)."""
    return get_or_not_found(session, ReadingReview, review_id,
                            code="reading_review_not_found",
                            message=f"показание на проверке {review_id} не найдено",
                            obj=f"reading_review:{review_id}")


def list_reviews(session: Session, *, status: str | None = "pending", meter_id: int | None = None,
                 limit: int, offset: int) -> tuple[list[ReadingReview], int]:
    """Held readings (pending ones by default), oldest first."""
    stmt = select(ReadingReview)
    if status is not None:
        stmt = stmt.where(ReadingReview.status == status)
    if meter_id is not None:
        stmt = stmt.where(ReadingReview.meter_id == meter_id)
    return page(session, stmt, limit=limit, offset=offset, order_by=ReadingReview.id)


def confirm(session: Session, seams: Seams, actor: Actor, review_id: int
            ) -> tuple[ReadingReview, list[AccountRecalc]]:
    """Store the held reading as the operator confirms it (the checks are not run again) and
    recalculate the premises' accounts from its month. Refused: a decided review."""
    review = _pending(session, review_id)
    reading, _ = MeterRepository(session).add_reading(
        meter_id=review.meter_id, taken_on=review.taken_on, value_micro=review.value_micro,
        source=review.source, source_id=review.source_id, zone=review.zone)
    _decide(session, actor, review, "confirmed", reading_id=reading.id)
    meter = session.get(Meter, review.meter_id)
    assert meter is not None, "a review's meter exists (foreign key)"
    return review, recalculate_meter(session, seams, meter, review.taken_on,
                                     "подтверждено показание с проверки")


def reject(session: Session, actor: Actor, review_id: int) -> ReadingReview:
    """Reject the held reading (a reason is required); it is never billed."""
    review = _pending(session, review_id)
    if not actor.reason:
        raise Invalid("reason_required", "отклонение показания требует основания",
                      field="reason")
    _decide(session, actor, review, "rejected")
    return review


def _pending(session: Session, review_id: int) -> ReadingReview:
    review = get_review(session, review_id)
    if review.status != "pending":
        word = "подтверждено" if review.status == "confirmed" else "отклонено"
        raise Conflict("reading_review_decided", f"показание на проверке {review_id} уже "
                                                 f"{word} ({review.decided_by})")
    return review


def _decide(session: Session, actor: Actor, review: ReadingReview, status: str, *,
            reading_id: int | None = None) -> None:
    before = audit.snapshot(review, REVIEW_FIELDS)
    review.status, review.reading_id = status, reading_id
    review.decided_at, review.decided_by = datetime.now(UTC), actor.name
    review.decision_reason = actor.reason
    session.flush()
    action = {"confirmed": "reading.confirm", "rejected": "reading.reject"}[status]
    audit.record(session, actor, action=action, object_type="reading_review",
                 object_id=review.id, before=before,
                 after=audit.snapshot(review, REVIEW_FIELDS))
