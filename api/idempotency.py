"""One unit of work per request, and ``Idempotency-Key`` on every POST.

:class:`TransactionalRoute` (the ``route_class`` of the module routers) opens one session per
request, runs the handler, and commits once if the response is a success — rolled back on an
error response or an exception; a GET runs in a read-only unit that is never committed.

A POST may carry ``Idempotency-Key`` (1–255 visible ASCII characters). The key is scoped to
the caller's API key. The first successful response is stored in the same transaction as the
change, with a SHA-256 of the request (method, path, query, canonical JSON body):

* same key, same request → the stored response is replayed (same status and body, header
  ``Idempotent-Replayed: true``) and nothing is executed again;
* same key, another request → 409 ``idempotency_conflict``;
* error responses are not stored: the client may fix the request and retry with the key.

Two requests with one key at the same moment: on SQLite the second waits for the first's
write lock and is then a retry; on PostgreSQL the second waits for the key's advisory lock,
which the first holds until it commits, and then replays the first's response. Either way the
change is made once and the twin gets the documented replay. (Should a record still collide —
the unique index refuses the second's record at commit — its work is rolled back and it
answers as a retry would.)

A stored response is replayed for ``Settings.idempotency_hours`` (24 by default); after that
the key is free again. An expired record is deleted when its key is presented, and all expired
ones every few minutes by the API and by ``zhkh keys purge-idempotency``. The stored body
keeps no personal data: the fields of a person's personal data are blanked (as for a role
that may not see them, ``personal_data_hidden``) — the replay carries the ids and the rest.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from zhkh.adapters.db.scope import set_scope
from zhkh.api.auth import PrincipalDep
from zhkh.api.errors import DocumentedRoute
from zhkh.modules.access.repository import AccessRepository
from zhkh.modules.access.scope import NOTHING
from zhkh.modules.passport.schemas import PERSONAL_FIELDS

HEADER = "Idempotency-Key"
MAX_KEY = 255
IDEMPOTENCY_CONFLICT = {"code": "idempotency_conflict",
                        "message": f"Ключ {HEADER} уже использован для другого запроса"}


class Replay(Exception):
    """Raised by the guard to answer with a stored response instead of running the handler."""

    def __init__(self, status_code: int, body: str) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body

    def response(self) -> Response:
        return Response(content=self.body, status_code=self.status_code,
                        media_type="application/json", headers={"Idempotent-Replayed": "true"})


def request_hash(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 of the request; a JSON body is canonicalised (key order, spacing ignored)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":")).encode("utf-8") if body else b""
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY and all(33 <= ord(c) <= 126 for c in key)


PURGE_EVERY_SECONDS = 600
_purge_lock = threading.Lock()


def expiry_cutoff(hours: int) -> datetime:
    """The moment before which stored responses are expired."""
    return datetime.now(UTC) - timedelta(hours=hours)


def _maybe_purge_all(request: Request, cutoff: datetime) -> None:
    """Delete every expired record, in a unit of its own, at most every few minutes."""
    state = request.app.state
    now = time.monotonic()
    with _purge_lock:
        if now - getattr(state, "idempotency_purged_at", -PURGE_EVERY_SECONDS) \
                < PURGE_EVERY_SECONDS:
            return
        state.idempotency_purged_at = now
    with state.database.session() as session:
        AccessRepository(session).purge_idempotency(cutoff)


def _look_up(request: Request, actor: str, key: str) -> Any:
    """Lock the key (PostgreSQL), drop its expired record, and return the live one or None."""
    session = request.state.session
    repository = AccessRepository(session)
    repository.lock_idempotency_key(actor, key)
    found = repository.idempotency_record(actor, key)
    cutoff = expiry_cutoff(request.app.state.idempotency_hours)
    if found is not None and found.created_at < cutoff:
        session.delete(found)
        session.flush()
        found = None
    return found


def redact_personal(value: Any) -> Any:
    """``value`` (a JSON document) with every person's personal data blanked; an object that
    had any gets ``personal_data_hidden: true`` when it declares that field."""
    if isinstance(value, list):
        return [redact_personal(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("personal") is not None and "personal_data_hidden" in value:
        # a person as shown to a role that may see personal data → as shown to one that may not
        return {**value, "personal": None, "personal_data_hidden": True}
    out = {k: redact_personal(v) for k, v in value.items()}
    if any(out.get(field) is not None for field in PERSONAL_FIELDS):
        for field in PERSONAL_FIELDS:
            if field in out:
                out[field] = None
        if "personal_data_hidden" in out:
            out["personal_data_hidden"] = True
    return out


def stored_body(body: bytes) -> str:
    """What is kept of a response body for its replay: the JSON without personal data."""
    text = body.decode("utf-8")
    try:
        document = json.loads(text)
    except ValueError:
        return text
    return json.dumps(redact_personal(document), ensure_ascii=False, separators=(",", ":"))


async def idempotency_guard(request: Request, principal: PrincipalDep) -> None:
    """Replay, refuse, or remember to store: runs after the permission check of the route."""
    key = request.headers.get(HEADER)
    if key is None:
        return
    if not _valid_key(key):
        raise HTTPException(status_code=422, detail={
            "code": "invalid_input",
            "message": f"Заголовок {HEADER}: от 1 до {MAX_KEY} видимых символов ASCII",
            "fields": [{"path": f"header.{HEADER}", "message": "неверный ключ идемпотентности"}]})
    digest = request_hash(request.method, request.url.path, request.url.query,
                          await request.body())
    await run_in_threadpool(_maybe_purge_all, request,
                            expiry_cutoff(request.app.state.idempotency_hours))
    found = await run_in_threadpool(_look_up, request, principal.actor, key)
    if found is None:
        request.state.idempotency = (principal.actor, key, digest)
        return
    if found.request_hash != digest:
        raise HTTPException(status_code=409, detail=IDEMPOTENCY_CONFLICT)
    raise Replay(found.status_code, found.response_body)


def _remember_and_commit(session: Any, pending: tuple[str, str, str],
                         response: Response) -> None:
    principal, key, digest = pending
    AccessRepository(session).remember_response(
        principal=principal, key=key, request_hash=digest, status_code=response.status_code,
        response_body=stored_body(bytes(response.body)))
    session.commit()


def _answer_of_winner(session: Any, pending: tuple[str, str, str]) -> Response | None:
    """A concurrent request with the same key committed first (PostgreSQL lets both run until
    the key's unique index refuses the second): this one's work is rolled back, and it answers
    as a retry would — the winner's stored response, or 409 for another request. None when
    no request holds the key (the refusal was another constraint's)."""
    principal, key, digest = pending
    found = AccessRepository(session).idempotency_record(principal, key)
    session.rollback()
    if found is None:
        return None
    if found.request_hash != digest:
        return JSONResponse(status_code=409, content={"error": IDEMPOTENCY_CONFLICT})
    return Replay(found.status_code, found.response_body).response()


def _end(session: Any, *, commit: bool = False) -> None:
    """Commit (or roll back) and close the request's session: one worker-thread hop instead
    of two (each costs a wake-up of a thread; a payment's answer waits for them)."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


class TransactionalRoute(DocumentedRoute):
    """A route that is one unit of work; POST routes also get the idempotency guard."""

    writes_data = True
    idempotency_keys = True
    """False for a route whose request identifies itself (an uploaded file by its content)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in (kwargs.get("methods") or ())}
        if "POST" in methods and self.idempotency_keys:
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()),
                                      Depends(idempotency_guard)]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def unit_of_work(request: Request) -> Response:
            writes = request.method not in ("GET", "HEAD", "OPTIONS")
            session = request.app.state.database.new_session(read_only=not writes)
            set_scope(session, NOTHING)  # until the key is known: fail closed
            request.state.session = session
            open_ = True  # each ending below closes the session in the same worker hop
            try:
                try:
                    response = await handler(request)
                except Replay as replay:
                    open_ = False
                    await run_in_threadpool(_end, session)
                    return replay.response()
                if not writes or response.status_code >= 400:
                    open_ = False
                    await run_in_threadpool(_end, session)
                    return response
                pending = getattr(request.state, "idempotency", None)
                if pending is None:
                    open_ = False
                    await run_in_threadpool(_end, session, commit=True)
                    return response
                try:
                    await run_in_threadpool(_remember_and_commit, session, pending, response)
                except IntegrityError:
                    await run_in_threadpool(session.rollback)
                    answer = await run_in_threadpool(_answer_of_winner, session, pending)
                    if answer is None:  # refused by another constraint: a 409 as usual
                        raise
                    return answer
                return response
            except BaseException:
                if open_:
                    await run_in_threadpool(session.rollback)
                raise
            finally:
                if open_:
                    await run_in_threadpool(session.close)

        return unit_of_work
