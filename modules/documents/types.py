"""Value types of a document snapshot: money in kopecks, decimal strings, periods.

Money is an ``int`` of kopecks inside the model and a decimal string in rubles with two
decimals in JSON (``"1234.56"``). A string is read as rubles and must have at most two
decimals (no silent rounding of an issued amount); an ``int`` is already kopecks; a float is
refused so no binary fraction sneaks in. Volumes, areas, tariffs and coefficients stay the
decimal strings they were issued with (``"8.333"``): the document shows them, it does not
compute with them.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, StringConstraints, WithJsonSchema

from zhkh.kernel.money import format_kopecks
from zhkh.kernel.period import Period

_MONEY = re.compile(r"-?\d{1,16}(\.\d{1,2})?")


def _kopecks(value: object) -> int:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"сумма должна быть строкой в рублях («1234.56»), получено {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and (found := _MONEY.fullmatch(value.strip())):
        # exact: at most two decimals, so the kopecks are the digits themselves (a stored
        # snapshot has thousands of amounts; Decimal arithmetic per amount was its cost)
        whole, _, cents = found.group(0).partition(".")
        kopecks = abs(int(whole)) * 100 + int(cents.ljust(2, "0") or 0)
        return -kopecks if whole.startswith("-") else kopecks
    raise ValueError(f"сумма должна быть строкой в рублях с не более чем двумя знаками после "
                     f"точки («1234.56»), получено {value!r}")


def _period(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"период должен быть строкой ГГГГ-ММ, получено {value!r}")
    return str(Period.parse(value))


Kopecks = Annotated[
    int,
    BeforeValidator(_kopecks),
    PlainSerializer(format_kopecks, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.56"]}),
]
"""Money: integer kopecks inside, ``"1234.56"`` in JSON."""

DecimalText = Annotated[str, StringConstraints(strip_whitespace=True,
                                               pattern=r"^-?\d{1,12}(\.\d{1,6})?$")]
"""A decimal string with at most six decimals (volumes, areas, tariffs, coefficients)."""

PeriodText = Annotated[str, BeforeValidator(_period),
                       WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}$"})]
"""A billing period ``YYYY-MM``."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
"""A non-empty line of text as printed."""

OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
"""A line of text that may be empty."""
