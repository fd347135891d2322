"""Writing audit entries and making before/after snapshots JSON-safe.

Personal data (152-ФЗ) never reaches the audit log in clear: a personal field is stored as
:data:`PERSONAL_MASK` when it has a value (``None`` when empty), and the entry's ``after``
lists ``personal_fields_changed`` — the names of the personal fields whose value changed.
So an auditor sees *that* a name or a document changed, and when and by whom, not the values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from zhkh.modules.audit.models import AuditEntry
from zhkh.modules.audit.repository import AccessLogRepository, AuditRepository
from zhkh.modules.schemas import jsonable

PERSONAL_MASK = "***"
"""What a personal value becomes in an audit snapshot."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change and why: ``name`` is the principal (``api_key:3:portal``)."""

    name: str
    reason: str | None = None

    def with_reason(self, reason: str | None) -> Actor:
        """The same actor with ``reason`` when one is given (the body wins over the header)."""
        return Actor(self.name, reason) if reason else self


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a JSON-ready dict (the before/after of an entry)."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def masked_personal(values: Mapping[str, Any]) -> dict[str, Any]:
    """Personal values replaced by :data:`PERSONAL_MASK` (``None`` stays ``None``)."""
    return {k: (None if v is None else PERSONAL_MASK) for k, v in values.items()}


def record(session: Session, actor: Actor, *, action: str, object_type: str, object_id: object,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
           ) -> AuditEntry:
    """Append one entry in the caller's transaction (flushed, not committed).

    ``action`` is ``<object>.<verb>`` (``house.create``); ``before`` is None for a creation.
    """
    return AuditRepository(session).record(
        actor=actor.name, action=action, object_type=object_type, object_id=object_id,
        before=before, after=after, reason=actor.reason)


def record_personal_read(session: Session, actor: Actor, what: str, person_ids: Iterable[int]
                         ) -> int:
    """Log that ``actor`` read the personal data of ``person_ids`` (one row per person, with
    the time and the actor's reason) in the caller's transaction; returns the rows written."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    return AccessLogRepository(session).add(at=datetime.now(UTC), actor=actor.name, what=what,
                                            person_ids=ids, reason=actor.reason)
