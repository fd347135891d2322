"""SQL of the audit log: append one entry, read a filtered page (the database refuses edits)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from zhkh.modules.audit.models import AuditEntry, PersonalDataAccess
from zhkh.modules.db.repository import Repository
from zhkh.modules.paging import page


class AuditRepository(Repository):
    """The audit log: append and read, nothing else."""

    def record(self, *, actor: str, action: str, object_type: str, object_id: object,
               before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
               reason: str | None = None) -> AuditEntry:
        """Append one audit entry (before/after are JSON-ready dicts); returns it persistent
        in the session with its id and time known.

        One Core ``INSERT … RETURNING`` (:meth:`Repository._insert`; the session flushed
        first, so the entry follows what it audits): every mutation writes one."""
        return self._insert(AuditEntry, {
            "actor": actor, "action": action, "object_type": object_type,
            "object_id": str(object_id), "before": before, "after": after, "reason": reason})

    def list_entries(self, *, object_type: str | None = None, object_id: str | None = None,
                     actor: str | None = None, action: str | None = None,
                     since: datetime | None = None, limit: int = 50, offset: int = 0
                     ) -> tuple[list[AuditEntry], int]:
        """One page of entries matching every given filter, newest first, and the total."""
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
        return page(self.session, stmt, limit=limit, offset=offset,
                    order_by=AuditEntry.id.desc())


class AccessLogRepository(Repository):
    """The personal-data access log (152-ФЗ): append and read, nothing else."""

    def add(self, *, at: datetime, actor: str, what: str, person_ids: list[int],
            reason: str | None) -> int:
        """One row per person (flushed, not committed); returns how many."""
        self.session.add_all([PersonalDataAccess(at=at, actor=actor, person_id=p, what=what,
                                                 reason=reason) for p in person_ids])
        self.session.flush()
        return len(person_ids)

    def list_reads(self, *, person_id: int | None = None, actor: str | None = None,
                   what: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 50, offset: int = 0
                   ) -> tuple[list[PersonalDataAccess], int]:
        """One page of reads matching every given filter, newest first, and the total."""
        stmt = select(PersonalDataAccess)
        if person_id is not None:
            stmt = stmt.where(PersonalDataAccess.person_id == person_id)
        if actor is not None:
            stmt = stmt.where(PersonalDataAccess.actor == actor)
        if what is not None:
            stmt = stmt.where(PersonalDataAccess.what == what)
        if since is not None:
            stmt = stmt.where(PersonalDataAccess.at >= since)
        if until is not None:
            stmt = stmt.where(PersonalDataAccess.at < until)
        return page(self.session, stmt, limit=limit, offset=offset,
                    order_by=PersonalDataAccess.id.desc())
