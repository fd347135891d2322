"""Build a PenaltyPolicy from penalty rules (rules/penalties/*.yaml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zhkh.kernel.penalties.policy import (
    Moratorium,
    PenaltyPolicy,
    PenaltyPolicyError,
    Scale,
    Steps,
    Tier,
)
from zhkh.kernel.rulebook.conditions import matches
from zhkh.kernel.rulebook.kinds.penalties import Rule
from zhkh.kernel.rulebook.model import Rulebook

_REQUIRED = ("scale", "due_date", "rates")


def policy_from_rules(
    rules: Iterable[Rule], *, allocation_mode: str = "by_payment_period"
) -> PenaltyPolicy:
    """Merge the sections of ``rules`` (already filtered by fact) into one policy.

    For each section but ``moratorium`` the rule of highest priority wins; a tie at the top is
    an error naming both rules. Every moratorium rule applies. ``allocation_mode`` is the
    allocation rule's ``between_periods`` (payments are applied to debts by it).
    """
    rules = list(rules)
    # Sections are picked by name, so their rules are taken as Any; the winners of the
    # required ones are checked below and have their section set (see _winner).
    chosen: dict[str, Any] = {name: _winner(rules, name)
                              for name in ("scale", "due_date", "rates", "cap", "accrual")}
    missing = [name for name in _REQUIRED if chosen[name] is None]
    if missing:
        raise PenaltyPolicyError(f"в правилах пеней нет раздела: {', '.join(missing)}")
    scale, due, rates = chosen["scale"].scale, chosen["due_date"].due_date, chosen["rates"].rates
    cap, accrual = chosen["cap"], chosen["accrual"]
    extra: dict[str, Any] = {}
    if cap is not None:
        extra.update(cap=Steps(cap.cap.values), cap_axis=cap.cap.axis)
    if accrual is not None:
        extra.update(accrual.accrual.model_dump())
    return PenaltyPolicy(
        scales=tuple(Scale(d, s.grace_days, tuple(Tier(t.from_day, t.fraction) for t in s.tiers))
                     for d, s in sorted(scale.items())),
        due_days=tuple(sorted(due.day_of_next_month.items())),
        due_axis=due.axis,
        move_due_off_weekend=due.move_off_weekend,
        rates=_merged_rates(rates),
        moratoria=tuple(Moratorium(r.id, r.moratorium.start, r.moratorium.end,
                                   r.moratorium.only_debts_arisen_before)
                        for r in rules if r.moratorium is not None),
        allocation_mode=allocation_mode,  # type: ignore[arg-type]
        rule_ids=tuple(r.id for r in rules),
        **extra,
    )


def policy_from_rulebook(
    rulebook: Rulebook, fact: Mapping[str, Any] | None = None
) -> PenaltyPolicy:
    """The penalty policy of a loaded rulebook for ``fact`` (default: no attributes)."""
    from zhkh.kernel.allocation.rulebook import allocation_policy_from_rulebook

    fact = fact or {}
    rules = [r for r in _rules_of(rulebook, "penalties") if matches(r.condition, fact)]
    mode = allocation_policy_from_rulebook(rulebook, fact).between_periods
    return policy_from_rules(rules, allocation_mode=mode)


def _rules_of(rulebook: Rulebook, kind: str) -> list[Any]:
    return list(rulebook.rules(kind))


def _winner(rules: list[Rule], section: str) -> Rule | None:
    candidates = [r for r in rules if getattr(r, section) is not None]
    if not candidates:
        return None
    top = max(r.priority for r in candidates)
    best = [r for r in candidates if r.priority == top]
    if len(best) > 1:
        raise PenaltyPolicyError(f"раздел {section} задают правила с одним приоритетом {top}: "
                                 f"{', '.join(r.id for r in best)} — укажите priority")
    return best[0]


def _merged_rates(rates: Any) -> Steps:
    switch = rates.key_rate_from
    key_now = rates.key.at(switch)
    if key_now is None:
        raise PenaltyPolicyError(f"ключевая ставка не задана на {switch.isoformat()}")
    before = [(d, v) for d, v in (rates.refinancing.steps if rates.refinancing else ())
              if d < switch]
    after = [(d, v) for d, v in rates.key.steps if d > switch]
    return Steps((*before, (switch, key_now), *after))
