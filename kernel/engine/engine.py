"""The engine: which rules of a kind apply to a fact signature, asked of durable-rules once.

One :class:`Engine` = one rulebook version = one durable host (a new version means a new host;
durable cannot re-register a ruleset name, and its module globals are never used). Rulesets are
generated as JSON from the conditions (see :mod:`.translate`), linted (:mod:`.lint`), and the
answer for a (kind, fact) is cached, so a region's millions of rows cost one durable call per
distinct signature. Priority resolution is plain Python on top of :meth:`Engine.matching`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from zhkh.kernel.engine.errors import (
    AmbiguousRuleError,
    EngineError,
    NoRuleError,
    RulesetLimitError,
)
from zhkh.kernel.engine.host import SENTINEL_ACTION, QuietHost
from zhkh.kernel.engine.lint import lint_ruleset
from zhkh.kernel.engine.translate import ALWAYS, MAX_PROPERTIES, KindCodec, check_condition
from zhkh.kernel.rulebook.conditions import Condition

Fact = Mapping[str, str | int | bool]


class EngineRule(Protocol):
    """What the engine needs of a rule: an id unique in its kind, a priority and a condition."""

    @property
    def id(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def when(self) -> Condition: ...


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Answers from the cache (``hits``), asked of durable (``misses``), kept (``size``)."""

    hits: int
    misses: int
    size: int


@dataclass(frozen=True, slots=True)
class _Kind:
    codec: KindCodec
    ids: tuple[str, ...]  # by durable rule index
    priorities: Mapping[str, int]


def freeze(fact: Fact) -> tuple[tuple[str, str, Any], ...]:
    """Hashable form of a fact; keeps the type: ``True == 1`` but they compare differently."""
    return tuple(sorted((attr, type(value).__name__, value) for attr, value in fact.items()))


class Engine:
    """durable-rules host for one rulebook version; see the module docstring."""

    def __init__(self, rules_by_kind: Mapping[str, Sequence[EngineRule]], version: str):
        self.version = version
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, tuple[tuple[str, str, Any], ...]], tuple[str, ...]] = {}
        self._hits = 0
        self._misses = 0
        self._closed = False
        self._kinds: dict[str, _Kind] = {}
        definitions: dict[str, dict[str, Any]] = {}
        for number, (kind, rules) in enumerate(sorted(rules_by_kind.items())):
            ruleset = f"k{number}"
            self._kinds[kind], definitions[ruleset] = _build_kind(kind, ruleset, rules)
        self._host = QuietHost()
        self._host.load(definitions)
        self.rulesets = definitions  # the generated JSON, for inspection and documentation

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds this engine was built with, sorted."""
        return tuple(self._kinds)

    def matching(self, kind: str, fact: Fact) -> tuple[str, ...]:
        """Ids of all rules of ``kind`` whose condition holds for ``fact``, sorted by id.

        Equal to ``sorted(r.id for r in rules if conditions.matches(r.when, fact))``.
        """
        key = (kind, freeze(fact))
        with self._lock:
            if self._closed:
                raise EngineError(f"движок правил версии {self.version} закрыт")
            cached = self._cache.get(key)
            if cached is not None:
                self._hits += 1
                return cached
            entry = self._kind(kind)
            indices = self._host.evaluate(entry.codec.ruleset, entry.codec.message(fact, ""))
            result = tuple(sorted(entry.ids[i] for i in indices))
            self._cache[key] = result
            self._misses += 1
            return result

    def decide(self, kind: str, fact: Fact, *, target: str = "") -> str:
        """The one rule of ``kind`` for ``fact``: the highest priority among the matching ones.

        Raises :class:`NoRuleError` when none matches and :class:`AmbiguousRuleError` (with the
        tied ids, sorted) when several share the top priority. ``target`` only labels the error.
        """
        ids = self.matching(kind, fact)
        if not ids:
            raise NoRuleError(kind, fact, target)
        priorities = self._kinds[kind].priorities
        top = max(priorities[rule_id] for rule_id in ids)
        winners = tuple(rule_id for rule_id in ids if priorities[rule_id] == top)
        if len(winners) > 1:
            raise AmbiguousRuleError(kind, fact, winners, top, target)
        return winners[0]

    def cache_stats(self) -> CacheStats:
        """Counters since construction (or the last :meth:`clear_cache`)."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._cache))

    def clear_cache(self) -> None:
        """Forget cached answers and reset the counters (benchmarks use it between rounds)."""
        with self._lock:
            self._cache.clear()
            self._hits = self._misses = 0

    def close(self) -> None:
        """Free the durable rulesets; the engine answers no more questions. Idempotent."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._host.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _kind(self, kind: str) -> _Kind:
        try:
            return self._kinds[kind]
        except KeyError:
            known = ", ".join(self._kinds) or "нет"
            raise EngineError(
                f"вид правил «{kind}» неизвестен движку версии {self.version}; есть: {known}"
            ) from None


def _build_kind(
    kind: str, ruleset: str, rules: Sequence[EngineRule]
) -> tuple[_Kind, dict[str, Any]]:
    """The durable definition of one kind (a rule per rule id plus the sentinel) and its index."""
    ids: list[str] = []
    priorities: dict[str, int] = {}
    for rule in rules:
        if not isinstance(rule.id, str) or not rule.id:
            raise EngineError(f"вид правил «{kind}»: у правила нет id: {rule!r}")
        if rule.id in priorities:
            raise EngineError(f"вид правил «{kind}»: правило {rule.id} встречается дважды")
        if not isinstance(rule.priority, int) or isinstance(rule.priority, bool):
            raise EngineError(f"правило {rule.id}: priority должен быть целым: {rule.priority!r}")
        check_condition(rule.when, f"правило {rule.id}")
        ids.append(rule.id)
        priorities[rule.id] = rule.priority
    codec = KindCodec.for_conditions(ruleset, (rule.when for rule in rules))
    if codec.max_properties > MAX_PROPERTIES:
        raise RulesetLimitError(
            f"вид правил «{kind}»: условия называют {len(codec.numbers)} атрибутов, сообщение "
            f"durable-rules вышло бы в {codec.max_properties} свойств (допустимо {MAX_PROPERTIES})"
        )
    definition: dict[str, Any] = {
        f"r{index}": {"all": [{"m": codec.condition(rule.when)}], "run": f"{ruleset}/{index}"}
        for index, rule in enumerate(rules)
    }
    definition[SENTINEL_ACTION] = {"all": [{"m": dict(ALWAYS)}], "run": SENTINEL_ACTION}
    lint_ruleset(kind, definition, {f"r{index}": rule_id for index, rule_id in enumerate(ids)})
    return _Kind(codec, tuple(ids), priorities), definition
