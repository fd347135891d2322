"""The review queue of held readings on both backends: the database itself refuses to change a
decided review or to delete any review (triggers of migration 0112), and its CHECKs tie the
status to the decision."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from zhkh.modules.meters.models import ReadingReview
from zhkh.modules.meters.repository import MeterRepository

CHECK = [{"code": "volume_above_maximum", "message": "объём 99 884 больше …",
          "rule_id": "checks.water"}]


@pytest.fixture
def review(session, world):
    meter = MeterRepository(session).add_meter(serial="Т-1", service="cold_water",
                                               kind="individual", installed_on=date(2026, 1, 1),
                                               premises_id=world.flats[0].id)
    made = ReadingReview(meter_id=meter.id, zone="single", taken_on=date(2026, 10, 24),
                         value_micro=99_999_000_000, source="portal", source_id="x-1",
                         checks=CHECK, status="pending", actor="test")
    session.add(made)
    session.flush()
    return made


def test_a_held_reading_keeps_its_failed_checks(session, review):
    session.expunge_all()
    assert session.get(ReadingReview, review.id).checks == CHECK


def test_a_pending_review_is_decided_once_and_then_never_changed(session, review):
    session.execute(text("UPDATE reading_reviews SET status = 'rejected', decided_at = "
                         ":at, decided_by = 'оператор' WHERE id = :id"),
                    {"at": datetime.now(UTC), "id": review.id})
    with pytest.raises(DBAPIError, match="уже принято"), session.begin_nested():
        session.execute(text("UPDATE reading_reviews SET decision_reason = 'иначе' "
                             "WHERE id = :id"), {"id": review.id})


def test_no_review_is_deleted(session, review):
    with pytest.raises(DBAPIError, match="не удаляется"), session.begin_nested():
        session.execute(text("DELETE FROM reading_reviews WHERE id = :id"), {"id": review.id})


def test_a_decision_without_its_date_or_a_confirmation_without_its_reading_is_refused(
        session, review):
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("UPDATE reading_reviews SET status = 'rejected' WHERE id = :id"),
                        {"id": review.id})
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("UPDATE reading_reviews SET status = 'confirmed', decided_at = "
                             ":at WHERE id = :id"), {"at": datetime.now(UTC), "id": review.id})
