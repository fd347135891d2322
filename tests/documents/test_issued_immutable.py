"""Issued means immutable: the database itself refuses to change or delete an issued document
or certificate, on SQLite and PostgreSQL, and numbers are sequential per kind and period.

Every refusal goes through raw SQL, so it is a trigger or a constraint that refuses, not
repository code.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from zhkh.modules.documents import numbering
from zhkh.modules.documents.repository import DocumentRepository

DUPLICATE_MONTHLY = (r"uq_issued_documents_monthly"  # PostgreSQL names the index
                     r"|запись с таким ключом уже есть")  # SQLite: the guard of 0114


def _document(world, repo: DocumentRepository, *, kind: str = "monthly", account: int = 0,
              period: str = "2026-09", corrects: int | None = None):
    sequence = repo.take_sequences(kind, period, 1)
    return repo.add_documents([{
        "number": numbering.number(kind, period, sequence), "kind": kind, "period": period,
        "sequence": sequence, "account_id": world.accounts[account].id,
        "house_id": world.house.id, "issue_date": date(2026, 10, 2), "total_kopecks": 12345,
        "snapshot": '{"x":1}', "content_hash": "0" * 64, "rulebook_version": "v1",
        "corrects_id": corrects, "actor": "test"}])[0]


def _refused(session, sql: str, params: dict, match: str) -> None:
    with pytest.raises((IntegrityError, DBAPIError), match=match), session.begin_nested():
        session.execute(text(sql), params)


class TestAnIssuedDocumentIsFinal:
    def test_its_snapshot_cannot_be_updated(self, session, world):
        doc = _document(world, DocumentRepository(session))
        _refused(session, "UPDATE issued_documents SET snapshot = '{}' WHERE id = :id",
                 {"id": doc.id}, "не изменяется")
        _refused(session, "UPDATE issued_documents SET total_kopecks = 1 WHERE id = :id",
                 {"id": doc.id}, "не изменяется")
        assert session.execute(text("SELECT snapshot FROM issued_documents WHERE id = :id"),
                               {"id": doc.id}).scalar_one() == '{"x":1}'

    def test_it_cannot_be_deleted(self, session, world):
        doc = _document(world, DocumentRepository(session))
        _refused(session, "DELETE FROM issued_documents WHERE id = :id", {"id": doc.id},
                 "не удаляется")

    def test_the_table_cannot_be_truncated_on_postgresql(self, session, world, backend):
        if backend != "postgresql":
            pytest.skip("TRUNCATE есть только в PostgreSQL (SQLite выполняет его как DELETE)")
        _document(world, DocumentRepository(session))
        _refused(session, "TRUNCATE issued_documents CASCADE", {}, "не удаляется")

    def test_a_certificate_register_row_cannot_be_changed_or_deleted(self, session, world):
        repo = DocumentRepository(session)
        row = repo.add_certificate(
            number="Ф10-2026-10-0000001", kind="apartment_card", period="2026-10", sequence=1,
            premises_id=world.flats[0].id, on_date=date(2026, 10, 1),
            issue_date=date(2026, 10, 1), requested_by="заявитель", purpose="для суда",
            persons_count=1, content_hash="0" * 64, actor="test")
        _refused(session, "UPDATE issued_certificates SET purpose = 'иное' WHERE id = :id",
                 {"id": row.id}, "не изменяется")
        _refused(session, "DELETE FROM issued_certificates WHERE id = :id", {"id": row.id},
                 "не удаляется")


class TestCorrectionsAndDuplicates:
    def test_a_correction_must_point_at_a_document_of_the_same_account_and_month(
            self, session, world):
        repo = DocumentRepository(session)
        first = _document(world, repo)
        other = _document(world, repo, account=1)
        with pytest.raises((IntegrityError, DBAPIError), match="того же лицевого счёта"), \
                session.begin_nested():
            _document(world, repo, kind="corrected", corrects=other.id)
        with pytest.raises((IntegrityError, DBAPIError), match="того же лицевого счёта"), \
                session.begin_nested():
            _document(world, repo, kind="corrected", period="2026-10", corrects=first.id)
        fixed = _document(world, repo, kind="corrected", corrects=first.id)
        assert fixed.corrects_id == first.id

    def test_a_corrected_document_needs_what_it_corrects_and_only_it_has_one(
            self, session, world):
        repo = DocumentRepository(session)
        first = _document(world, repo)
        with pytest.raises(IntegrityError, match="corrects_iff_corrected"), \
                session.begin_nested():
            _document(world, repo, kind="corrected")
        with pytest.raises(IntegrityError, match="corrects_iff_corrected"), \
                session.begin_nested():
            _document(world, repo, kind="debt_notice", corrects=first.id)

    def test_an_account_has_one_monthly_document_a_month(self, session, world):
        repo = DocumentRepository(session)
        _document(world, repo)
        with pytest.raises(IntegrityError, match=DUPLICATE_MONTHLY), session.begin_nested():
            _document(world, repo)
        assert _document(world, repo, period="2026-10").period == "2026-10"


class TestNumbers:
    def test_numbers_follow_each_other_per_kind_and_period(self, session, world):
        repo = DocumentRepository(session)
        assert repo.take_sequences("monthly", "2026-09", 3) == 1
        assert repo.take_sequences("monthly", "2026-09", 2) == 4
        assert repo.take_sequences("monthly", "2026-10", 1) == 1
        assert repo.take_sequences("debt_notice", "2026-09", 1) == 1
        assert repo.take_sequences("monthly", "2026-09", 1) == 6

    def test_a_rolled_back_issue_gives_its_numbers_back(self, session, world):
        repo = DocumentRepository(session)
        with pytest.raises(RuntimeError), session.begin_nested():
            repo.take_sequences("monthly", "2026-09", 5)
            raise RuntimeError("отказ посреди выпуска")
        assert repo.take_sequences("monthly", "2026-09", 1) == 1

    def test_the_number_reads_back_as_kind_period_and_sequence(self):
        assert numbering.number("monthly", "2026-10", 17) == "ЕПД-2026-10-0000017"
        assert numbering.parse("ИСП-2026-09-0000003") == ("corrected", "2026-09", 3)
        assert numbering.parse(numbering.number("apartment_card", "2026-12", 12_345_678)) == \
            ("apartment_card", "2026-12", 12_345_678)
        with pytest.raises(ValueError, match="не номер документа"):
            numbering.parse("2026-10-1")
