"""Domain errors of a calculation: a stable code, a Russian message and what is at fault."""

from __future__ import annotations

from typing import Any


class CalculationError(Exception):
    """A situation that cannot be calculated; never a fault of the program.

    ``code`` is stable (clients may switch on it); ``account``/``service`` name the culprit;
    ``signature`` is the fact the rules were asked about, when relevant.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        account: str | None = None,
        service: str | None = None,
        signature: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.account = account
        self.service = service
        self.signature = signature

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the API and the CLI."""
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.account is not None:
            data["account"] = self.account
        if self.service is not None:
            data["service"] = self.service
        if self.signature is not None:
            data["signature"] = self.signature
        return data

    def __str__(self) -> str:
        where = ", ".join(
            f"{k} {v}" for k, v in (("счёт", self.account), ("услуга", self.service)) if v
        )
        return f"{self.message}" + (f" ({where})" if where else "")
