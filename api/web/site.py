"""The web application's desks, in the order of the navigation, and their mounting on the app.

A desk adds its module to :data:`PAGES` (one line) — see ``api/web/README.md``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from types import ModuleType

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from zhkh.api.auth import FailedAuthentications
from zhkh.api.web import core
from zhkh.api.web.pages import (
    accounts,
    admin,
    analytics,
    cashdesk,
    complaints,
    home,
    passport,
    rules,
)

PAGES: list[ModuleType] = [
    home,
    accounts,
    cashdesk,
    complaints,
    passport,
    rules,
    analytics,
    admin,
]
"""Desk modules: each has ``router`` and ``DESK`` (a :class:`~zhkh.api.web.core.Desk`, or
None for pages that are not a desk of the navigation)."""


def _is_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not an asset)."""
    path = request.url.path
    return (not path.startswith(("/v1/", "/static/", "/docs", "/openapi", "/redoc"))
            and "text/html" in request.headers.get("accept", ""))


async def _answer(made: Response | Awaitable[Response]) -> Response:
    """The response of a handler that may be plain or a coroutine."""
    return await made if inspect.isawaitable(made) else made


def _pages_answer_in_html(app: FastAPI) -> None:
    """A page address that does not exist (404), a wrong method (405) or a malformed value in
    a page's address (422) answer a browser with the Russian error page; the API keeps its
    JSON errors (the handlers installed before are called for everything else)."""
    api_http = app.exception_handlers.get(HTTPException)
    api_invalid = app.exception_handlers.get(RequestValidationError)
    messages = {404: "Такой страницы нет.", 405: "Так эту страницу открыть нельзя."}

    async def http(request: Request, exc: Exception) -> Response:
        if _is_page(request) and isinstance(exc, HTTPException) and exc.status_code in messages:
            return core.error_page(request, messages[exc.status_code], exc.status_code)
        assert api_http is not None
        return await _answer(api_http(request, exc))

    async def invalid(request: Request, exc: Exception) -> Response:
        if _is_page(request):
            return core.error_page(request, "В адресе страницы неверное значение.", 422)
        assert api_invalid is not None
        return await _answer(api_invalid(request, exc))

    if api_http is not None:
        app.add_exception_handler(HTTPException, http)
    if api_invalid is not None:
        app.add_exception_handler(RequestValidationError, invalid)


def install(app: FastAPI) -> None:
    """Mount the static assets under ``/static`` and every desk's pages under ``/``."""
    settings = app.state.application.settings
    app.state.web_sign_in_failures = FailedAuthentications(
        settings.auth_failures_limit, settings.auth_failures_window_seconds)
    app.mount("/static", StaticFiles(directory=str(core.HERE / "static")), name="static")
    core.DESKS[:] = [m.DESK for m in PAGES if getattr(m, "DESK", None) is not None]
    for module in PAGES:
        app.include_router(module.router)
    _pages_answer_in_html(app)
