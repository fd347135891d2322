"""Administration: users of the web application and API keys — list, create, disable or
revoke; the same services as ``zhkh users …`` and ``zhkh keys …``, audited with the
administrator as the actor. A created password or key is shown once, on the answer page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhkh.api.web.core import Desk, Page, desk_router, require
from zhkh.modules.access.models import USER_ROLES
from zhkh.modules.access.permissions import ROLES
from zhkh.modules.access.scope import Scope
from zhkh.modules.access.service import issue_api_key, list_api_keys, revoke_api_key
from zhkh.modules.access.users import create_user, disable_user, list_users, set_password
from zhkh.modules.audit import service as audit
from zhkh.modules.errors import DomainError
from zhkh.modules.registry.models import ManagementCompany

router = desk_router()
DESK = Desk("Администрирование", "/admin", "access", "write", key="u")
ADMIN = require("access", "write")
"""Only ``admin`` is granted everything, and ``access`` is in no other role's table."""


def _listing(page: Page, *, status_code: int = 200, error: str = "", shown: str = "",
             shown_title: str = "") -> HTMLResponse:
    return page.render("admin/index.html", status_code=status_code, title="Администрирование",
                       users=list_users(page.session), keys=list_api_keys(page.session),
                       user_roles=USER_ROLES, key_roles=ROLES, error=error, shown=shown,
                       shown_title=shown_title)


def _scope(page: Page, text: str) -> Scope:
    scope = Scope.parse(text)
    unknown = [c for c in sorted(scope.companies or ())
               if page.session.get(ManagementCompany, c) is None]
    if unknown:
        raise DomainError("unknown_company", "нет управляющих организаций с номерами "
                          + ", ".join(map(str, unknown)), field="scope")
    return scope


@router.get("/admin", response_class=HTMLResponse)
def index(page: Annotated[Page, ADMIN]) -> HTMLResponse:
    """Users and keys, with the forms to add them."""
    return _listing(page)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(page: Annotated[Page, ADMIN], login: Annotated[str, Form(max_length=64)],
             role: Annotated[str, Form(max_length=32)],
             password: Annotated[str, Form(max_length=256)],
             full_name: Annotated[str, Form(max_length=200)] = "",
             scope: Annotated[str, Form(max_length=500)] = "all") -> Response:
    """Create a user; a refusal keeps the page with the reason."""
    try:
        limits = _scope(page, scope)
        user = create_user(page.session, login, password, role, full_name=full_name,
                           scope=limits)
    except DomainError as exc:
        page.session.rollback()
        return _listing(page, status_code=422, error=exc.message)
    audit.record(page.session, page.actor, action="user.create", object_type="user",
                 object_id=user.id, after={"login": user.login, "role": role,
                                           "scope": limits.describe()})
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{user_id}/disable")
def disable(page: Annotated[Page, ADMIN], user_id: int) -> Response:
    """Disable a user (their sessions end); not oneself."""
    if user_id == page.user.user_id:
        return _listing(page, status_code=409, error="Нельзя отключить самого себя.")
    user = disable_user(page.session, user_id)
    audit.record(page.session, page.actor, action="user.disable", object_type="user",
                 object_id=user.id, after={"login": user.login})
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def change_password(page: Annotated[Page, ADMIN], user_id: int,
                    password: Annotated[str, Form(max_length=256)]) -> Response:
    """Set a user's password (their sessions end)."""
    try:
        user = set_password(page.session, user_id, password)
    except DomainError as exc:
        page.session.rollback()
        return _listing(page, status_code=422, error=exc.message)
    audit.record(page.session, page.actor, action="user.password", object_type="user",
                 object_id=user.id, after={"login": user.login})
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/keys", response_class=HTMLResponse)
def add_key(page: Annotated[Page, ADMIN], name: Annotated[str, Form(max_length=100)],
            role: Annotated[str, Form(max_length=32)],
            scope: Annotated[str, Form(max_length=500)] = "all") -> Response:
    """Create an API key and show it once."""
    try:
        limits = _scope(page, scope)
        stored, plain = issue_api_key(page.session, name, role, limits)
    except DomainError as exc:
        page.session.rollback()
        return _listing(page, status_code=422, error=exc.message)
    audit.record(page.session, page.actor, action="api_key.create", object_type="api_key",
                 object_id=stored.id, after={"name": name, "role": role,
                                             "key_prefix": stored.key_prefix,
                                             "scope": limits.describe()})
    return _listing(page, shown=plain, shown_title=f"Ключ «{name}» — сохраните его, повторно "
                                                    "он не показывается")


@router.post("/admin/keys/{key_id}/revoke")
def revoke(page: Annotated[Page, ADMIN], key_id: int) -> Response:
    """Revoke an API key."""
    key = revoke_api_key(page.session, key_id)
    audit.record(page.session, page.actor, action="api_key.revoke", object_type="api_key",
                 object_id=key.id, after={"name": key.name, "role": key.role})
    return RedirectResponse("/admin", status_code=303)
