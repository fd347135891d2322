"""Moments keep their offset on both backends: stored in UTC, read back aware (issue 14,
defect 10: SQLite gave naive timestamps while the API declares date-time with an offset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from zhkh.modules.access.models import ApiKey
from zhkh.modules.audit.models import AuditEntry
from zhkh.modules.audit.repository import AuditRepository


def test_a_server_default_moment_reads_back_aware_in_utc(session):
    entry = AuditRepository(session).record(actor="t", action="x.y", object_type="x",
                                            object_id=1)
    session.flush()
    session.expire_all()
    at = session.scalar(select(AuditEntry.at).where(AuditEntry.id == entry.id))
    assert at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)


def test_a_moment_with_another_offset_is_the_same_instant_when_read(session):
    moscow = datetime(2026, 10, 5, 12, 30, tzinfo=timezone(timedelta(hours=3)))
    key = ApiKey(name="k", role="admin", key_prefix="zhkh_xxxxx", key_hash="h" * 64,
                 revoked_at=moscow)
    session.add(key)
    session.flush()
    session.expire_all()
    revoked = session.scalar(select(ApiKey.revoked_at).where(ApiKey.id == key.id))
    assert revoked == moscow and revoked.utcoffset() is not None
    assert revoked.astimezone(UTC).hour == 9
