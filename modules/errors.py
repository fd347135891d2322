"""The one error hierarchy of the business modules; it knows nothing of HTTP.

Each error has a stable ``code`` (``account_exists``), a Russian ``message`` for the
operator, and optionally the ``field`` (dotted path in the input) or the object at fault.
The API maps the class (not the code) to a status: ``Conflict`` → 409, ``Invalid`` → 422,
``NotFound`` → 404, and declares the body (``{"error": {...}}``) in its OpenAPI
(``api/errors.py``). Modules refine these classes (``billing.repository.PeriodClosedError``
is a ``Conflict``); the kernel's ``CalculationError`` (a situation the rules cannot
calculate) has the same body and is a 422.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zhkh.modules.validation_messages import russian_message


class DomainError(Exception):
    """A refusal of a business rule, named by a stable code."""

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 obj: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.obj = obj

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready body: code, message, and the field or object when known."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.obj is not None:
            body["object"] = self.obj
        return body


class NotFound(DomainError):
    """An object referenced by the input does not exist."""


class Conflict(DomainError):
    """The change contradicts stored data (a duplicate key, a reading already corrected …)."""


class Invalid(DomainError):
    """The input is well-formed but breaks a business rule (dates out of order …)."""


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Pydantic errors → ``[{"path": "accounts.0.area", "message": ...}]``: the path as given
    (``body`` prefix dropped), the message in Russian
    (:func:`~zhkh.modules.validation_messages.russian_message`, never pydantic's English)."""
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p != "body"]
        out.append({"path": ".".join(loc), "message": russian_message(e)})
    return out


def invalid_input(errors: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The body of input refused by validation (the API's 422 ``invalid_input``, the CLI's
    output): the first field at fault in the message, every field in ``fields``."""
    fields = field_errors(errors)
    first = fields[0] if fields else {"path": "", "message": ""}
    return {"code": "invalid_input",
            "message": f"Неверные данные в поле {first['path'] or '(тело запроса)'}: "
                       f"{first['message']}",
            "fields": fields}
