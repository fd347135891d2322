"""Field types of the calculation's JSON inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from zhkh.kernel.money import MoneyError, to_decimal


def _exact(value: object) -> Decimal:
    if isinstance(value, float):
        raise ValueError("число нужно передавать строкой (например \"54.30\"), а не дробью JSON")
    try:
        return to_decimal(value)  # type: ignore[arg-type]
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


Dec = Annotated[Decimal, BeforeValidator(_exact)]
"""An exact decimal given as a string (or integer) in JSON."""
