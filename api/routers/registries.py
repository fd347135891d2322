"""``/v1/payment-registries`` and ``/v1/unidentified-payments``: bank registry files loaded
whole, and the payments in them whose account is unknown (невыясненные).

A file is uploaded as ``multipart/form-data`` (``file`` and ``format``, the name of a shipped
layout of ``adapters/bank``), read and checked by ``adapters.bank.parse_registry`` and posted
whole by the finance service. A file larger than the parser's limit is refused with 413
before it is read: by its declared length before the body is received, and while it is
received when no length is declared.

``Idempotency-Key`` is not used by the upload: a file is identified by its content, and the
same file again is 409 ``registry_already_loaded`` naming when it was loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Body,
    Depends,
    File,
    Form,
    HTTPException,
    Request,
    Response,
    UploadFile,
)
from starlette.types import Message, Receive

from zhkh.adapters.bank import Limits, RegistryError, builtin_profiles, get_profile, parse_registry
from zhkh.api import finance_examples as examples
from zhkh.api.auth import allow
from zhkh.api.deps import (
    ActorDep,
    FinanceRulesDep,
    IdPath,
    IdQuery,
    SeamsDep,
    SessionDep,
    WindowDep,
)
from zhkh.api.errors import ErrorBody, Responses, body_references
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.finance import service as finance
from zhkh.modules.finance.schemas import (
    MatchIn,
    PaymentOut,
    RegistryLineOut,
    RegistryOut,
    RegistryReportOut,
)
from zhkh.modules.paging import Page

FORMATS = tuple(sorted(n for n, p in builtin_profiles().items() if p.purpose == "payments"))
RegistryFormat = Literal[FORMATS]  # type: ignore[valid-type]
MULTIPART_SLACK = 64 * 1024
"""Bytes a multipart body may carry beyond the file: the part headers and the format."""


def registry_limits(request: Request) -> Limits:
    """The parser's limits of the app (``app.state.registry_limits``)."""
    return request.app.state.registry_limits


LimitsDep = Annotated[Limits, Depends(registry_limits)]


def too_large(limits: Limits, message: str | None = None) -> HTTPException:
    """The 413 refusal of a file above ``limits.max_bytes``."""
    megabytes = limits.max_bytes / (1024 * 1024)
    return HTTPException(status_code=413, detail={
        "code": "registry_too_large",
        "message": message or f"файл больше {megabytes:.0f} МБ — такой реестр не принимается; "
                              "разбейте его на части"})


def _capped(receive: Receive, limits: Limits) -> Receive:
    allowed = limits.max_bytes + MULTIPART_SLACK
    seen = 0

    async def receive_capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > allowed:
                raise too_large(limits)
        return message

    return receive_capped


class UploadRoute(TransactionalRoute):
    """A unit of work whose body is a file: refused with 413 past the parser's limit (plus
    the multipart overhead) before it is received whole."""

    idempotency_keys = False

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limits = registry_limits(request)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes + MULTIPART_SLACK:
                raise too_large(limits)
            return await handler(Request(request.scope, _capped(request.receive, limits)))

        return limited


uploads = APIRouter(prefix="/v1/payment-registries", tags=["finance"], route_class=UploadRoute)
router = APIRouter(prefix="/v1", tags=["finance"], route_class=TransactionalRoute)
READ, WRITE = allow("finance", "read"), allow("finance", "write")

_UPLOAD_ERRORS: Responses = {
    409: {"description": "Файл уже загружен (code: registry_already_loaded; в сообщении — "
                         "когда и под каким номером)"},
    413: {"description": "Файл больше предела (code: registry_too_large)", "model": ErrorBody},
    422: {"description": "Файл отклонён целиком: неверная кодировка, строка, поле, итоги не "
                         "сходятся (code: registry_…; line — номер строки, field — поле), "
                         "или неизвестный формат (fields: format)"},
}


@uploads.post("", status_code=201, dependencies=[WRITE], responses=_UPLOAD_ERRORS,
              summary="Загрузить реестр платежей банка")
def upload_registry(
    session: SessionDep, actor: ActorDep, rules: FinanceRulesDep, limits: LimitsDep,
    seams: SeamsDep,
    file: Annotated[UploadFile, File(description="Файл реестра, как его прислал банк")],
    format: Annotated[RegistryFormat, Form(description="Формат файла (профиль банка)")],
) -> RegistryReportOut:
    """Read the file in its format and post it whole: identified lines become payments
    allocated at once, lines of unknown or closed accounts wait as unidentified payments,
    lines already posted from an earlier file are kept as duplicates. Nothing is posted when
    any line is refused (422 naming the line and the field)."""
    try:
        parsed = parse_registry(file.file, get_profile(format), today=date.today(),
                                file_name=file.filename, limits=limits)
    except RegistryError as exc:
        if exc.code == "registry_too_large":
            raise too_large(limits, exc.message) from None
        raise
    return finance.import_registry(session, actor, parsed, rules, checks=seams.checks)


@uploads.get("", dependencies=[READ], summary="Загруженные реестры платежей")
def list_registries(session: SessionDep, window: WindowDep) -> Page[RegistryOut]:
    """Loaded files, the latest first: counts and sums, who loaded them and when."""
    return finance.list_registries(session, limit=window.limit, offset=window.offset)


@uploads.get("/{registry_id}", dependencies=[READ], summary="Реестр платежей")
def get_registry(session: SessionDep, registry_id: IdPath) -> RegistryOut:
    """One loaded file; 404 ``registry_not_found``. Its payments:
    ``GET /v1/payments?registry_id=``; its unidentified lines:
    ``GET /v1/unidentified-payments?registry_id=``."""
    return finance.get_registry(session, registry_id)


@router.get("/unidentified-payments", dependencies=[READ], summary="Невыясненные платежи")
def list_unidentified(session: SessionDep, window: WindowDep, registry_id: IdQuery = None
                      ) -> Page[RegistryLineOut]:
    """Registry lines whose account is unknown or was closed, not matched yet, oldest
    first; of one file with ``registry_id``."""
    return finance.unidentified(session, registry_id=registry_id, limit=window.limit,
                                offset=window.offset)


@router.post("/unidentified-payments/{line_id}/match", status_code=201, dependencies=[WRITE],
             responses={409: {"description": "Строка уже разнесена или не относится к "
                                             "невыясненным (code: line_already_matched, "
                                             "line_not_unidentified)"}},
             summary="Разнести невыясненный платёж на счёт")
def match_unidentified(session: SessionDep, actor: ActorDep, rules: FinanceRulesDep,
                       line_id: IdPath,
                       body: Annotated[MatchIn, Body(openapi_examples=examples.MATCH)]
                       ) -> PaymentOut:
    """Post the line's money to the account named, with the reason (audited); returns the
    payment with its allocation and the account's new balance. An unknown account is 422
    naming ``account``; an unknown line is 404."""
    with body_references(account_not_found="account"):
        return finance.match(session, actor, line_id, body, rules)
