"""Tables of access: API keys (only a hash of the key is stored) and idempotency records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.modules.access.permissions import ROLES
from zhkh.modules.db.base import Base, IdPK, UtcDateTime, one_of


class ApiKey(Base):
    """An API key of a person or a system; ``key_hash`` is the SHA-256 of the whole key."""

    __tablename__ = "api_keys"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[IdPK]
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    key_prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the key, to recognise it in a list (not a secret alone)."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    scope: Mapped[str | None] = mapped_column(Text)
    """Data scope: NULL = every management company, else their ids by commas (``"3,7"``)."""


class IdempotencyRecord(Base):
    """The first successful response to a POST with an ``Idempotency-Key`` of one principal."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key"),
                      Index("ix_idempotency_keys_created_at", "created_at"))

    id: Mapped[IdPK]
    principal: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())
