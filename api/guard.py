"""The outer guard of every request, before routing and authentication (a pure ASGI middleware).

* A request id: the client's ``X-Request-ID`` when it is a short visible token, otherwise a new
  one; it is in ``request.state.request_id``, in the ``X-Request-ID`` response header and in
  every log line about the request.
* Size: a body longer than the limit (``Settings.max_body_bytes``; ``max_upload_bytes`` for a
  ``multipart/form-data`` upload) is a 413 ``body_too_large`` — by its ``Content-Length`` before
  a byte is read, or as soon as a streamed body passes the limit. Nothing is authenticated first.
* NUL: the NUL character (``\\x00``, which PostgreSQL cannot store in text) anywhere in the
  path, a query parameter, a header (``X-Reason`` also after percent-decoding) or a string or
  key of a JSON body is a 422 ``invalid_input`` naming the field (``query.name``,
  ``header.X-Reason``, ``full_name``, ``accounts.0.number``), the same on both databases.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_PERCENT_DECODED = (b"x-reason",)


class BodyTooLarge(Exception):
    """A streamed body passed the limit."""


Answer = tuple[int, bytes, list[tuple[bytes, bytes]]]


def _error(status: int, code: str, message: str, request_id: str,
           fields: list[dict[str, str]] | None = None) -> Answer:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    body = json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")
    return status, body, [(b"content-type", b"application/json"),
                          (b"content-length", str(len(body)).encode()),
                          (b"x-request-id", request_id.encode())]


async def _answer(send: Send, answer: Answer) -> None:
    status, body, headers = answer
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) in ``value`` holding a NUL, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = nul_path(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = nul_path(item, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


def _nul_outside_body(scope: Scope) -> str | None:
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return f"query.{name.replace(chr(0), '')}"
    for name, value in scope.get("headers", ()):
        if b"\x00" in value or (name in _PERCENT_DECODED
                                and "\x00" in unquote(value.decode("latin-1"))):
            return "header." + "-".join(p.capitalize() for p in name.decode("latin-1").split("-"))
    return None


def _nul_refusal(field: str, request_id: str) -> Answer:
    message = "текст не может содержать символ NUL (\\u0000)"
    return _error(422, "invalid_input", f"Неверные данные в поле {field}: {message}",
                  request_id, [{"path": field, "message": message}])


class RequestGuard:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = self.max_upload if content_type.startswith("multipart/") else self.max_body
        too_large = _error(413, "body_too_large",
                           f"Тело запроса больше допустимого ({limit} байт)", request_id)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, too_large)
            return
        field = _nul_outside_body(scope)
        if field is not None:
            await _answer(send, _nul_refusal(field, request_id))
            return
        if content_type.startswith("multipart/") and declared.isdigit():
            body, receive_body = None, receive  # an upload of a declared size is streamed
        else:
            try:
                body = await _read(receive, limit)
            except BodyTooLarge:
                await _answer(send, too_large)
                return
            receive_body = _replay(body, receive)
        if body is not None and (not content_type or "json" in content_type) \
                and b"\\u0000" in body:
            field = _nul_in_json(body)
            if field is not None:
                await _answer(send, _nul_refusal(field, request_id))
                return

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive_body, with_id)


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _nul_in_json(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # malformed JSON: the route's validation names it
    found = nul_path(parsed)
    return None if found is None else (found or "(тело запроса)")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
