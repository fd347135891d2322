"""What a rulebook talks about, read from the rulebook itself: the space situations are drawn from.

Every condition of every rule names fact attributes and compares them with values; every dated
value starts on a date. :func:`space_of` collects them so that the strategies
(:mod:`zhkh.kernel.regress.strategies`) put situations on both sides of every threshold
(``months_without_readings: {gt: 6}`` → 5, 6, 7) and every effective date (the month before
and the month of a new tariff), over the services, providers, benefit categories and quality
incidents the rules declare.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook
from zhkh.kernel.rulebook.base import RuleBase, named_values
from zhkh.kernel.rulebook.conditions import Op
from zhkh.kernel.rulebook.dated import DatedValues
from zhkh.kernel.rulebook.facts import FACTS, FactType

_ORDER = (Op.LT, Op.LTE, Op.GT, Op.GTE, Op.EQ, Op.NE)
_DEFAULT_INTS = (0, 1, 2, 3)


@dataclass(frozen=True)
class Space:
    """Values worth generating for one rulebook (sorted tuples, never empty where used)."""

    services: tuple[str, ...]
    providers: tuple[str, ...]
    periods: tuple[str, ...]
    ints: dict[str, tuple[int, ...]]
    categories: tuple[str, ...]
    incidents: dict[str, tuple[str, ...]]
    """Quality incident kinds by service."""
    change_dates: tuple[date, ...]
    """Every date a dated value of the rulebook starts on (within the periods' span)."""
    focus_periods: tuple[str, ...] = ()
    """Periods around the dates of the rules the draft changes (drawn half of the time)."""
    focus_services: tuple[str, ...] = ()
    """Services the changed rules name (drawn half of the time)."""
    old_dates: tuple[date, ...] = ()
    """Dates before the periods' span (old penalty rates, moratoria): debts reach them."""

    def int_values(self, attr: str) -> tuple[int, ...]:
        """Both sides of every threshold on ``attr`` (defaults when the rules name none)."""
        return self.ints.get(attr) or _DEFAULT_INTS


def changed_rules(base: Rulebook, draft: Rulebook) -> list[RuleBase]:
    """Rules of ``draft`` that ``base`` lacks or has with other content."""
    found = []
    for kind in draft.kinds():
        for rule in draft.rules(kind):
            old = base.by_id(rule.id) if rule.id in base else None
            if old is None or _content(old) != _content(rule):
                found.append(rule)
    return found


def _content(rule: RuleBase) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in type(rule).model_fields}


def space_of(rulebook: Rulebook, period: str | None = None,
             focus: list[RuleBase] | None = None) -> Space:
    """The generation space of ``rulebook``; ``period`` fixes the month (else both sides of every
    effective date from the first month every tariff has a value); ``focus`` (the rules a draft
    changes) adds the periods around their dates and the services they name."""
    rules = [rule for kind in rulebook.kinds() for rule in rulebook.rules(kind)]
    dates = sorted({d for rule in rules for d in _dates(rule)})
    start = max((r.values.steps[0][0] for r in rulebook.tariffs), default=date(2026, 1, 1))
    periods = [str(Period.parse(period))] if period else _periods(dates, start)
    focus = focus or []
    focus_dates = sorted({d for rule in focus for d in _dates(rule)})
    focus_periods = [p for p in _periods(focus_dates, start) if p in periods]
    services = set(rulebook.services)
    focus_services = sorted({str(v) for rule in focus
                             for v in named_values(rule.condition, "service")} & services)
    return Space(
        focus_periods=tuple(focus_periods),
        focus_services=tuple(focus_services),
        services=tuple(s for s in rulebook.services),
        providers=_providers(rules),
        periods=tuple(periods),
        ints=_thresholds(rules),
        categories=tuple(sorted({str(c) for r in rulebook.rules("benefits")
                                 if (c := getattr(r, "category", None))})),
        incidents=_incidents(rulebook.rules("quality")),
        change_dates=tuple(d for d in dates if d >= start),
        old_dates=tuple(d for d in dates if date(2019, 1, 1) <= d < start),
    )


def _periods(dates: list[date], start: date) -> list[str]:
    found: set[Period] = set()
    first = Period.of(start)
    for d in dates:
        p = Period.of(d)
        for q in (p.shift(-1), p, p.shift(1)):
            if q.first_day >= first.first_day:
                found.add(q)
    if not found:
        found.add(first)
    return [str(p) for p in sorted(found, key=lambda p: p.first_day)]


def _thresholds(rules: Iterable[RuleBase]) -> dict[str, tuple[int, ...]]:
    values: dict[str, set[int]] = {}
    for rule in rules:
        for test in rule.condition:
            fact = FACTS.get(test.attr)
            if fact is None or fact.type is not FactType.INT or test.op not in _ORDER:
                continue
            v = test.value
            if isinstance(v, int) and not isinstance(v, bool):
                low = fact.minimum if fact.minimum is not None else v - 1
                high = fact.maximum if fact.maximum is not None else v + 1
                values.setdefault(test.attr, set()).update(
                    x for x in (v - 1, v, v + 1) if low <= x <= high)
    return {k: tuple(sorted(v | {0} if FACTS[k].minimum == 0 else v)) for k, v in values.items()}


def _providers(rules: Iterable[RuleBase]) -> tuple[str, ...]:
    named = {str(v) for rule in rules for v in named_values(rule.condition, "provider")}
    return (*sorted(named), "provider")


def _incidents(rules: Iterable[RuleBase]) -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {}
    for rule in rules:
        kind = getattr(rule, "incident", None)
        for service in named_values(rule.condition, "service"):
            if kind:
                found.setdefault(str(service), set()).add(str(kind))
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _dates(value: Any) -> Iterator[date]:
    """Every start date of every dated value inside a rule (nested models and lists too)."""
    if isinstance(value, DatedValues):
        yield from (d for d, _ in value.steps)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _dates(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _dates(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _dates(item)
    elif isinstance(value, date) and not isinstance(value, type):
        yield value
