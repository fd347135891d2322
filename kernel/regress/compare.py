"""Differences between the base and the draft rulebook on one situation.

Lines are matched by account, service, component, zone, kind and dates; a matched pair that
differs, a line only one side has, or an error on one side only is a :class:`Change`. Its
``signature`` (the rules involved and what changed) groups changes of the same kind: a changed
tariff gives one signature, «сумма, тариф» of that tariff's lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import CalculationResult, Line
from zhkh.kernel.money import to_kopecks

Outcome = CalculationResult | CalculationError

FIELDS = (("method", "способ"), ("rule_ids", "правила"), ("volume", "объём"),
          ("tariff", "тариф"), ("coefficient", "коэффициент"), ("amount", "сумма"))


@dataclass(frozen=True)
class Change:
    """One line (or the whole situation, for an error) that the draft changes."""

    rules: tuple[str, ...]
    what: str
    account: str | None
    service: str | None
    base: str
    draft: str
    delta: int
    """Draft minus base, kopecks (0 for an error on one side)."""

    @property
    def signature(self) -> tuple[tuple[str, ...], str]:
        """The kind of change: its rules and what changed."""
        return self.rules, self.what


def outcome_text(outcome: Outcome) -> str:
    """``ok`` or ``ошибка <code>``."""
    return f"ошибка {outcome.code}" if isinstance(outcome, CalculationError) else "ok"


def differences(base: Outcome, draft: Outcome) -> list[Change]:
    """Every change from ``base`` to ``draft`` (empty when they agree to the kopeck)."""
    if isinstance(base, CalculationError) or isinstance(draft, CalculationError):
        b, d = _error_key(base), _error_key(draft)
        if b == d:
            return []
        failed = base if isinstance(base, CalculationError) else draft
        assert isinstance(failed, CalculationError)
        return [Change(("—",), f"{outcome_text(base)} → {outcome_text(draft)}", failed.account,
                       failed.service, outcome_text(base), outcome_text(draft), 0)]
    left, right = _keyed(base.lines), _keyed(draft.lines)
    changes: list[Change] = []
    for key in sorted(set(left) | set(right), key=repr):
        olds, news = left.get(key, []), right.get(key, [])
        for i in range(max(len(olds), len(news))):
            old = olds[i] if i < len(olds) else None
            new = news[i] if i < len(news) else None
            change = _line_change(old, new)
            if change is not None:
                changes.append(change)
    return changes


def _error_key(outcome: Outcome) -> tuple[str, str | None, str | None] | None:
    if isinstance(outcome, CalculationError):
        return outcome.code, outcome.account, outcome.service
    return None


def _keyed(lines: list[Line]) -> dict[tuple[str | None, ...], list[Line]]:
    found: dict[tuple[str | None, ...], list[Line]] = {}
    for ln in lines:
        key = (ln.account, ln.service, ln.component, ln.zone, ln.kind, ln.date_from, ln.date_to)
        found.setdefault(key, []).append(ln)
    return found


def _line_change(old: Line | None, new: Line | None) -> Change | None:
    if old is None or new is None:
        line = new or old
        assert line is not None
        what = f"новая строка {line.kind}" if old is None else f"нет строки {line.kind}"
        amount = to_kopecks(line.amount)
        return Change(tuple(line.rule_ids), what, line.account, line.service,
                      "—" if old is None else line.amount, "—" if new is None else line.amount,
                      amount if old is None else -amount)
    changed = [ru for name, ru in FIELDS if getattr(old, name) != getattr(new, name)]
    if not changed:
        return None
    what = ", ".join(changed)
    if old.method != new.method:
        what += f" ({old.method} → {new.method})"
    rules = tuple(dict.fromkeys([*old.rule_ids, *new.rule_ids]))
    return Change(rules, what, new.account, new.service, old.amount, new.amount,
                  to_kopecks(new.amount) - to_kopecks(old.amount))
