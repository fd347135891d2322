"""Reading the audit log: filtered, newest first, one page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhkh.modules.billing.models import AuditEntry


def list_entries(session: Session, *, object_type: str | None = None,
                 object_id: str | None = None, actor: str | None = None,
                 action: str | None = None, since: datetime | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[list[AuditEntry], int]:
    """One page of entries matching every given filter, newest first, and the total count."""
    stmt = select(AuditEntry)
    if object_type is not None:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), total
