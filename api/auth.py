"""Who calls and what they may do: API key → principal with a role; deny by default.

The key comes in ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. No key, or a key that
is unknown or revoked → 401 ``unauthenticated``; a role the permission table
(``modules/access/permissions.py``) does not grant the endpoint's ``(module, action)`` →
403 ``forbidden``. Every route of the API declares its ``(module, action)``; a route that
does not is not reachable by anyone but through :func:`allow`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, params

from zhkh.adapters.db.scope import set_scope
from zhkh.modules.access.service import Principal, authenticate

_BEARER = "bearer "


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header and header[: len(_BEARER)].lower() == _BEARER:
        return header[len(_BEARER):].strip() or None
    return request.headers.get("x-api-key") or None


def current_principal(request: Request) -> Principal:
    """The principal of the presented key (401 without a valid one); cached per request."""
    plain = _presented_key(request)
    if plain is None:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"}, detail={
            "code": "unauthenticated",
            "message": "Нужен ключ API: заголовок Authorization: Bearer <ключ> или X-API-Key"})
    with request.app.state.database.reader() as session:
        principal = authenticate(session, plain)
    if principal is None:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"}, detail={
            "code": "unauthenticated", "message": "Ключ API неизвестен или отозван"})
    request.state.principal = principal
    session = getattr(request.state, "session", None)
    if session is not None:  # the request's unit of work sees only the key's data scope
        set_scope(session, principal.scope)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def allow(module: str, action: str) -> params.Depends:
    """A route dependency: 403 ``forbidden`` unless the role may do ``action`` on ``module``."""

    def check(principal: PrincipalDep) -> Principal:
        if not principal.may(module, action):
            raise HTTPException(status_code=403, detail={
                "code": "forbidden",
                "message": f"Роли {principal.role} не разрешено: {module}:{action}",
                "role": principal.role, "permission": f"{module}:{action}"})
        return principal

    check.__name__ = f"allow_{module}_{action}"
    return Depends(check)
