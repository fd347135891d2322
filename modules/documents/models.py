"""Tables of issued documents: payment documents (ЕПД) with their snapshots, passport office
certificates, and the counters that number both.

Issued means immutable. The database refuses (migration 0110, on SQLite and PostgreSQL):

* any UPDATE or DELETE of an issued document or certificate (PostgreSQL: TRUNCATE too);
* a corrected document that does not point at a document of the same account and period.

A document keeps its snapshot as the canonical JSON text (``canonical.py``), never as JSONB,
whose key order is the database's: a reprint renders exactly the stored bytes. A certificate
keeps no personal data — its register row says what was issued, to whom and why, with the
content hash of what was printed (152-ФЗ: no copy of the residents' data is kept forever).

Numbers: ``<prefix>-<YYYY>-<MM>-<sequence of 7 digits>``, the sequence counted per kind and
period in ``document_counters`` (``numbering.py``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.modules.billing.models import PERIOD
from zhkh.modules.db.base import Base, IdPK, UtcDateTime, integer_check, one_of, period_check

DOCUMENT_KINDS = ("monthly", "corrected", "debt_notice")
CERTIFICATE_KINDS = ("house_register_extract", "residents_certificate", "apartment_card")


class IssuedDocument(Base):
    """A payment document as issued: its number, what it shows (canonical JSON) and who
    issued it; a corrected document points at the document it corrects."""

    __tablename__ = "issued_documents"
    __table_args__ = (
        one_of("kind", DOCUMENT_KINDS),
        *period_check("period"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("(kind = 'corrected') = (corrects_id IS NOT NULL)",
                        name="corrects_iff_corrected"),
        integer_check("total_kopecks"),
        UniqueConstraint("kind", "period", "sequence"),
        # one monthly document per account and month: a second issue is refused, a rerun of
        # mass printing skips what exists
        Index("uq_issued_documents_monthly", "account_id", "period", unique=True,
              sqlite_where=text("kind = 'monthly'"),
              postgresql_where=text("kind = 'monthly'")),
        Index("ix_issued_documents_account_period", "account_id", "period"),
        Index("ix_issued_documents_period_house", "period", "kind", "house_id"),
    )

    id: Mapped[IdPK]
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(PERIOD)
    sequence: Mapped[int]
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"))
    """The house the document is delivered in (the account's premises' house)."""
    issue_date: Mapped[date] = mapped_column(Date)
    total_kopecks: Mapped[int]
    snapshot: Mapped[str] = mapped_column(Text)
    """The canonical JSON of the snapshot (``canonical.canonical_json``), as text."""
    content_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 (hex) of the snapshot's canonical JSON."""
    rulebook_version: Mapped[str] = mapped_column(String(64))
    """The published rulebook the document was issued with (its due date, service titles);
    each ledger line it shows keeps its own version in the ledger."""
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    actor: Mapped[str] = mapped_column(String(128))
    issued_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class IssuedCertificate(Base):
    """A passport office certificate as issued: number, kind, premises, the date its data is
    as of, who asked and why, who issued it, and the content hash — no personal data."""

    __tablename__ = "issued_certificates"
    __table_args__ = (
        one_of("kind", CERTIFICATE_KINDS),
        *period_check("period"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("persons_count >= 0", name="persons_count_nonnegative"),
        UniqueConstraint("kind", "period", "sequence"),
    )

    id: Mapped[IdPK]
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    """The month of issue (the numbering period)."""
    sequence: Mapped[int]
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    issue_date: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text)
    persons_count: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    issued_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now())


class DocumentCounter(Base):
    """The last sequence number given per kind and period (documents and certificates)."""

    __tablename__ = "document_counters"
    __table_args__ = (CheckConstraint("last_sequence >= 0", name="last_sequence_nonnegative"),)

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(default=0)


__all__ = ["CERTIFICATE_KINDS", "DOCUMENT_KINDS", "DocumentCounter", "IssuedCertificate",
           "IssuedDocument"]
