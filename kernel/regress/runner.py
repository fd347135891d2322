"""``rules regress``: situations drawn from the draft rulebook, calculated with the base and the
draft, checked against the invariants, compared, and the interesting ones shrunk.

:func:`regress` is deterministic for a seed (hypothesis with ``database=None`` and
``hypothesis.seed``), bounded by a number of examples and a time limit, and reports through a
``progress(done, total)`` callback. Nothing here writes files: the CLI saves the report and the
shrunk situations.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seeded
from pydantic import ValidationError

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import CalculationResult
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.engine import Engine
from zhkh.kernel.regress import invariants
from zhkh.kernel.regress.compare import Change, Outcome, differences, outcome_text
from zhkh.kernel.regress.declared import Declared, check_declared
from zhkh.kernel.regress.shrink import shrink
from zhkh.kernel.regress.space import changed_rules, space_of
from zhkh.kernel.regress.strategies import Json, Situations
from zhkh.kernel.regress.twin import watching_twin
from zhkh.kernel.rulebook import Rulebook

EXPLORE_SHARE = 0.75
"""Share of the time limit spent exploring; shrinking gets the rest (and any time left)."""

NOT_IN_LINES = ("facts", "checks")
"""Kinds whose rules derive facts or check readings and never name a line: left out of the
coverage."""


@dataclass(frozen=True)
class Options:
    """Bounds and seed of one run."""

    examples: int = 200
    seed: int = 0
    period: str | None = None
    time_limit: float = 60.0
    shrink: bool = True
    max_shrunk: int = 8
    shrink_steps: int = 60
    """Calls of the property per shrunk situation in the deletion pass (deterministic bound)."""


@dataclass
class Found:
    """A kind of difference or a violated invariant: how often, the largest, an example."""

    key: str
    count: int = 0
    largest: int = 0
    first: Json | None = None
    detail: str = ""
    shrunk: Json | None = None
    base_lines: list[dict[str, Any]] = field(default_factory=list)
    draft_lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Report:
    """Everything one run found (see :func:`regress`)."""

    base_version: str
    draft_version: str
    seed: int
    examples: int = 0
    elapsed: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    never_matched: dict[str, list[str]] = field(default_factory=dict)
    checked: Counter[str] = field(default_factory=Counter)
    explanations: dict[str, str] = field(default_factory=dict)
    violations: dict[str, Found] = field(default_factory=dict)
    changes: dict[str, Found] = field(default_factory=dict)
    by_rule: Counter[str] = field(default_factory=Counter)
    invalid: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when an invariant does not hold (the run's exit code is then non-zero)."""
        return bool(self.violations)


Progress = Callable[[int, int], None]


class _Side:
    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.engine: Engine = engine_for(rulebook)

    def run(self, situation: Situation) -> Outcome:
        try:
            return calculate(situation, self.rulebook, self.engine)
        except CalculationError as exc:
            return exc


def regress(base: Rulebook, draft: Rulebook, options: Options,
            declared: list[Declared] | None = None, progress: Progress | None = None) -> Report:
    """Run ``options.examples`` situations drawn from the draft's space through both rulebooks.

    Guarantees: the same seed, rulebooks and options give the same report (but ``elapsed``)
    when the time limit is not reached; no more than ``options.examples`` situations are
    explored; exploring stops at three quarters of ``options.time_limit`` seconds and shrinking
    at the limit (plus the calculation under way).
    """
    run = _Run(base, draft, options, declared or [], progress)
    run.explore()
    if options.shrink:
        run.shrink_all()
    return run.finish()


