"""The rules as a methodologist reads them: which rules are in force on a date (value, since
when, the legal source) and one rule's history — every dated value with the period it holds.

Read from a loaded :class:`~zhkh.kernel.rulebook.Rulebook` (the published one, or a kept
version loaded by ``rulebooks.service.load``); nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from zhkh.kernel.rulebook import Rulebook
from zhkh.kernel.rulebook.dated import DatedValues

KIND_TITLES = {"tariffs": "Тарифы", "norms": "Нормативы", "methods": "Способы расчёта",
               "benefits": "Льготы", "quality": "Качество услуг", "penalties": "Пени",
               "allocation": "Разнесение оплаты", "absence": "Временное отсутствие",
               "checks": "Проверки показаний", "facts": "Факты"}
"""Russian names of the kinds of rules (folders of ``rules/``)."""


@dataclass(frozen=True, slots=True)
class RuleInForce:
    """A rule on a day: its value then (None for a rule without dated values, or before its
    first date), the date that value holds from, and the regulation it implements."""

    id: str
    kind: str
    title: str
    value: Decimal | None
    unit: str | None
    since: date | None
    source: str
    file: str | None


@dataclass(frozen=True, slots=True)
class Step:
    """One dated value: in force from ``date_from`` to ``date_to`` inclusive (None: until
    now)."""

    date_from: date
    date_to: date | None
    value: Decimal


@dataclass(frozen=True, slots=True)
class RuleHistory:
    """A rule with every dated field's steps (``values`` of a tariff or norm, and any other
    dated field of its kind), where it was read, and its other fields as written."""

    id: str
    kind: str
    title: str
    unit: str | None
    source: str
    file: str | None
    line: int | None
    series: dict[str, list[Step]]
    fields: dict[str, Any]


def in_force(rulebook: Rulebook, day: date, *, kind: str | None = None,
             text: str | None = None) -> list[RuleInForce]:
    """Every rule (of ``kind``; whose id, title or source contains ``text``, case ignored) with
    its value on ``day``, in kind then file order."""
    needle = (text or "").strip().casefold()
    out: list[RuleInForce] = []
    for k in rulebook.kinds():
        if kind is not None and k != kind:
            continue
        for rule in rulebook.rules(k):
            if needle and not any(needle in str(getattr(rule, f, "") or "").casefold()
                                  for f in ("id", "title", "source")):
                continue
            values = getattr(rule, "values", None)
            value = since = None
            if isinstance(values, DatedValues):
                value = values.at(day)
                started = [d for d, _ in values.steps if d <= day]
                since = started[-1] if started else None
            out.append(RuleInForce(rule.id, k, str(rule.title), value,
                                   getattr(rule, "unit", None), since, str(rule.source),
                                   rule.file))
    return out


def history(rulebook: Rulebook, rule_id: str) -> RuleHistory | None:
    """The rule ``rule_id`` with its dated values as steps, or None if there is no such
    rule."""
    for k in rulebook.kinds():
        for rule in rulebook.rules(k):
            if rule.id != rule_id:
                continue
            series: dict[str, list[Step]] = {}
            fields: dict[str, Any] = {}
            for name in type(rule).model_fields:
                value = getattr(rule, name)
                if isinstance(value, DatedValues):
                    series[name] = steps(value)
                elif name not in ("id", "title", "source", "unit") and value not in (None, ()):
                    fields[name] = value
            return RuleHistory(rule.id, k, str(rule.title), getattr(rule, "unit", None),
                               str(rule.source), rule.file, rule.line, series, fields)
    return None


def steps(values: DatedValues) -> list[Step]:
    """The steps of dated values, each ending the day before the next begins."""
    dates = [d for d, _ in values.steps]
    return [Step(d, dates[i + 1] - timedelta(days=1) if i + 1 < len(dates) else None, v)
            for i, (d, v) in enumerate(values.steps)]


__all__ = ["KIND_TITLES", "RuleHistory", "RuleInForce", "Step", "history", "in_force", "steps"]
