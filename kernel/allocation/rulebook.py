"""Build an AllocationPolicy from allocation rules (rules/allocation/*.yaml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from zhkh.kernel.allocation.model import AllocationPolicy
from zhkh.kernel.rulebook.conditions import matches
from zhkh.kernel.rulebook.kinds.allocation import Rule
from zhkh.kernel.rulebook.model import Rulebook


def allocation_policy_from_rules(rules: Iterable[Rule]) -> AllocationPolicy:
    """The policy of the rule of highest priority; none → defaults; a tie → ValueError."""
    rules = list(rules)
    if not rules:
        return AllocationPolicy()
    top = max(r.priority for r in rules)
    best = [r for r in rules if r.priority == top]
    if len(best) > 1:
        raise ValueError(f"распределение оплаты задают правила с одним приоритетом {top}: "
                         f"{', '.join(r.id for r in best)}")
    r = best[0]
    return AllocationPolicy(rule_id=r.id, source=r.source, between_periods=r.between_periods,
                            tie_break=r.tie_break, penalties=r.penalties)


def allocation_policy_from_rulebook(
    rulebook: Rulebook, fact: Mapping[str, Any] | None = None
) -> AllocationPolicy:
    """The allocation policy of a loaded rulebook for ``fact`` (default: no attributes)."""
    fact = fact or {}
    rules = cast("tuple[Rule, ...]", rulebook.rules("allocation"))  # the kind's rule class
    return allocation_policy_from_rules(r for r in rules if matches(r.condition, fact))
