"""The published rules as JSON for ``GET /v1/rules``: values in force at a date, or history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from zhkh.kernel.rulebook import Rulebook
from zhkh.kernel.rulebook.conditions import Op, Test
from zhkh.kernel.rulebook.dated import DatedValues

_HIDDEN = {"line", "file"}


def rules_at(rulebook: Rulebook, day: date) -> list[dict[str, Any]]:
    """Every rule of every kind; dated values replaced by the one in force on ``day``."""
    out = []
    for kind in rulebook.kinds():
        for rule in rulebook.rules(kind):
            out.append({"kind": kind, **_json(rule, at=day)})
    return out


def rule_history(rulebook: Rulebook, rule_id: str) -> dict[str, Any] | None:
    """One rule with every dated value, or None if there is no such rule."""
    for kind in rulebook.kinds():
        for rule in rulebook.rules(kind):
            if rule.id == rule_id:
                return {"kind": kind, **_json(rule, at=None)}
    return None


def _json(rule: BaseModel, at: date | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in type(rule).model_fields:
        if name in _HIDDEN:
            continue
        value = getattr(rule, name)
        if name == "values" and isinstance(value, DatedValues) and at is not None:
            current = value.at(at)
            data["value"] = None if current is None else format(current, "f")
            since = [d for d, _ in value.steps if d <= at]
            data["value_since"] = since[-1].isoformat() if since else None
            continue
        data[name] = {t.attr: _test(t) for t in value} if name == "when" else _plain(value)
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, DatedValues):
        return value.as_json()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return {k: _plain(getattr(value, k)) for k in type(value).model_fields}
    if isinstance(value, tuple) and value and all(isinstance(t, Test) for t in value):
        return {t.attr: _test(t) for t in value}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _test(t: Test) -> Any:
    if t.op is Op.EQ:
        return t.value
    if t.op is Op.IN:
        return list(t.value)  # type: ignore[arg-type]
    if t.op in (Op.PRESENT, Op.ABSENT):
        return {"present": t.op is Op.PRESENT}
    return {t.op.value: list(t.value) if isinstance(t.value, tuple) else t.value}
