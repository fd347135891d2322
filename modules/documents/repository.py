"""SQL of the documents module's own tables: sequence numbers, issued documents and
certificates (appended, never changed: the database refuses edits, migration 0110)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from zhkh.modules.db.repository import Repository, among
from zhkh.modules.documents.models import DocumentCounter, IssuedCertificate, IssuedDocument
from zhkh.modules.paging import page


class DocumentRepository(Repository):
    """Numbers, issued documents and certificates; flushes, never commits."""

    def take_sequences(self, kind: str, period: str, count: int) -> int:
        """Reserve ``count`` sequence numbers of ``kind`` in ``period``; returns the first.

        One upsert: the counter row is created or advanced and stays locked until the
        transaction ends, so concurrent issues of one kind and period take turns and a
        rolled-back issue gives its numbers back."""
        if count < 1:
            raise ValueError("нужно хотя бы одно число")
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(DocumentCounter).values(kind=kind, period=period, last_sequence=count)
        upsert = stmt.on_conflict_do_update(
            index_elements=[DocumentCounter.kind, DocumentCounter.period],
            set_={"last_sequence": DocumentCounter.last_sequence + count},
        ).returning(DocumentCounter.last_sequence)
        last = int(self.session.execute(upsert).scalar_one())
        return last - count + 1

    def add_documents(self, rows: Sequence[dict[str, Any]]) -> list[IssuedDocument]:
        """Insert issued documents (flushed: their ids are known)."""
        return self._add_all(IssuedDocument(**row) for row in rows)

    def add_certificate(self, **fields: Any) -> IssuedCertificate:
        """Insert a certificate's register row."""
        return self._add(IssuedCertificate(**fields))

    def get(self, document_id: int) -> IssuedDocument | None:
        """One issued document."""
        return self.session.get(IssuedDocument, document_id)

    def by_number(self, number: str) -> IssuedDocument | None:
        """The document with ``number``."""
        return self.session.scalar(select(IssuedDocument).where(
            IssuedDocument.number == number))

    def of_account(self, account_id: int, *, kind: str | None = None,
                   period: str | None = None, limit: int = 50, offset: int = 0
                   ) -> tuple[list[IssuedDocument], int]:
        """Documents of an account (newest period first, then newest issued), and the total."""
        stmt = select(IssuedDocument).where(IssuedDocument.account_id == account_id)
        if kind is not None:
            stmt = stmt.where(IssuedDocument.kind == kind)
        if period is not None:
            stmt = stmt.where(IssuedDocument.period == period)
        return page(self.session, stmt, limit=limit, offset=offset,
                    order_by=(IssuedDocument.period.desc(), IssuedDocument.id.desc()))

    def latest_bill(self, account_id: int, period: str) -> IssuedDocument | None:
        """The latest monthly or corrected document of an account's month."""
        return self.session.scalar(
            select(IssuedDocument).where(IssuedDocument.account_id == account_id,
                                         IssuedDocument.period == period,
                                         IssuedDocument.kind.in_(("monthly", "corrected")))
            .order_by(IssuedDocument.id.desc()).limit(1))

    def corrected_by(self, document_id: int) -> list[IssuedDocument]:
        """The documents that correct ``document_id``."""
        return list(self.session.scalars(select(IssuedDocument).where(
            IssuedDocument.corrects_id == document_id).order_by(IssuedDocument.id)))

    def issued_accounts(self, account_ids: Sequence[int], kind: str, period: str) -> set[int]:
        """The accounts among ``account_ids`` holding a document of ``kind`` and ``period``."""
        if not account_ids:
            return set()
        dialect = self.session.get_bind().dialect.name
        stmt = select(IssuedDocument.account_id).where(
            IssuedDocument.kind == kind, IssuedDocument.period == period)
        found: set[int] = set()
        step = len(account_ids) if dialect == "postgresql" else 900
        for i in range(0, len(account_ids), step):
            found.update(self.session.scalars(stmt.where(
                among(IssuedDocument.account_id, account_ids[i:i + step], dialect))))
        return found

    def of_house(self, house_id: int, kind: str, period: str) -> list[IssuedDocument]:
        """The documents of ``kind`` and ``period`` delivered in a house."""
        return list(self.session.scalars(select(IssuedDocument).where(
            IssuedDocument.house_id == house_id, IssuedDocument.kind == kind,
            IssuedDocument.period == period).order_by(IssuedDocument.id)))

    def counts_by_house(self, kind: str, period: str) -> dict[int, int]:
        """How many documents of ``kind`` and ``period`` each house holds."""
        stmt = (select(IssuedDocument.house_id, func.count()).where(
            IssuedDocument.kind == kind, IssuedDocument.period == period)
            .group_by(IssuedDocument.house_id))
        return {h: int(n) for h, n in self.session.execute(stmt)}
