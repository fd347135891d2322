"""Tables of access: API keys (only a hash of the key is stored), idempotency records, users
of the web application (argon2 password hashes) and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func
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


USER_ROLES = tuple(dict.fromkeys((*ROLES, "senior_cashier")))
"""Roles a user of the web application may hold: the API's and the senior cashier (who may
reverse a payment at the cash desk). Duplicates removed once ROLES lists it too."""


class User(Base):
    """A person who signs in to the web application; only an argon2 hash of the password is
    kept. A disabled user stays listed (the audit names them) but cannot sign in."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", USER_ROLES),)

    id: Mapped[IdPK]
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str | None] = mapped_column(Text)
    """Data scope as in ``ApiKey.scope``: NULL = every management company."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of the cookie's random token is stored, with the
    session's CSRF token (not a secret from its own user; it proves a form came from a page)."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"),)

    id: Mapped[IdPK]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
