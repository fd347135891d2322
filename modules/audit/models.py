"""The audit log table: who did what to which object, with before/after snapshots.

The database refuses UPDATE and DELETE of its rows (triggers of the initial migration, on
SQLite and PostgreSQL); entries are only ever appended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.modules.db.base import Base, IdPK, UtcDateTime

JSON_VALUE = JSON().with_variant(JSONB(), "postgresql")


class AuditEntry(Base):
    """Who did what to which object, with before/after snapshots; never edited."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id"),
    )

    id: Mapped[IdPK]
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON_VALUE)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON_VALUE)
    reason: Mapped[str | None] = mapped_column(Text)


class PersonalDataAccess(Base):
    """One read of a person's personal data (152-ФЗ): who, when, whose, what and why; the
    database refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) — migration 0115."""

    __tablename__ = "personal_data_access"
    __table_args__ = (
        Index("ix_personal_data_access_person_at", "person_id", "at"),
        Index("ix_personal_data_access_at", "at"),
    )

    id: Mapped[IdPK]
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int] = mapped_column(BigInteger)
    what: Mapped[str] = mapped_column(String(64))
    """What was read: ``person``, ``persons_list``, ``passport_document``, ``account_card`` …"""
    reason: Mapped[str | None] = mapped_column(Text)
    """Why (the ``X-Reason`` header of the request), if given."""
