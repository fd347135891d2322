"""SQL of access: API keys and the stored first responses of idempotent requests.

An idempotency record is scoped to the principal (two clients may use the same key), holds a
hash of the request (method, path, query, canonical body) and the response, and is written in
the same transaction as the change it answers, so a change is never committed without it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select, text

from zhkh.modules.access.models import ApiKey, IdempotencyRecord
from zhkh.modules.db.repository import Repository


class AccessRepository(Repository):
    """Reads and writes of API keys and idempotency records; flushes, never commits."""

    def add_api_key(self, *, name: str, role: str, key_prefix: str, key_hash: str,
                    scope: str | None = None) -> ApiKey:
        """A new key (only its hash is stored); ``scope`` as in ``ApiKey.scope``."""
        return self._add(ApiKey(name=name, role=role, key_prefix=key_prefix, key_hash=key_hash,
                                scope=scope))

    def live_key(self, key_hash: str) -> ApiKey | None:
        """The key with this hash that is not revoked, or None."""
        return self.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash,
                                                        ApiKey.revoked_at.is_(None)))

    def idempotency_record(self, principal: str, key: str) -> IdempotencyRecord | None:
        """The record of ``key`` for ``principal``, or None."""
        return self.session.scalar(select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal, IdempotencyRecord.key == key))

    def lock_idempotency_key(self, principal: str, key: str) -> None:
        """PostgreSQL: wait for, then hold until the transaction ends, the lock of ``key`` of
        ``principal`` (an advisory lock on a 64-bit hash), so a concurrent twin waits for the
        first request to finish instead of doing the work again. SQLite's writers are
        serialised already (``BEGIN IMMEDIATE``)."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        digest = hashlib.sha256(f"{principal}\x1f{key}".encode()).digest()
        self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                             {"k": int.from_bytes(digest[:8], "big", signed=True)})

    def purge_idempotency(self, older_than: datetime) -> int:
        """Delete the stored responses created before ``older_than``; how many."""
        result = self.session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < older_than))
        return int(getattr(result, "rowcount", 0) or 0)

    def remember_response(self, *, principal: str, key: str, request_hash: str,
                          status_code: int, response_body: str) -> IdempotencyRecord:
        """Store the first response to ``key`` (flushed; a concurrent twin fails the unique
        key)."""
        return self._add(IdempotencyRecord(principal=principal, key=key,
                                           request_hash=request_hash, status_code=status_code,
                                           response_body=response_body))
