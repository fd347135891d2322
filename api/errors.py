"""One place that maps domain errors to HTTP responses with a stable error code.

Domain errors know nothing of HTTP; this module does. Every error body has the shape
``{"error": {"code": ..., "message": ..., ...}}``; field errors list the path at fault.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from zhkh.kernel.calc.errors import CalculationError
from zhkh.modules.errors import Conflict, DomainError, Invalid, NotFound, invalid_input

log = logging.getLogger("zhkh.api")


def _invalid(errors: list[dict]) -> JSONResponse:
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
    async def _fault(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled fault")
        return JSONResponse(
            status_code=500,
            content={"error": {"code": "internal_error", "message": "Внутренняя ошибка сервера"}},
        )


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
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity conflict: %s", type(exc.orig).__name__)
        return JSONResponse(status_code=409, content={"error": {
            "code": "integrity_conflict",
            "message": "Изменение противоречит сохранённым данным (повтор ключа или ссылка "
                       "на несуществующий объект); повторите запрос после проверки"}})
