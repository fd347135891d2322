"""Who calls and what they may do: API key → principal with a role; deny by default.

The key comes in ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. No key, or a key that
is unknown or revoked → 401 ``unauthenticated``; a role the permission table
(``modules/access/permissions.py``) does not grant the endpoint's ``(module, action)`` →
403 ``forbidden``. Every route of the API declares its ``(module, action)``; a route that
does not is not reachable by anyone but through :func:`allow`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
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


class FailedAuthentications:
    """Failed authentications per client address in a sliding window: past ``limit`` failures
    within ``window`` seconds, the client is refused (429) until the oldest one leaves the
    window — guessing keys costs a minute per ``limit`` guesses. In memory, per process."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, client: str) -> int | None:
        """Seconds the client must wait, or None when it may try."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) < self.limit:
                if not failures:
                    self._failures.pop(client, None)
                return None
            return max(1, int(failures[0] + self.window - now) + 1)

    def failed(self, client: str) -> None:
        """Count one failed authentication of ``client``."""
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_principal(request: Request) -> Principal:
    """The principal of the presented key (401 without a valid one; 429 for a client past the
    limit of failed authentications); cached per request."""
    plain = _presented_key(request)
    if plain is None:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"}, detail={
            "code": "unauthenticated",
            "message": "Нужен ключ API: заголовок Authorization: Bearer <ключ> или X-API-Key"})
    failures: FailedAuthentications | None = getattr(request.app.state,
                                                     "failed_authentications", None)
    if failures is not None:
        wait = failures.retry_after(_client(request))
        if wait is not None:
            raise HTTPException(status_code=429, headers={"Retry-After": str(wait)}, detail={
                "code": "too_many_failed_authentications",
                "message": f"Слишком много неудачных попыток входа; повторите через {wait} с"})
    with request.app.state.database.reader() as session:
        principal = authenticate(session, plain)
    if principal is None:
        if failures is not None:
            failures.failed(_client(request))
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

    async def check(principal: PrincipalDep) -> Principal:  # no I/O: no worker thread
        if not principal.may(module, action):
            raise HTTPException(status_code=403, detail={
                "code": "forbidden",
                "message": f"Роли {principal.role} не разрешено: {module}:{action}",
                "role": principal.role, "permission": f"{module}:{action}"})
        return principal

    check.__name__ = f"allow_{module}_{action}"
    return Depends(check)
