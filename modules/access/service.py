"""API keys: create (the plain key is shown once), authenticate, revoke.

A key is ``zk_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored: a key is a high-entropy random secret, so a fast hash is enough (no password KDF is
needed to resist guessing) and lookup is a single indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules.access.models import ApiKey
from zhkh.modules.access.permissions import ROLES, is_allowed, sees_personal_data
from zhkh.modules.access.repository import AccessRepository
from zhkh.modules.access.scope import ALL, Scope
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Invalid

KEY_PREFIX = "zk_"


@dataclass(frozen=True)
class Principal:
    """Who calls: the key's id, its name, its role and its data scope."""

    key_id: int
    name: str
    role: str
    scope: Scope = ALL

    @property
    def actor(self) -> str:
        """The name written to the audit log (``api_key:3:portal``)."""
        return f"api_key:{self.key_id}:{self.name}"

    def may(self, module: str, action: str) -> bool:
        """Whether the role's permission table grants ``(module, action)``."""
        return is_allowed(self.role, module, action)

    @property
    def sees_personal_data(self) -> bool:
        """Whether personal data of persons may be shown to this principal."""
        return sees_personal_data(self.role)


def hash_key(plain: str) -> str:
    """The stored form of a key: SHA-256 hex of its UTF-8 bytes."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_api_key(session: Session, name: str, role: str, scope: Scope = ALL) -> str:
    """Create a key for ``role`` limited to ``scope`` and return the plain key — the only time
    it is known.

    Flushes, does not commit (the caller's unit of work does). Unknown role → ``Invalid``;
    the caller checks that the companies of ``scope`` exist.
    """
    return issue_api_key(session, name, role, scope)[1]


def issue_api_key(session: Session, name: str, role: str, scope: Scope = ALL
                  ) -> tuple[ApiKey, str]:
    """Like :func:`create_api_key`, with the stored key (its id, prefix) for the audit."""
    if role not in ROLES:
        raise Invalid("unknown_role", f"неизвестная роль {role!r}; допустимы: {', '.join(ROLES)}",
                      field="role")
    if not name or len(name) > 100:
        raise Invalid("invalid_key_name", "имя ключа: от 1 до 100 символов", field="name")
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = AccessRepository(session).add_api_key(name=name, role=role, key_prefix=plain[:10],
                                                 key_hash=hash_key(plain), scope=scope.stored())
    return key, plain


def authenticate(session: Session, plain: str) -> Principal | None:
    """The principal of a valid, not revoked key; None for anything else."""
    if not plain.startswith(KEY_PREFIX) or len(plain) > 200:
        return None
    key = AccessRepository(session).live_key(hash_key(plain))
    if key is None:
        return None
    return Principal(key_id=key.id, name=key.name, role=key.role,
                     scope=Scope.from_stored(key.scope))


def revoke_api_key(session: Session, key_id: int) -> ApiKey:
    """Revoke a key from now on (it stays listed; revoking again changes nothing) and return
    it; unknown id → ``NotFound``."""
    key = get_or_not_found(session, ApiKey, key_id, code="api_key_not_found",
                           message=f"ключ API {key_id} не найден", obj=f"api_key:{key_id}")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.flush()
    return key


def list_api_keys(session: Session) -> list[ApiKey]:
    """Every key, live and revoked, newest first (only prefixes, never a key)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))
