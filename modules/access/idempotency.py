"""Stored first responses of POST requests sent with an ``Idempotency-Key``.

A record is scoped to the principal (two clients may use the same key), holds a hash of the
request (method, path, query, canonical body) and the response, and is written in the same
transaction as the change it answers, so a change is never committed without its record.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules.access.models import IdempotencyRecord


def find(session: Session, principal: str, key: str) -> IdempotencyRecord | None:
    """The record of ``key`` for ``principal``, or None."""
    return session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.principal == principal, IdempotencyRecord.key == key))


def remember(session: Session, *, principal: str, key: str, request_hash: str,
             status_code: int, response_body: str) -> IdempotencyRecord:
    """Store the first response to ``key`` (flushed; a concurrent twin fails the unique key)."""
    record = IdempotencyRecord(principal=principal, key=key, request_hash=request_hash,
                               status_code=status_code, response_body=response_body)
    session.add(record)
    session.flush()
    return record
