"""Turn pydantic validation errors into :class:`~zhkh.kernel.rulebook.errors.Problem` s.

Pydantic's own messages are English and cite union tags (``then.average.min_months``); here every
error gets a Russian message, a dotted field path as written in the YAML, and the line of that
field read back from the located YAML data.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from zhkh.kernel.rulebook.errors import Problem
from zhkh.kernel.rulebook.fields import ERROR_TYPE
from zhkh.kernel.rulebook.yamlio import line_of


def problems_from(exc: ValidationError, *, file: str, raw: Any, rule_id: str | None,
                  model: type[BaseModel]) -> list[Problem]:
    """One Problem per error (a ``zhkh`` error may carry several issues)."""
    problems: list[Problem] = []
    for error in exc.errors():
        loc = list(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == ERROR_TYPE:
            entries = [(loc + list(sub), message) for sub, message in ctx["issues"]]
        else:
            entries = [(_path_for(error, loc), _message(error, model, raw, loc))]
        for path, message in entries:
            path = normalize_path(raw, path)
            problems.append(Problem(file=file, line=line_of(raw, path), rule_id=rule_id,
                                    field=label(path), message=message))
    return problems


def label(path: Sequence[Any]) -> str | None:
    """Dotted form of a path; dates as ISO."""
    parts = [p.isoformat() if isinstance(p, date) else str(p) for p in path]
    return ".".join(parts) or None


def normalize_path(raw: Any, path: Sequence[Any]) -> list[Any]:
    """Follow ``path`` through the raw data: drop union tags, turn indices of mappings into keys."""
    result: list[Any] = []
    current = raw
    for part in path:
        if isinstance(current, Mapping):
            if part in current:
                current = current[part]
            elif current.get("method") == part:
                continue
            elif isinstance(part, int) and 0 <= part < len(current):
                part = list(current)[part]
                current = current[part]
            else:
                current = None
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            current = None
        result.append(part)
    return result


def _path_for(error: Any, loc: list[Any]) -> list[Any]:
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return [*loc, str(error["ctx"]["discriminator"]).strip("'")]
    return loc


def _message(error: Any, model: type[BaseModel], raw: Any, loc: list[Any]) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, _shown(error.get("input"))
    name = loc[-1] if loc else ""
    simple = {
        "string_type": f"ожидается строка, получено {value}",
        "int_type": f"ожидается целое число, получено {value}",
        "int_parsing": f"ожидается целое число, получено {value}",
        "int_from_float": f"ожидается целое число, получено {value}",
        "bool_type": f"ожидается true или false, получено {value}",
        "string_too_short": "не может быть пустым",
        "string_pattern_mismatch": f"{value}: допустимы строчные латинские буквы, цифры и «_» "
                                   "(например cold_water)",
        "greater_than_equal": f"должно быть не меньше {ctx.get('ge')}",
        "greater_than": f"должно быть больше {ctx.get('gt')}",
        "less_than_equal": f"должно быть не больше {ctx.get('le')}, получено {value}",
        "less_than": f"должно быть меньше {ctx.get('lt')}, получено {value}",
        "date_type": f"ожидается дата ГГГГ-ММ-ДД, получено {value}",
        "date_parsing": f"ожидается дата ГГГГ-ММ-ДД, получено {value}",
        "date_from_datetime_parsing": f"ожидается дата ГГГГ-ММ-ДД, получено {value}",
        "too_long": f"слишком много элементов: не больше {ctx.get('max_length')}",
        "too_short": f"слишком мало элементов: не меньше {ctx.get('min_length')}",
        "literal_error": f"недопустимое значение {value}; допустимы: {ctx.get('expected')}",
        "model_type": "ожидается словарь «ключ: значение»",
        "dict_type": "ожидается словарь «ключ: значение»",
        "model_attributes_type": "ожидается словарь «ключ: значение»",
        "tuple_type": "ожидается список",
        "list_type": "ожидается список",
        "union_tag_invalid": f"недопустимое значение {ctx.get('tag')!r}; допустимы: "
                             f"{ctx.get('expected_tags')}",
        "union_tag_not_found": f"не задан ключ {ctx.get('discriminator')}",
    }
    if kind in simple:
        return simple[kind]
    if kind == "missing":
        return f"не задано обязательное поле {name}: добавьте его"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, raw, loc[:-1])
        hint = f"; допустимы: {', '.join(allowed)}" if allowed else ""
        return f"неизвестный ключ {name!r}{hint}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    # never pydantic's English text: the value and the error code, for the developers
    return f"недопустимое значение {value} ({kind})"


def _shown(value: Any) -> str:
    """A value as the methodologist wrote it: decimals without ``Decimal(…)``, text quoted."""
    return str(value) if isinstance(value, Decimal) else repr(value)


def _allowed_keys(model: type[BaseModel], raw: Any, loc: list[Any]) -> list[str]:
    """Field names of the (sub)model at ``loc``, choosing union members by their ``method``."""
    current: Any = model
    data = raw
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        if part not in current.model_fields:
            continue  # a union tag
        data = data.get(part) if isinstance(data, Mapping) else None
        current = _submodel(current.model_fields[part].annotation, data)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [n for n in current.model_fields if n != "id" or current is model]
    return []


def _submodel(annotation: Any, data: Any) -> Any:
    candidates = [a for a in _flatten(annotation)
                  if isinstance(a, type) and issubclass(a, BaseModel)]
    if len(candidates) == 1:
        return candidates[0]
    tag = data.get("method") if isinstance(data, Mapping) else None
    for candidate in candidates:
        field = candidate.model_fields.get("method")
        if field is not None and tag in typing.get_args(field.annotation):
            return candidate
    return None


def _flatten(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, tuple, list, dict):
        return [x for arg in typing.get_args(annotation) for x in _flatten(arg)]
    return [annotation]
