"""One place that maps domain errors to HTTP responses with a stable error code.

Domain errors know nothing of HTTP; this module does. Every error body has the shape
``{"error": {"code": ..., "message": ..., ...}}`` (:class:`ErrorBody`); field errors list the
path at fault. :class:`DocumentedRoute`, the base of every route class of the API, declares
that body in the OpenAPI of each route for each status the route can answer with: 401 and
403 (every route needs a key and a permission), 422 (input), 404 (a route with an object in
its path) and 409 (a route that changes stored data).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.exc import IntegrityError

from zhkh.kernel.calc.errors import CalculationError
from zhkh.modules.errors import Conflict, DomainError, Invalid, NotFound, invalid_input

log = logging.getLogger("zhkh.api")

Responses = dict[int | str, dict[str, Any]]
"""A route's documented responses (FastAPI's ``responses=``): status → OpenAPI fields."""


class FieldProblem(BaseModel):
    """One field at fault: its dotted path in the input and what is wrong with it."""

    path: str
    message: str


class ErrorDetail(BaseModel):
    """What went wrong: a stable ``code``, a Russian ``message`` for the operator, and what is
    known of the place at fault."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    field: str | None = None
    """The input field at fault (a business rule refusing one field)."""
    object: str | None = None
    """The stored object at fault (``account:0000123455``)."""
    fields: list[FieldProblem] | None = None
    """Every field at fault (``invalid_input``, and a business rule refusing a field)."""
    account: str | None = None
    """The account a calculation refused (``POST /v1/calculate``)."""
    service: str | None = None
    """The service a calculation refused."""
    role: str | None = None
    """The caller's role (403)."""
    permission: str | None = None
    """The permission the role lacks (403, ``module:action``)."""


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


ERRORS: dict[int, str] = {
    401: "Нет ключа API, или он неизвестен или отозван (code: unauthenticated)",
    403: "Роли не разрешено это действие (code: forbidden; role, permission)",
    404: "Объект из пути не найден (code: …_not_found; object)",
    409: "Изменение противоречит сохранённым данным: объект уже есть, показание уже "
         "исправлено, ключ идемпотентности дан другому запросу (code: …_exists, "
         "idempotency_conflict, integrity_conflict, …)",
    413: "Тело запроса больше допустимого (code: body_too_large)",
    422: "Неверные данные (code: invalid_input; fields — пути полей) или отказ правила "
         "(code правила; field или account и service)",
    429: "Слишком много неудачных попыток входа с этого адреса (code: "
         "too_many_failed_authentications; заголовок Retry-After)",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def error_statuses(path: str, methods: set[str], *, writes_data: bool) -> list[int]:
    """The error statuses a route answers with: 401, 403, 422, 429 always; 413 when it takes
    a body; 404 when its path names an object; 409 when it changes stored data."""
    statuses = [401, 403, 422, 429]
    if methods & {"POST", "PUT", "PATCH"}:
        statuses.append(413)
    if "{" in path:
        statuses.append(404)
    if writes_data and methods & WRITES:
        statuses.append(409)
    return sorted(statuses)


class DocumentedRoute(APIRoute):
    """A route whose error responses are declared with :class:`ErrorBody` in the OpenAPI
    (a description the route gives itself is kept)."""

    writes_data = False
    """True for routes that change stored data (they may answer 409)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in (kwargs.get("methods") or ())}
        responses = dict(kwargs.get("responses") or {})
        for status in error_statuses(path, methods, writes_data=self.writes_data):
            given = dict(responses.get(status) or {})
            responses[status] = {"description": ERRORS[status], **given, "model": ErrorBody}
        kwargs["responses"] = responses
        super().__init__(path, endpoint, **kwargs)


@contextmanager
def body_references(**fields: str) -> Iterator[None]:
    """Inside the block, a ``NotFound`` whose code is a keyword here (``account_not_found=
    "account"``) is an object the request body names: the input is at fault, so it becomes
    an ``Invalid`` (422) naming that field, with the same code and object. Objects of the
    path stay 404."""
    try:
        yield
    except NotFound as exc:
        field = fields.get(exc.code)
        if field is None:
            raise
        raise Invalid(exc.code, exc.message, field=field, obj=exc.obj) from None


def _invalid(errors: Sequence[Mapping[str, Any]]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"error": invalid_input(errors)})


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: malformed input and domain errors → 422, faults → 500 logged."""

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(list(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _model_invalid(_: Request, exc: ValidationError) -> JSONResponse:
        return _invalid(list(exc.errors()))

    @app.exception_handler(CalculationError)
    async def _calculation(_: Request, exc: CalculationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": exc.as_dict()})

    @app.exception_handler(Exception)
    async def _fault(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", None)
        log.error(fault_line(request, exc))
        return JSONResponse(
            status_code=500,
            content={"error": {"code": "internal_error", "message": "Внутренняя ошибка сервера",
                               "request_id": request_id}},
        )


def fault_line(request: Request, exc: BaseException) -> str:
    """One log line about an unhandled fault: the request id, method and route, the error's
    class and code (a database error's SQLSTATE), the place it was raised and the field the
    database named — never the error's text nor a value of the request, since both may carry
    personal data (a DETAIL of PostgreSQL quotes the row)."""
    route = request.scope.get("route")
    where = getattr(route, "path", None) or "(нет маршрута)"
    origin = getattr(exc, "orig", None)
    sqlstate = getattr(origin, "sqlstate", None) or getattr(origin, "pgcode", None)
    diag = getattr(origin, "diag", None)
    column = getattr(diag, "column_name", None)
    table = getattr(diag, "table_name", None)
    tb = traceback.extract_tb(exc.__traceback__)
    frame = f"{tb[-1].filename.rsplit('/zhkh/', 1)[-1]}:{tb[-1].lineno}" if tb else "?"
    parts = [f"unhandled fault request_id={getattr(request.state, 'request_id', None)}",
             f"method={request.method}", f"route={where}", f"error={type(exc).__name__}"]
    if origin is not None:
        parts.append(f"db_error={type(origin).__name__}")
    if sqlstate:
        parts.append(f"sqlstate={sqlstate}")
    if table or column:
        parts.append(f"field={table or '?'}.{column or '?'}")
    parts.append(f"at={frame}")
    return " ".join(parts)


_DOMAIN_STATUS = ((NotFound, 404), (Conflict, 409), (Invalid, 422))


def _domain_status(exc: DomainError) -> int:
    for cls, status in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            return status
    return 422


def install_domain_error_handlers(app: FastAPI) -> None:
    """Business refusals → 404/409/422 with the error's stable code and the field at fault;
    a unique or foreign-key violation the services did not foresee → 409, never a 500.

    The database error text is not echoed nor logged: it may carry personal values.
    """

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        body = exc.as_dict()
        if exc.field is not None and isinstance(exc, Invalid):
            body["fields"] = [{"path": exc.field, "message": exc.message}]
        return JSONResponse(status_code=_domain_status(exc), content={"error": body})

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity conflict request_id=%s db_error=%s sqlstate=%s",
                    getattr(request.state, "request_id", None), type(exc.orig).__name__,
                    getattr(exc.orig, "sqlstate", None))
        return JSONResponse(status_code=409, content={"error": {
            "code": "integrity_conflict",
            "message": "Изменение противоречит сохранённым данным (повтор ключа или ссылка "
                       "на несуществующий объект); повторите запрос после проверки"}})
