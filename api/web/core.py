"""What every page of the web application stands on: the unit of work of a request, the
signed-in user, the permission check, the CSRF check and rendering.

A page route belongs to a router made by :func:`desk_router` (route class :class:`WebRoute`):
each request is one unit of work — a GET's is read-only and rolled back, a POST's is
committed once when the answer is a success or a redirect. A page asks for its context with
``page: Annotated[Page, require("registry", "read")]``: no live session → redirect to the
sign-in page; a role the permission table (``modules/access/permissions.py``) does not grant
``(module, action)`` → the 403 page in Russian; a POST whose form lacks the session's CSRF
token (field ``csrf_token``) → 403 as well. From then on the session sees only the user's
data scope.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response, params
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from zhkh.adapters.db.scope import set_scope
from zhkh.api.web import format as fmt
from zhkh.modules.access.scope import NOTHING
from zhkh.modules.access.users import SignedIn, same_token, signed_in
from zhkh.modules.audit import Actor
from zhkh.modules.errors import Conflict, DomainError, Invalid, NotFound

HERE = Path(__file__).parent
COOKIE = "zhkh_session"
CSRF_FIELD = "csrf_token"

templates = Jinja2Templates(directory=str(HERE / "templates"))
fmt.install(templates.env)


@dataclass(frozen=True)
class Desk:
    """A desk of the navigation: its title, its home page, the permission it needs and the
    access key (Alt+key in Chromium) that opens it."""

    title: str
    path: str
    module: str
    action: str = "read"
    key: str = ""


DESKS: list[Desk] = []
"""Filled by ``site.py`` from the desk modules' ``DESK`` (in the navigation's order)."""


def desks_for(user: SignedIn | None) -> list[Desk]:
    """The desks ``user`` may open, in the navigation's order (none when signed out)."""
    if user is None:
        return []
    return [d for d in DESKS if user.may(d.module, d.action)]


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class Refused(Exception):
    """The page is not for this user (403) or the form was not sent from our page (CSRF)."""

    def __init__(self, message: str, status_code: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def db_session(request: Request) -> Session:
    """The request's unit of work (opened by :class:`WebRoute`)."""
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("страница без единицы работы: используйте desk_router()")
    return session


def current_user(request: Request) -> SignedIn | None:
    """The user of the session cookie, or None; cached per request."""
    if hasattr(request.state, "web_user"):
        return request.state.web_user
    token = request.cookies.get(COOKIE)
    user = signed_in(db_session(request), token) if token else None
    request.state.web_user = user
    return user


@dataclass
class Page:
    """The context of one page request: the request, the signed-in user, the unit of work."""

    request: Request
    user: SignedIn
    session: Session
    notices: list[str] = field(default_factory=list)

    @property
    def actor(self) -> Actor:
        """Who changes (``user:7:ivanova``), for the audit; no reason unless given."""
        return Actor(self.user.actor)

    def may(self, module: str, action: str) -> bool:
        """Whether the user's role may do ``action`` on ``module`` (to hide a section)."""
        return self.user.may(module, action)

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """The page of ``template`` with the layout's context (user, desks, CSRF token)."""
        return render(self.request, template, status_code=status_code, user=self.user,
                      **context)


def render(request: Request, template: str, *, status_code: int = 200,
           user: SignedIn | None = None, **context: Any) -> HTMLResponse:
    """Render a template with what the layout needs: ``user``, the desks of the user's role
    (``desks``), ``csrf_token`` for forms and the current path."""
    return templates.TemplateResponse(request, template, status_code=status_code, context={
        "user": user, "desks": desks_for(user),
        "csrf_token": user.csrf_token if user else context.pop("csrf_token", ""),
        "path": request.url.path, **context})


async def _form_token(request: Request) -> str | None:
    if request.headers.get("content-type", "").split(";")[0].strip() not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return request.headers.get("x-csrf-token")
    form = await request.form()  # Starlette caches it: the route's Form(...) fields still work
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def require(module: str | None, action: str = "read") -> params.Depends:
    """A page's dependency: the :class:`Page` of a signed-in user whose role may do
    ``action`` on ``module`` (any signed-in user for ``module`` None); checks the CSRF token
    of every POST and limits the unit of work to the user's data scope."""

    async def check(request: Request) -> Page:
        session = db_session(request)
        user = await run_in_threadpool(current_user, request)
        if user is None:
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(back if request.method == "GET" else "/")
        if request.method not in ("GET", "HEAD") and not same_token(
                user.csrf_token, await _form_token(request)):
            raise Refused("Форма отправлена не со страницы расчётного центра или устарела "
                          "(нет токена защиты от подделки запроса). Обновите страницу и "
                          "повторите.")
        if module is not None and not user.may(module, action):
            raise Refused("Эта страница недоступна для вашей роли.")
        set_scope(session, user.scope)
        return Page(request, user, session)

    check.__name__ = f"page_{module or 'any'}_{action}"
    return Depends(check)


_DOMAIN_STATUS = ((NotFound, 404), (Conflict, 409), (Invalid, 422))


def error_page(request: Request, message: str, status_code: int) -> HTMLResponse:
    """The page of a refusal or an error, in the layout (the user as far as known)."""
    user = getattr(request.state, "web_user", None)
    titles = {403: "Доступ запрещён", 404: "Не найдено", 409: "Конфликт",
              422: "Неверные данные", 429: "Слишком много попыток"}
    return render(request, "error.html", status_code=status_code, user=user,
                  title=titles.get(status_code, "Ошибка"), message=message)


PAGE_HEADERS = {
    # pages hold personal data and money: not kept by the browser or a proxy, not framed
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def _protect(response: Response) -> Response:
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class WebRoute(APIRoute):
    """A page route: one unit of work per request (see the module's docstring); a domain
    error (not found, conflict, invalid data) becomes its page in Russian."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def unit_of_work(request: Request) -> Response:
            writes = request.method not in ("GET", "HEAD", "OPTIONS")
            session = request.app.state.database.new_session(read_only=not writes)
            set_scope(session, NOTHING)  # until the user is known: fail closed
            request.state.session = session
            try:
                try:
                    response = await handler(request)
                except SignInRequired as exc:
                    await run_in_threadpool(session.rollback)
                    return Response(status_code=303, headers={
                        "Location": f"/sign-in?next={quote(exc.back_to, safe='/')}"})
                except Refused as exc:
                    await run_in_threadpool(session.rollback)
                    return _protect(error_page(request, exc.message, exc.status_code))
                except DomainError as exc:
                    await run_in_threadpool(session.rollback)
                    status = next((s for kind, s in _DOMAIN_STATUS if isinstance(exc, kind)),
                                  400)
                    return _protect(error_page(request, exc.message, status))
                _protect(response)
                keep = getattr(request.state, "keep_on_error", False)
                if writes and (response.status_code < 400 or keep):
                    await run_in_threadpool(session.commit)
                else:
                    await run_in_threadpool(session.rollback)
                return response
            except BaseException:
                await run_in_threadpool(session.rollback)
                raise
            finally:
                await run_in_threadpool(session.close)

        return unit_of_work


def keep_on_error(request: Request) -> None:
    """Commit this POST's unit of work even though it answers with an error status (a refused
    sign-in's audit entry is kept; SQLite allows one writer, so it cannot be a second unit)."""
    request.state.keep_on_error = True


def desk_router() -> APIRouter:
    """The router of one desk's pages: unit of work per request, out of the OpenAPI schema."""
    return APIRouter(route_class=WebRoute, include_in_schema=False)
