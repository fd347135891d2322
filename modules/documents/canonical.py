"""Canonical JSON of a document snapshot and its content hash.

The canonical form is the model's JSON (money as ``"1234.56"``, dates ``YYYY-MM-DD``) with
keys sorted, no insignificant whitespace, non-ASCII kept as UTF-8 and every field present
(defaults included), so one snapshot has exactly one byte string and one hash, whatever
order its parts were filled in. Reading the canonical bytes back gives an equal snapshot.
"""

from __future__ import annotations

import hashlib
import json

from zhkh.modules.documents.schemas import PaymentDocument


def canonical_json(document: PaymentDocument) -> bytes:
    """The snapshot as canonical UTF-8 JSON bytes (sorted keys, compact separators)."""
    data = document.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def content_hash(document: PaymentDocument) -> str:
    """Hex SHA-256 of :func:`canonical_json`: the identity of what the document shows."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def load_snapshot(data: bytes | str) -> PaymentDocument:
    """A snapshot from its JSON (canonical or not); validation errors name the field."""
    return PaymentDocument.model_validate_json(data)


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
