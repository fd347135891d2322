"""What the three regulations share: facts per account × service, rule selection, day helpers.

Rule selection asks the engine (``engine.matching(kind, fact)``) when one is given and knows the
kind; otherwise it evaluates :attr:`RuleBase.condition` with the reference semantics
(:func:`zhkh.kernel.rulebook.conditions.matches`) — the engine's contract is to agree with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.observations import active_meters, persons_segments
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.signature import Signature, build_signature, describe
from zhkh.kernel.calc.situation import Account, AccountService, Situation
from zhkh.kernel.money import round_half_up_div, to_decimal
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.conditions import matches


def kopecks(value: Fraction) -> int:
    """Exact rubles → kopecks, half away from zero (the one rounding of an extra line)."""
    scaled = value * 100
    return round_half_up_div(scaled.numerator, scaled.denominator)


def frac(text: str | None) -> Fraction:
    """A decimal string of a line (``"438.48"``) as an exact fraction; None → 0."""
    return Fraction(to_decimal(text)) if text is not None else Fraction(0)


def days(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def line_days(line: Line) -> list[date]:
    """Days covered by a charge line."""
    return days(date.fromisoformat(line.date_from), date.fromisoformat(line.date_to))


def runs(values: Sequence[tuple[date, Any]]) -> list[tuple[date, date, Any]]:
    """Consecutive days with an equal value, as (first, last, value)."""
    out: list[tuple[date, date, Any]] = []
    for day, value in values:
        if out and out[-1][2] == value and out[-1][1] + timedelta(days=1) == day:
            out[-1] = (out[-1][0], day, value)
        else:
            out.append((day, day, value))
    return out


@dataclass
class Context:
    """One situation, its rulebook and engine; caches signatures and residents per day."""

    situation: Situation
    rulebook: Any
    engine: Any
    period: Period = field(init=False)
    accounts: dict[str, Account] = field(init=False)
    _facts: dict[tuple[str, str], Signature] = field(default_factory=dict, init=False)
    _persons: dict[str, dict[date, int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.period = self.situation.period_value
        self.accounts = {a.number: a for a in self.situation.accounts}

    def account(self, number: str, what: str) -> Account:
        """The account ``number``; an unknown one is an error naming ``what`` refers to it."""
        acc = self.accounts.get(number)
        if acc is None:
            raise CalculationError("unknown_account", f"{what}: лицевого счёта {number} нет "
                                   "в ситуации", account=number)
        return acc

    def service_in(self, account: Account, service: str) -> AccountService | None:
        return next((s for s in account.services if s.service == service), None)

    def fact(self, account: Account, service: str, component: str | None = None,
             zone: str | None = None) -> Signature:
        """The signature of account × service (as the charge stage builds it) plus the part."""
        key = (account.number, service)
        if key not in self._facts:
            s_in = self.service_in(account, service)
            if s_in is None:
                raise CalculationError("unknown_service", f"у счёта нет услуги {service}",
                                       account=account.number, service=service)
            spec = self.rulebook.services.get(service)
            derived = bool(spec and spec.derived_from)
            meters = [] if derived else active_meters(s_in.meters, self.period)
            self._facts[key] = build_signature(self.situation.house, account, s_in, meters,
                                               self.period)
        sig = dict(self._facts[key])
        if component is not None:
            sig["component"] = component
        if zone is not None:
            sig["zone"] = zone
        return sig

    def persons_on(self, account: Account, day: date) -> int:
        """Residents counted on ``day`` (owners when nobody is registered, п. 56(2))."""
        if account.number not in self._persons:
            self._persons[account.number] = {
                d: seg.value for seg in persons_segments(account, self.period)
                for d in days(seg.start, seg.end)
            }
        return self._persons[account.number].get(day, 0)

    def select(self, kind: str, fact: Signature, keep: Callable[[RuleBase], bool],
               account: str, what: str) -> RuleBase | None:
        """The rule of ``kind`` matching ``fact`` among those ``keep`` accepts; highest priority.

        None when no rule matches; two at the top priority is an ``ambiguous_rule`` error.
        """
        candidates = [r for r in self.rulebook.rules(kind) if keep(r)]
        if not candidates:
            return None
        ids = self._matching(kind, fact, candidates)
        found = [r for r in candidates if r.id in ids]
        return pick(found, kind, fact, account, what)

    def _matching(self, kind: str, fact: Signature, rules: Iterable[RuleBase]) -> set[str]:
        matching = getattr(self.engine, "matching", None)
        if matching is not None:
            try:
                return set(matching(kind, fact))
            except KeyError:
                pass  # an engine built without this kind: the reference semantics below
        return {r.id for r in rules if matches(r.condition, fact)}


def pick(rules: list[RuleBase], kind: str, fact: Signature, account: str,
         what: str) -> RuleBase | None:
    """Highest priority wins; a tie at the top is an error naming the rules and the fact."""
    if not rules:
        return None
    top = max(r.priority for r in rules)
    best = [r for r in rules if r.priority == top]
    if len(best) > 1:
        raise CalculationError(
            "ambiguous_rule",
            f"{what}: подходят несколько правил вида «{kind}» с одинаковым приоритетом: "
            f"{', '.join(r.id for r in best)}; ситуация: {describe(fact)}",
            account=account, service=str(fact.get("service")), signature=dict(fact),
        )
    return best[0]
