"""Checks across rules: unique ids, detectable ambiguity, references, coverage of services."""

from __future__ import annotations

from collections.abc import Mapping

from zhkh.kernel.rulebook.base import RuleBase, named_values
from zhkh.kernel.rulebook.errors import Problem
from zhkh.kernel.rulebook.kinds import facts
from zhkh.kernel.rulebook.services import ServiceCatalogue
from zhkh.kernel.rulebook.validation import label, normalize_path
from zhkh.kernel.rulebook.yamlio import line_of

SERVICES_FILE = "services.yaml"


def _where(rule: RuleBase) -> str:
    return f"{rule.file}:{rule.line}" if rule.line else str(rule.file)


def _problem(rule: RuleBase, field: str | None, message: str) -> Problem:
    return Problem(file=rule.file or "?", line=rule.line, rule_id=rule.id, field=field,
                   message=message)


def duplicate_ids(rules: Mapping[str, tuple[RuleBase, ...]]) -> list[Problem]:
    """Every rule whose id was already used by an earlier rule (of any kind)."""
    seen: dict[str, RuleBase] = {}
    problems: list[Problem] = []
    for kind_rules in rules.values():
        for rule in kind_rules:
            first = seen.setdefault(rule.id, rule)
            if first is not rule:
                problems.append(_problem(rule, "id", f"id {rule.id!r} уже занят правилом в "
                                         f"{_where(first)}: id должен быть уникален во всех "
                                         "файлах правил"))
    return problems


def ambiguities(rules: Mapping[str, tuple[RuleBase, ...]]) -> list[Problem]:
    """Rules of one exclusive kind with the same full condition and the same priority."""
    problems: list[Problem] = []
    for kind_rules in rules.values():
        seen: dict[tuple[object, int], RuleBase] = {}
        for rule in kind_rules:
            if not rule.EXCLUSIVE:
                continue
            first = seen.setdefault((rule.condition, rule.priority), rule)
            if first is not rule:
                problems.append(_problem(
                    rule, "when", f"условие совпадает с правилом {first.id} ({_where(first)}) "
                    f"при том же priority {rule.priority}: какое применять — неизвестно; "
                    "уточните when или задайте разный priority"))
    return problems


def references(rules: Mapping[str, tuple[RuleBase, ...]],
               services: ServiceCatalogue, raws: Mapping[int, object]) -> list[Problem]:
    """Each rule's own cross-checks (:meth:`RuleBase.check`) against the service catalogue."""
    problems: list[Problem] = []
    for kind_rules in rules.values():
        for rule in kind_rules:
            raw = raws.get(id(rule))
            for sub, message in rule.check(services):
                path = normalize_path(raw, sub)
                problems.append(Problem(file=rule.file or "?",
                                        line=line_of(raw, path) or rule.line,
                                        rule_id=rule.id, field=label(path), message=message))
    return problems


def fact_rules(rules: Mapping[str, tuple[RuleBase, ...]],
               services: ServiceCatalogue) -> list[Problem]:
    """Fact rules (``facts/``): no tie at the top for any combination of the attributes a
    section may see; a heating-season calendar for every house when methods read it."""
    reads_season = any(t.attr == "heating_season" for m in rules.get("methods", ())
                       for t in m.condition)
    found = facts.conflicts(rules.get("facts", ()), services, reads_season=reads_season)
    return [_problem(rule, field, message) if rule is not None else
            Problem(file="facts/", field=field, message=message)
            for rule, field, message in found]


def coverage(rules: Mapping[str, tuple[RuleBase, ...]], services: ServiceCatalogue,
             service_lines: Mapping[str, int]) -> list[Problem]:
    """Every service part has a tariff; every non-derived service has a method rule."""
    problems: list[Problem] = []
    tariffs = {(r.service, r.component, r.zone)  # type: ignore[attr-defined]
               for r in rules.get("tariffs", ())}
    with_method = {s for r in rules.get("methods", ()) for s in named_values(r.when, "service")}
    for service in services.values():
        line = service_lines.get(service.id)
        components: list[str | None] = [c.id for c in service.components]
        zones: list[str | None] = [*sorted(service.all_zones)]
        for component in components or [None]:
            for zone in zones or [None]:
                if (service.id, component, zone) not in tariffs:
                    part = "".join(f", {n} {v}" for n, v in (("составляющая", component),
                                                             ("зона", zone)) if v)
                    problems.append(Problem(
                        file=SERVICES_FILE, line=line, rule_id=service.id, field="tariffs",
                        message=f"нет тарифа для услуги {service.id}{part}: добавьте правило "
                                "в tariffs/"))
        if not service.derived_from and service.id not in with_method:
            problems.append(Problem(
                file=SERVICES_FILE, line=line, rule_id=service.id, field="methods",
                message=f"нет ни одного правила способа расчёта для услуги {service.id}: "
                        "добавьте правило в methods/"))
    return problems
