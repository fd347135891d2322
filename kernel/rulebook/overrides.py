"""Inline overrides of tariff and norm values (the API's «what if» calculations)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from hashlib import sha256

from zhkh.kernel.money import MoneyError, to_decimal
from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.dated import DatedValues
from zhkh.kernel.rulebook.errors import Problem, RulebookError
from zhkh.kernel.rulebook.model import Rulebook

OVERRIDES_FILE = "<overrides>"


def rulebook_from_overrides(rulebook: Rulebook,
                            tariffs: Mapping[str, Decimal | str] | None = None,
                            norms: Mapping[str, Decimal | str] | None = None) -> Rulebook:
    """A new rulebook where each named tariff / norm has one value in force at every date.

    Unknown ids (or an id of another kind) and values that are not decimals ≥ 0 raise
    :class:`RulebookError` naming them. The version becomes ``<base>+<hash of overrides>``;
    with no overrides the same rulebook is returned.
    """
    problems: list[Problem] = []
    replaced: dict[str, RuleBase] = {}
    canonical: dict[str, dict[str, str]] = {}
    for kind, overrides in (("tariffs", tariffs or {}), ("norms", norms or {})):
        ids = {rule.id for rule in rulebook.rules(kind)}
        for rule_id, raw in overrides.items():
            field = f"{kind}.{rule_id}"
            if rule_id not in ids:
                problems.append(Problem(file=OVERRIDES_FILE, rule_id=rule_id, field=field,
                                        message=f"нет правила вида {kind} с id {rule_id!r}"))
                continue
            try:
                value = to_decimal(raw)
            except MoneyError as exc:
                problems.append(Problem(file=OVERRIDES_FILE, rule_id=rule_id, field=field,
                                        message=str(exc)))
                continue
            if value < 0:
                problems.append(Problem(file=OVERRIDES_FILE, rule_id=rule_id, field=field,
                                        message=f"значение {raw} меньше 0"))
                continue
            rule = rulebook.by_id(rule_id)
            replaced[rule_id] = rule.model_copy(update={"values": DatedValues.constant(value)})
            canonical.setdefault(kind, {})[rule_id] = format(value.normalize(), "f")
    if problems:
        raise RulebookError(problems)
    if not replaced:
        return rulebook
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    suffix = sha256(text.encode()).hexdigest()[:8]
    kinds = {kind: tuple(replaced.get(r.id, r) for r in rules)
             for kind, rules in rulebook.kind_rules.items()}
    return Rulebook(version=f"{rulebook.version}+{suffix}", source_dir=rulebook.source_dir,
                    services=rulebook.services, kind_rules=kinds)
