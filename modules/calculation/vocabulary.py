"""What the published rules know, for checking input before it is stored: the benefit
categories of the ``benefits`` rules and the incident kinds the ``quality`` rules cover per
service. Stored facts that the rules do not know would only fail later, in every run.

:class:`RulebookVocabulary` is the ``RuleVocabulary`` of ``modules/seams.py`` that the
composition root hands to passport and complaints."""

from __future__ import annotations

from typing import Any

from zhkh.kernel.rulebook.conditions import matches


def benefit_categories(rulebook: Any) -> list[str]:
    """Category codes named by the ``benefits`` rules, sorted (empty without such rules)."""
    rules = getattr(rulebook, "rules", None)
    return sorted({r.category for r in rules("benefits")}) if rules else []


def incident_kinds(rulebook: Any, service: str) -> list[str]:
    """Incident kinds of the ``quality`` rules whose service tests hold for ``service`` (every
    such rule names its services), in the rules' order."""
    rules = getattr(rulebook, "rules", None)
    if rules is None:
        return []
    kinds: list[str] = []
    for rule in rules("quality"):
        tests = tuple(t for t in rule.condition if t.attr == "service")
        if tests and matches(tests, {"service": service}) and rule.incident not in kinds:
            kinds.append(rule.incident)
    return kinds


class RulebookVocabulary:
    """The vocabulary of one rulebook (the published one, in the application)."""

    def __init__(self, rulebook: Any) -> None:
        self.rulebook = rulebook

    def benefit_categories(self) -> list[str]:
        """See :func:`benefit_categories`."""
        return benefit_categories(self.rulebook)

    def incident_kinds(self, service: str) -> list[str]:
        """See :func:`incident_kinds`."""
        return incident_kinds(self.rulebook, service)