class _Run:
    def __init__(self, base: Rulebook, draft: Rulebook, options: Options,
                 declared: list[Declared], progress: Progress | None):
        self.base, self.draft = _Side(base), _Side(draft)
        self.options, self.declared, self.progress = options, declared, progress
        changed = changed_rules(base, draft)
        space = space_of(draft, options.period, changed)
        self.strategy = Situations(draft, space).situations()
        self.changed = frozenset(r.id for r in changed)
        self.report = Report(base.version, draft.version, options.seed)
        self.report.explanations = dict(invariants.EXPLANATIONS)
        self.report.explanations.update({d.name: d.title for d in declared})
        self.started = time.monotonic()

    def explore(self) -> None:
        opts = self.options

        @settings(database=None, max_examples=opts.examples, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @seeded(opts.seed)
        @given(self.strategy)
        def explore(situation: Json) -> None:
            if time.monotonic() - self.started > opts.time_limit * EXPLORE_SHARE:
                return
            self.one(situation)

        explore()

    def one(self, data: Json) -> None:
        report = self.report
        report.examples += 1
        try:
            situation = Situation.model_validate(data)
        except ValidationError as exc:
            if len(report.invalid) < 5:
                report.invalid.append(str(exc).splitlines()[0])
            report.outcomes["не прошла проверку входа"] += 1
            return
        base, (draft, twin) = self.base.run(situation), self._with_twin(situation)
        report.outcomes[f"черновик: {outcome_text(draft)}"] += 1
        if isinstance(draft, CalculationResult):
            for line in draft.lines:
                report.matched.update(line.rule_ids)
            self._check(data, situation, draft, twin)
        for change in differences(base, draft):
            self._record_change(change, data)
        if self.progress:
            self.progress(report.examples, self.options.examples)

    def _with_twin(self, situation: Situation) -> tuple[Outcome, list[str]]:
        with watching_twin() as mismatches:
            outcome = self.draft.run(situation)
        return outcome, list(mismatches)

    def violations(self, data: Json, situation: Situation, result: CalculationResult,
                   twin: list[str], only: str | None = None) -> list[invariants.Violation]:
        """Violations on one situation (of the invariant ``only``, when given)."""
        found: list[invariants.Violation] = []
        if only is None or only in invariants.EXPLANATIONS:
            found += invariants.check(situation, result, self.draft.rulebook)
            found += [invariants.Violation("kernel_equals_twin", None, None, m) for m in twin]
        declared = [d for d in self.declared if only in (None, d.name)]
        found += check_declared(declared, data, result, self._recalculate)
        return found

    def _recalculate(self, data: Json) -> CalculationResult | None:
        try:
            outcome = self.draft.run(Situation.model_validate(data))
        except ValidationError:
            return None
        return outcome if isinstance(outcome, CalculationResult) else None

    def _check(self, data: Json, situation: Situation, result: CalculationResult,
               twin: list[str]) -> None:
        names = set(invariants.EXPLANATIONS) | {d.name for d in self.declared}
        if situation.balance is not None and situation.balance.payments:
            self.report.matched[_allocation_rule(self.draft.rulebook)] += 1
        self.report.checked.update(names)
        for v in self.violations(data, situation, result, twin):
            found = self.report.violations.setdefault(v.invariant, Found(v.invariant))
            found.count += 1
            if found.first is None:
                found.first, found.detail = data, _where(v.account, v.service) + v.detail

    def _record_change(self, change: Change, data: Json) -> None:
        key = _change_key(change, self.changed)
        found = self.report.changes.setdefault(key, Found(key))
        found.count += 1
        for rule in _changed_first(change.rules, self.changed):
            self.report.by_rule[rule] += 1
        if found.first is None or abs(change.delta) > abs(found.largest):
            found.largest = change.delta
            found.detail = (f"{_where(change.account, change.service)}"
                            f"{change.base} → {change.draft}")
            found.first = found.first or data

    def shrink_all(self) -> None:
        deadline = self.started + self.options.time_limit
        items = [*self.report.violations.values(),
                 *sorted(self.report.changes.values(), key=lambda f: -f.count)]
        items = items[:self.options.max_shrunk]
        for i, found in enumerate(items):
            now = time.monotonic()
            if found.first is None or now >= deadline:
                continue
            holds = self._predicate(found.key)
            found.shrunk = shrink(self.strategy, found.first, holds, seed=self.options.seed,
                                  budget=max(10, self.options.examples // 20),
                                  steps=self.options.shrink_steps,
                                  deadline=now + (deadline - now) / (len(items) - i))
            situation = Situation.model_validate(found.shrunk)
            found.base_lines = _lines(self.base.run(situation))
            found.draft_lines = _lines(self.draft.run(situation))

    def _predicate(self, key: str) -> Callable[[Json], bool]:
        def holds(data: Json) -> bool:
            try:
                situation = Situation.model_validate(data)
            except ValidationError:
                return False
            if key in self.report.violations:
                draft, twin = self._with_twin(situation)
                return isinstance(draft, CalculationResult) and any(
                    v.invariant == key
                    for v in self.violations(data, situation, draft, twin, only=key))
            changes = differences(self.base.run(situation), self.draft.run(situation))
            return any(_change_key(c, self.changed) == key for c in changes)
        return holds

    def finish(self) -> Report:
        report = self.report
        rulebook = self.draft.rulebook
        report.never_matched = {
            kind: [r.id for r in rulebook.rules(kind) if r.id not in report.matched]
            for kind in rulebook.kinds() if kind not in NOT_IN_LINES}
        report.never_matched = {k: v for k, v in report.never_matched.items() if v}
        report.elapsed = time.monotonic() - self.started
        return report


def _allocation_rule(rulebook: Rulebook) -> str:
    from zhkh.kernel.allocation.rulebook import allocation_policy_from_rulebook

    return allocation_policy_from_rulebook(rulebook).rule_id


def _changed_first(rules: tuple[str, ...], changed: frozenset[str]) -> tuple[str, ...]:
    """The rules of a line the draft changed (all of them when it changed none: a line that
    follows another, like a benefit on a changed charge)."""
    return tuple(r for r in rules if r in changed) or rules


def _change_key(change: Change, changed: frozenset[str]) -> str:
    """Kind of a change: the rules the draft changed in its line (else all its rules) and
    what changed."""
    rules, what = change.signature
    return f"{', '.join(_changed_first(rules, changed))} | {what}"


def _where(account: str | None, service: str | None) -> str:
    parts = [p for p in (f"счёт {account}" if account else "", service or "") if p]
    return f"{', '.join(parts)}: " if parts else ""


def _lines(outcome: Outcome) -> list[dict[str, Any]]:
    if isinstance(outcome, CalculationError):
        return [{"error": outcome.code, "message": outcome.message}]
    return [{k: v for k, v in ln.model_dump(mode="json").items()
             if k in ("account", "service", "component", "zone", "kind", "method", "rule_ids",
                      "volume", "tariff", "coefficient", "amount", "excess")}
            for ln in outcome.lines]
