"""``/v1/audit``: the audit log, newest first (personal values are masked in it), and
``/v1/audit/access``: the personal-data access log (152-ФЗ)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from zhkh.api.auth import allow
from zhkh.api.deps import IdQuery, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Moment
from zhkh.modules.audit.repository import AccessLogRepository, AuditRepository
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


class PersonalReadOut(BaseModel):
    id: int
    at: datetime
    actor: str
    person_id: int
    what: str
    reason: str | None


@router.get("/access", dependencies=[allow("audit", "read")],
            summary="Журнал доступа к персональным данным")
def list_personal_reads(session: SessionDep, window: WindowDep, person_id: IdQuery = None,
                        actor: Annotated[str | None, Query(max_length=200)] = None,
                        what: Annotated[str | None, Query(max_length=64)] = None,
                        since: datetime | None = None, until: datetime | None = None
                        ) -> Page[PersonalReadOut]:
    """Who read whose personal data, when, what and why (``X-Reason``), newest first;
    filtered by person, actor, kind of read and time [``since``, ``until``)."""
    items, total = AccessLogRepository(session).list_reads(
        person_id=person_id, actor=actor, what=what, since=since, until=until,
        limit=window.limit, offset=window.offset)
    return Page[PersonalReadOut](
        items=[PersonalReadOut.model_validate(e, from_attributes=True) for e in items],
        total=total, limit=window.limit, offset=window.offset)
