"""``/v1/audit``: the audit log, newest first (personal values are masked in it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from zhkh.api.auth import allow
from zhkh.api.deps import SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Moment
from zhkh.modules.audit.repository import AuditRepository
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1/audit", tags=["audit"], route_class=TransactionalRoute)


class AuditEntryOut(BaseModel):
    id: int
    actor: str
    at: datetime | None
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


@router.get("", dependencies=[allow("audit", "read")], summary="Журнал аудита")
def list_audit(session: SessionDep, window: WindowDep, object_type: str | None = None,
               object_id: str | None = None, actor: str | None = None,
               action: str | None = None, since: Moment | None = None
               ) -> Page[AuditEntryOut]:
    """Entries filtered by object, actor, action and time."""
    items, total = AuditRepository(session).list_entries(
         object_type=object_type, object_id=object_id, actor=actor, action=action, since=since,
        limit=window.limit, offset=window.offset)
    return Page[AuditEntryOut](
        items=[AuditEntryOut.model_validate(e, from_attributes=True) for e in items],
        total=total, limit=window.limit, offset=window.offset)
