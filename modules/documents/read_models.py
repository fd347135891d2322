"""Shapes of the documents API: what to issue, an issued document's summary and the whole
document (its metadata and the snapshot it shows), a certificate's register row."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zhkh.kernel.money import format_kopecks
from zhkh.modules.documents.canonical import load_snapshot
from zhkh.modules.documents.models import IssuedCertificate, IssuedDocument
from zhkh.modules.documents.schemas import DocumentKind, PaymentDocument
from zhkh.modules.documents.types import PeriodText
from zhkh.modules.schemas import Input

CertificateKind = Literal["house_register_extract", "residents_certificate", "apartment_card"]
"""``house_register_extract`` — выписка из домовой книги (поквартирной карточки): everyone
ever registered; ``residents_certificate`` — справка о составе семьи (зарегистрированных) on
a date; ``apartment_card`` — поквартирная карточка (форма №10)."""


class DocumentIssueIn(Input):
    """What to issue for an account."""

    kind: DocumentKind = Field(default="monthly", description="monthly — ЕПД за месяц; "
                               "corrected — исправленный ЕПД после перерасчёта выпущенного "
                               "месяца; debt_notice — уведомление о задолженности")
    period: PeriodText | None = Field(
        default=None, description="Месяц ГГГГ-ММ (закрытый); по умолчанию — последний "
        "закрытый")
    issue_date: date | None = Field(default=None, description="Дата документа; по умолчанию "
                                    "— сегодня")


class DocumentSummary(BaseModel):
    """An issued document in a list."""

    model_config = ConfigDict(frozen=True)

    id: int
    number: str
    kind: DocumentKind
    account: str
    period: str
    issue_date: date
    total_to_pay: str = Field(description="Итого к оплате, рубли")
    content_hash: str
    corrects_id: int | None
    actor: str
    issued_at: str

    @classmethod
    def of(cls, row: IssuedDocument, account: str) -> DocumentSummary:
        """The summary of a stored document."""
        return cls(id=row.id, number=row.number, kind=row.kind,
                   account=account, period=row.period, issue_date=row.issue_date,
                   total_to_pay=format_kopecks(row.total_kopecks),
                   content_hash=row.content_hash, corrects_id=row.corrects_id,
                   actor=row.actor, issued_at=row.issued_at.isoformat())


class DocumentOut(DocumentSummary):
    """An issued document: metadata, what it corrects and is corrected by, and its snapshot
    exactly as issued."""

    rulebook_version: str
    corrects: str | None = Field(description="Номер исправляемого документа")
    corrected_by: list[str] = Field(description="Номера исправивших его документов")
    snapshot: PaymentDocument

    @classmethod
    def full(cls, row: IssuedDocument, account: str, corrects: str | None,
             corrected_by: list[str]) -> DocumentOut:
        """The whole document of a stored row."""
        return cls(**DocumentSummary.of(row, account).model_dump(),
                   rulebook_version=row.rulebook_version, corrects=corrects,
                   corrected_by=corrected_by, snapshot=load_snapshot(row.snapshot))


class CertificateIssueIn(Input):
    """A passport office certificate to issue for a premises."""

    kind: CertificateKind
    requested_by: str = Field(min_length=1, max_length=300,
                              description="Кто обратился (ФИО заявителя, основание)")
    purpose: str = Field(min_length=1, max_length=2000,
                         description="Для чего нужен документ (в журнал 152-ФЗ)")
    on_date: date | None = Field(default=None, description="На дату; по умолчанию — сегодня")


class CertificateOut(BaseModel):
    """A certificate's register row (no personal data)."""

    id: int
    number: str
    kind: CertificateKind
    premises_id: int
    on_date: date
    issue_date: date
    requested_by: str
    purpose: str
    persons_count: int
    content_hash: str
    actor: str

    @classmethod
    def of(cls, row: IssuedCertificate) -> CertificateOut:
        """The read model of a register row."""
        return cls(id=row.id, number=row.number, kind=row.kind,
                   premises_id=row.premises_id, on_date=row.on_date,
                   issue_date=row.issue_date, requested_by=row.requested_by,
                   purpose=row.purpose, persons_count=row.persons_count,
                   content_hash=row.content_hash, actor=row.actor)
