"""Sign-in, sign-out and the home page (the desks of the user's role).

Sign-in failures are counted per client address and per login (a sliding window, as for API
keys): past the limit the form is refused for a while. Signing in and out, and each failed
attempt, are written to the audit log.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from zhkh.api.web.core import (
    COOKIE,
    CSRF_FIELD,
    Page,
    current_user,
    db_session,
    desk_router,
    desks_for,
    keep_on_error,
    render,
    require,
)
from zhkh.modules.access.users import end_session, open_session, same_token, verify_password
from zhkh.modules.audit import Actor
from zhkh.modules.audit import service as audit

router = desk_router()
DESK = None
SIGN_IN_COOKIE = "zhkh_sign_in"
"""The sign-in form's own CSRF token (double submit: cookie and hidden field), since there is
no session yet."""


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no other host) may be the page after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _sign_in_form(request: Request, *, status_code: int = 200, error: str = "",
                  login: str = "", back_to: str = "/") -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "home/sign_in.html", status_code=status_code, error=error,
                      login=login, next=back_to, csrf_token=token)
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(request), path="/sign-in")
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (a signed-in user goes straight on)."""
    if current_user(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_form(request, back_to=_safe_next(next))


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, login: Annotated[str, Form(max_length=200)] = "",
                  password: Annotated[str, Form(max_length=300)] = "",
                  next: Annotated[str, Form(max_length=2000)] = "/",
                  csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = ""
                  ) -> Response:
    """Check the login and password; on success open a session (cookie HttpOnly,
    SameSite=Strict) and go to the page asked for."""
    back_to = _safe_next(next)
    if not same_token(request.cookies.get(SIGN_IN_COOKIE, ""), csrf_token or None) \
            or not csrf_token:
        return _sign_in_form(request, status_code=403, login=login, back_to=back_to,
                             error="Форма входа устарела или отправлена не с этой страницы. "
                                   "Повторите вход.")
    failures = request.app.state.web_sign_in_failures
    login_key = "login:" + login.strip().lower()[:64]
    wait = failures.retry_after(_client(request)) or failures.retry_after(login_key)
    if wait is not None:
        return _sign_in_form(request, status_code=429, login=login, back_to=back_to,
                             error=f"Слишком много неудачных попыток входа; повторите через "
                                   f"{wait} с.")
    session = db_session(request)
    user = await run_in_threadpool(verify_password, session, login, password)
    if user is None:
        failures.failed(_client(request))
        failures.failed(login_key)
        await run_in_threadpool(_audit_failure, request, login)
        keep_on_error(request)
        return _sign_in_form(request, status_code=401, login=login, back_to=back_to,
                             error="Неверный логин или пароль.")
    web, token = await run_in_threadpool(open_session, session, user)
    audit.record(session, Actor(f"user:{user.id}:{user.login}"), action="user.sign_in",
                 object_type="user", object_id=user.id,
                 after={"session": web.id, "client": _client(request)})
    response = RedirectResponse(back_to, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(request), path="/",
                        max_age=int((web.expires_at - web.created_at).total_seconds()))
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


def _audit_failure(request: Request, login: str) -> None:
    """A failed attempt, kept although the answer is 401 (see ``keep_on_error``)."""
    audit.record(db_session(request), Actor(f"web:{_client(request)}"),
                 action="user.sign_in_failed", object_type="user",
                 object_id=login.strip().lower()[:64] or "-", after={"client": _client(request)})


@router.post("/sign-out")
def sign_out(page: Annotated[Page, require(None)]) -> Response:
    """End the session (CSRF-checked, as every POST) and show the sign-in form."""
    end_session(page.session, page.user.session_id)
    audit.record(page.session, page.actor, action="user.sign_out", object_type="user",
                 object_id=page.user.user_id, after={"session": page.user.session_id})
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(page: Annotated[Page, require(None)]) -> Response:
    """The desks of the user's role."""
    return page.render("home/home.html", title="Рабочие места",
                       home_desks=desks_for(page.user))
