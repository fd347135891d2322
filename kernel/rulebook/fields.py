"""Pydantic field types shared by rule models: ids, texts, dated decimals, conditions.

Validators raise :func:`issue` errors (type ``zhkh``) whose context carries Russian messages and
sub-paths, so the loader can cite ``values.2026-01-01`` rather than just ``values``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, PlainValidator, StrictBool, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from zhkh.kernel.money import MoneyError, to_decimal
from zhkh.kernel.rulebook.conditions import Condition, ConditionError, parse_when
from zhkh.kernel.rulebook.dated import DatedValues
from zhkh.kernel.rulebook.facts import check_condition

ERROR_TYPE = "zhkh"

Issue = tuple[tuple[Any, ...], str]
"""(sub-path below the field, Russian message)."""


def issue(issues: list[Issue]) -> PydanticCustomError:
    """An error carrying one or more (sub-path, message) issues for the loader to expand."""
    return PydanticCustomError(ERROR_TYPE, "{m}", {"m": issues[0][1], "issues": tuple(issues)})


def _parse_rule_id(raw: Any) -> str:
    if not isinstance(raw, str) or not RULE_ID_PATTERN_RE.fullmatch(raw):
        raise issue([((), f"id {raw!r}: только строчные латинские буквы, цифры, «_» и точки "
                          "между частями (например cold_water.by_meter)")])
    return raw


RULE_ID_PATTERN_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")

RuleId = Annotated[str, PlainValidator(_parse_rule_id)]
Name = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[StrictStr, Field(min_length=1)]
Int = StrictInt
Bool = StrictBool


def _parse_when(raw: Any) -> Condition:
    if raw is None:
        return ()
    try:
        condition = parse_when(raw)
    except ConditionError as exc:
        raise issue([((exc.field,) if exc.field else (), str(exc))]) from None
    problems = check_condition(condition)
    if problems:
        raise issue([((attr,), message) for attr, message in problems])
    return condition


When = Annotated[Condition, PlainValidator(_parse_when)]


def parse_dated(raw: Any, *, minimum: Decimal | None = Decimal(0)) -> DatedValues:
    """Dated decimals with a per-date error path; refuses datetimes and values below ``minimum``."""
    if not isinstance(raw, Mapping) or not raw:
        raise issue([((), "ожидается словарь «дата: значение», например "
                          "{2025-07-01: \"52.84\"}")])
    issues: list[Issue] = []
    previous: date | None = None
    for raw_key, value in raw.items():
        key = _as_date(raw_key)
        label = raw_key
        if key is None:
            issues.append(((label,), f"не дата в виде ГГГГ-ММ-ДД: {raw_key!r}"))
            continue
        if previous is not None and key <= previous:
            issues.append(((label,), f"даты должны идти по возрастанию без повторов: "
                                     f"{key.isoformat()} после {previous.isoformat()}"))
        previous = key
        message = _decimal_problem(value, minimum)
        if message:
            issues.append(((label,), message))
    if issues:
        raise issue(issues)
    return DatedValues.parse({_as_date(k): v for k, v in raw.items()})


def _as_date(key: Any) -> date | None:
    if isinstance(key, datetime):
        return None
    if isinstance(key, date):
        return key
    if isinstance(key, str):
        try:
            return date.fromisoformat(key) if len(key) == 10 else None
        except ValueError:
            return None
    return None


def _decimal_problem(value: Any, minimum: Decimal | None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        return f"ожидается десятичное число строкой («52.84»), получено {value!r}"
    try:
        number = to_decimal(value)
    except MoneyError as exc:
        return str(exc)
    if minimum is not None and number < minimum:
        return f"значение {value} меньше допустимого {minimum}"
    return None


def _parse_values(raw: Any) -> DatedValues:
    return parse_dated(raw)


def _parse_dated_or_plain(raw: Any) -> DatedValues:
    if isinstance(raw, Mapping):
        return parse_dated(raw)
    message = _decimal_problem(raw, Decimal(0))
    if message:
        raise issue([((), message + "; или словарь «дата: значение»")])
    return DatedValues.constant(to_decimal(raw))


Values = Annotated[DatedValues, PlainValidator(_parse_values)]
"""Required dated decimals ``{date: "value"}``, values ≥ 0."""

DatedDecimal = Annotated[DatedValues, PlainValidator(_parse_dated_or_plain)]
"""A decimal ``"1.5"`` (in force always) or dated decimals ``{2017-01-01: "1.5"}``, ≥ 0."""
