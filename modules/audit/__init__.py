"""Audit of every mutation: who, when, what, before and after, why.

Entries are written in the caller's transaction (so a rolled-back change leaves no entry) into
the ``audit_log`` table (``audit/models.py``), which the database refuses to update or delete.
"""

from zhkh.modules.audit.service import (
    PERSONAL_MASK,
    Actor,
    masked_personal,
    record,
    record_personal_read,
    snapshot,
)

__all__ = ["PERSONAL_MASK", "Actor", "masked_personal", "record", "record_personal_read",
           "snapshot"]
