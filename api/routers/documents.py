"""Payment documents (ЕПД): issue one for an account, list an account's documents, read one
as JSON (metadata and the snapshot exactly as issued) or as PDF (rendered from the stored
snapshot: the same bytes on every reprint). And the passport office's certificates of a
premises, answered as the PDF itself.

Issuing is ``documents:write`` (the operator, the accountant), reading ``documents:read``
(also the cashier, the analyst, the auditor). ``Idempotency-Key`` on ``POST`` makes a retry
safe (``api/idempotency.py``): the stored answer is replayed, no second document is issued.
A certificate is ``passport_documents:write`` (the passport officer); its answer is a PDF, not
replayable JSON, so the key is not taken there: every request issues a new numbered
certificate, each logged with who asked and why.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response

from zhkh.adapters.print.certificates import render_certificate
from zhkh.adapters.print.render import check_printable, render
from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, SessionDep, WindowDep
from zhkh.api.errors import Responses
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.documents import service as documents
from zhkh.modules.documents.certificates import issue_certificate
from zhkh.modules.documents.policy import DocumentRules
from zhkh.modules.documents.read_models import (
    CertificateIssueIn,
    DocumentIssueIn,
    DocumentOut,
    DocumentSummary,
)
from zhkh.modules.documents.schemas import DocumentKind
from zhkh.modules.documents.types import PeriodText
from zhkh.modules.paging import Page

accounts = APIRouter(prefix="/v1/accounts", tags=["documents"], route_class=TransactionalRoute)
router = APIRouter(prefix="/v1/documents", tags=["documents"], route_class=TransactionalRoute)
READ, WRITE = allow("documents", "read"), allow("documents", "write")


class CertificateRoute(TransactionalRoute):
    """One unit of work; the answer is a PDF, so no ``Idempotency-Key`` replay."""

    idempotency_keys = False


premises = APIRouter(prefix="/v1/premises", tags=["passport"], route_class=CertificateRoute)

ISSUE_EXAMPLES = {
    "monthly": {"summary": "ЕПД за закрытый месяц",
                "value": {"kind": "monthly", "period": "2026-10"}},
    "corrected": {"summary": "Исправленный ЕПД после перерасчёта",
                  "value": {"kind": "corrected", "period": "2026-09"}},
    "debt_notice": {"summary": "Уведомление о задолженности", "value": {"kind": "debt_notice"}},
}
_ISSUING: Responses = {
    409: {"description": "ЕПД за месяц уже выпущен; перерасчётов после выпуска не было "
                         "(code: document_exists, nothing_to_correct, "
                         "idempotency_conflict)"},
    422: {"description": "Месяц не закрыт (с проверками, мешающими закрытию), нет "
                         "долга, нет реквизитов поставщика, документ не печатается "
                         "(code: period_not_closed, no_debt, no_bank_details, "
                         "not_issuable, invalid_input)"}}


def get_document_rules(request: Request) -> DocumentRules:
    """The service catalogue, the due dates and the rulebook version of the published rules."""
    return request.app.state.document_rules


DocumentRulesDep = Annotated[DocumentRules, Depends(get_document_rules)]


@accounts.post("/{number}/documents", status_code=201, dependencies=[WRITE],
               responses=_ISSUING, summary="Выпустить платёжный документ")
def issue_document(session: SessionDep, actor: ActorDep, rules: DocumentRulesDep, number: str,
                   body: Annotated[DocumentIssueIn, Body(openapi_examples=ISSUE_EXAMPLES)]
                   ) -> DocumentOut:
    """Issue one document of ``kind`` for the account: the monthly ЕПД of a closed month
    (once per month), a corrected ЕПД after a recalculation of an issued month (pointing at
    the document it replaces), or a debt notice. The snapshot is stored forever; the answer
    is the document with it."""
    return documents.issue(session, actor, rules, number, body, check=check_printable)


@accounts.get("/{number}/documents", dependencies=[READ], summary="Платёжные документы счёта")
def list_documents(session: SessionDep, window: WindowDep, number: str,
                   kind: Annotated[DocumentKind | None, Query(description="Вид")] = None,
                   period: Annotated[PeriodText | None, Query(description="Месяц ГГГГ-ММ")] = None
                   ) -> Page[DocumentSummary]:
    """The account's issued documents, the latest month first; 404 ``account_not_found``."""
    return documents.list_documents(session, number, kind=kind, period=period,
                                    limit=window.limit, offset=window.offset)


@router.get("/{document_id}.pdf", dependencies=[READ], summary="Документ в PDF",
            response_class=Response,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "PDF, отрисованный из сохранённого снимка"}})
def document_pdf(session: SessionDep, document_id: IdPath) -> Response:
    """The document's PDF, rendered from its stored snapshot: byte for byte the same on
    every request (``ETag`` is the snapshot's content hash); 404 ``document_not_found``."""
    row = documents.stored_document(session, document_id)
    pdf = render(documents.snapshot_of(row))
    name = quote(f"{row.number}.pdf")
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"document-{row.id}.pdf\"; "
                               f"filename*=UTF-8''{name}",
        "ETag": f'"{row.content_hash}"'})


@router.get("/{document_id}", dependencies=[READ], summary="Платёжный документ")
def get_document(session: SessionDep, document_id: IdPath) -> DocumentOut:
    """The document: number, kind, account, month, dates, who issued it, the document it
    corrects and those correcting it, and its snapshot as issued; 404 ``document_not_found``."""
    return documents.get_document(session, document_id)


CERTIFICATE_EXAMPLES = {
    "extract": {"summary": "Выписка из домовой книги",
                "value": {"kind": "house_register_extract",
                          "requested_by": "Иванова М. П., собственник",
                          "purpose": "для нотариуса"}},
    "residents": {"summary": "Справка о зарегистрированных",
                  "value": {"kind": "residents_certificate", "requested_by": "Иванов И. И.",
                            "purpose": "в школу по месту требования"}},
}


@premises.post("/{premises_id}/passport-documents", status_code=201,
               dependencies=[allow("passport_documents", "write")], response_class=Response,
               responses={201: {"content": {"application/pdf": {}},
                                "description": "PDF документа; номер — в X-Document-Number"}},
               summary="Выдать документ паспортного стола")
def issue_passport_document(session: SessionDep, actor: ActorDep, premises_id: IdPath,
                            body: Annotated[CertificateIssueIn,
                                            Body(openapi_examples=CERTIFICATE_EXAMPLES)]
                            ) -> Response:
    """Issue a certificate of the premises — выписка из домовой книги, справка о составе семьи
    (зарегистрированных), поквартирная карточка (форма №10) — numbered and dated; the read of
    the residents' personal data and the issue are logged with who asked and why. The answer
    is the PDF; 404 ``premises_not_found``."""
    certificate, register_id = issue_certificate(session, actor, premises_id, body)
    pdf = render_certificate(certificate)
    return Response(pdf, status_code=201, media_type="application/pdf", headers={
        "X-Document-Number": quote(certificate.number), "X-Document-Id": str(register_id),
        "Content-Disposition": f"inline; filename=\"certificate-{register_id}.pdf\"; "
                               f"filename*=UTF-8''{quote(certificate.number + '.pdf')}"})
