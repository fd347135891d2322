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


def benefit_category_titles(rulebook: Any) -> dict[str, str]:
    """Category code → its Russian title for every category of :func:`benefit_categories`.
    The rules title a category per group of services («Ветераны труда — коммунальные
    услуги …»): the title is the part before « — » of the category's first titled rule;
    never empty (the code stands in when no rule of the category has a title)."""
    rules = getattr(rulebook, "rules", None)
    if rules is None:
        return {}
    heads: dict[str, list[str]] = {}
    for rule in rules("benefits"):
        title = str(rule.title or "").strip()
        heads.setdefault(rule.category, []).append(title.split(" — ", 1)[0].strip())
    titles: dict[str, str] = {}
    for category, names in heads.items():
        named = [n for n in names if n]
        titles[category] = named[0] if named else category
    return dict(sorted(titles.items()))


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

    def benefit_category_titles(self) -> dict[str, str]:
        """See :func:`benefit_category_titles`."""
        return benefit_category_titles(self.rulebook)

    def incident_kinds(self, service: str) -> list[str]:
        """See :func:`incident_kinds`."""
        return incident_kinds(self.rulebook, service)
