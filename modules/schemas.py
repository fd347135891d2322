"""Shapes shared by the modules' schemas: request bodies, decimal strings, references, the
reason of a change, and the recalculation result attached to a change of facts.

Areas, volumes and tariffs travel as decimal strings with at most six decimals, money as
decimal strings with two; a JSON number is refused for them, so no binary float sneaks in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, overload

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from zhkh.kernel.money import format_kopecks, format_micro, to_micro

DecimalText = Annotated[str, StringConstraints(pattern=r"^\d{1,12}(\.\d{1,6})?$")]
"""A non-negative decimal string with at most six decimals (``"54.3"``)."""
Ref = Annotated[int, Field(ge=1, le=2**63 - 1)]
"""A reference to a stored object by id (bounded so no database overflows on it)."""
Reason = Annotated[str | None, Field(default=None, max_length=2000,
                                     description="Основание изменения (в журнал аудита)")]


@overload
def micro(text: str) -> int: ...
@overload
def micro(text: None) -> None: ...
@overload
def micro(text: str | None) -> int | None: ...
def micro(text: str | None) -> int | None:
    """A :data:`DecimalText` → fixed point 1e-6 (None stays None)."""
    return None if text is None else to_micro(text)


@overload
def decimal_text(value: int) -> str: ...
@overload
def decimal_text(value: None) -> None: ...
@overload
def decimal_text(value: int | None) -> str | None: ...
def decimal_text(value: int | None) -> str | None:
    """Fixed point 1e-6 → decimal string (None stays None)."""
    return None if value is None else format_micro(value)


def money_text(kopecks: int) -> str:
    """Kopecks → ``"1234.56"``."""
    return format_kopecks(kopecks)


def jsonable(value: Any) -> Any:
    """A value as it is stored in a JSON snapshot: dates ISO, Decimals as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


class Input(BaseModel):
    """Base of request bodies: unknown fields are an error naming the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AccountRecalc(BaseModel):
    """What a change did to one account's charges: ``recalculated`` — ``lines`` are its new
    lines, all written; ``refused`` — ``error`` says why, **nothing** of the recalculation was
    written (neither closed months' recalculations nor the open month's charges), the change
    itself is kept and the account is ``queued`` for the next run."""

    account: str
    period: str
    status: Literal["recalculated", "refused"] = "recalculated"
    lines: list[dict[str, Any]] | None
    error: dict[str, Any] | None = None
    queued: bool = False


