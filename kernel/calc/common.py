"""Common property (СОИ) of a house: the rows of ``common_property`` services after the first pass.

The first pass gives every premises' individual volume of the resource (by meter, average or
norm); here, per house × resource (× method rule), the kernel computes the house's volume for
common needs (``charges.common_arrays``) from the house meter's volume of the period — or its
average (п. 59(1)), or none — the Σ individual volumes, the norm × common area and the
house's decision lifting the cap. Each account's rows then share that volume by area (the
method's SHARE rows, ``methods/common_property.py``). The monthly run gives its houses to
``calculate`` with the same facts (``House.resources``), so this is the only place it is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zhkh.kernel.calc.catalog import Catalog, ServiceSpec
from zhkh.kernel.calc.decide import Decider, MethodDecision
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.methods import COMMON
from zhkh.kernel.calc.methods.common_property import WIDTH
from zhkh.kernel.calc.methods.derived import counts_as_volume
from zhkh.kernel.calc.plan import PlanRow, SituationFacts, Templates, template_of
from zhkh.kernel.calc.result import HouseTotal
from zhkh.kernel.calc.signature import Signature
from zhkh.kernel.calc.situation import Account, AccountService, House, HouseResource
from zhkh.kernel.calc.template import decide_rules
from zhkh.kernel.charges import (
    AVERAGE_FALLBACK,
    CAP_LIFTED,
    NEGATIVE_KEPT,
    OK,
    common_arrays,
)
from zhkh.kernel.money import format_micro, to_micro
from zhkh.kernel.period import Period, days_inclusive, split_days
from zhkh.kernel.rulebook.kinds.methods import CommonProperty

SOURCES = ("meter", "average", "norm")
OUTCOMES = ("difference", "capped", "zero", "negative")
UNKNOWN = -(2**63)


@dataclass(frozen=True, slots=True)
class CommonFact:
    """An account's common-property service, decided (its method is ``common_property``)."""

    account: Account
    service: AccountService
    spec: ServiceSpec
    signature: Signature
    decision: MethodDecision


@dataclass(slots=True)
class _Group:
    """One house × resource × method rule: the accounts sharing its volume."""

    resource: str
    service: str
    settings: CommonProperty
    facts: list[CommonFact]


def is_common(decision: MethodDecision) -> bool:
    """Whether a decided method is the house's common-property method (second pass)."""
    return decision.method == COMMON.name


def individual_volumes(rows: Sequence[PlanRow], volumes: np.ndarray, catalog: Catalog
                       ) -> dict[str, int]:
    """Σ of the first-pass volumes per service: rows whose volume is volume of their
    service (not hot water's heat, not area × norm)."""
    out: dict[str, int] = {}
    for row, volume in zip(rows, volumes.tolist(), strict=True):
        t = row.template
        if counts_as_volume(t.factor, t.component, catalog.volume_component(t.service)):
            out[t.service] = out.get(t.service, 0) + volume
    return out


def common_rows(facts: Sequence[CommonFact], house: House, period: Period, decider: Decider,
                templates: Templates, individual: dict[str, int]
                ) -> tuple[list[PlanRow], list[HouseTotal]]:
    """The rows of every common-property fact of the house and the house's totals."""
    groups: dict[tuple[str, str], _Group] = {}
    for fact in facts:
        settings = fact.decision.rule.then
        assert isinstance(settings, CommonProperty)  # is_common
        resource = fact.spec.common_of
        if resource is None:
            raise CalculationError(
                "bad_method", f"правило {fact.decision.rule.id}: способ common_property "
                f"только для услуг СОИ (common_of в services.yaml)",
                account=fact.account.number, service=fact.spec.code)
        key = (fact.spec.code, fact.decision.rule.id)
        groups.setdefault(key, _Group(resource, fact.spec.code, settings, [])).facts.append(fact)
    if not groups:
        return [], []
    first = groups[next(iter(groups))].facts[0]
    common_area = _common_area(house, first)
    plans = [_plan(g, period, decider, templates) for g in groups.values()]
    volumes = _volumes(list(groups.values()), plans, house, common_area, individual)
    rows: list[PlanRow] = []
    totals: list[HouseTotal] = []
    for group, plan, (vol, parts, total) in zip(groups.values(), plans, volumes, strict=True):
        totals.append(total)
        for fact, fact_rows in zip(group.facts, plan, strict=True):
            base = SituationFacts(fact.account, house, parts=parts, common=vol)
            rows += [PlanRow(r.account, r.provider, r.template, r.start, r.end, r.share, base)
                     for r in fact_rows]
    return rows, totals


def _common_area(house: House, fact: CommonFact) -> int:
    if house.common_area is None:
        raise CalculationError(
            "house_data_missing", "для расчёта на общее имущество нужна площадь помещений "
            "общего имущества дома (house.common_area)",
            account=fact.account.number, service=fact.spec.code)
    return to_micro(house.common_area)


def _plan(group: _Group, period: Period, decider: Decider, templates: Templates
          ) -> list[list[PlanRow]]:
    """The rows of each fact of the group (templates of the values in force on each part's
    first day; the house figures are filled in later)."""
    out: list[list[PlanRow]] = []
    for fact in group.facts:
        acc, service = fact.account.number, fact.spec.code
        rows: list[PlanRow] = []
        for comp in fact.spec.components:
            rules = decide_rules(decider, fact.signature, fact.spec, COMMON, fact.decision,
                                 comp, None, acc)
            changes = (d for v in rules.dated()
                       for d in v.change_dates(period.first_day, period.last_day))
            for start, end in split_days(period.first_day, period.last_day, changes):
                t = template_of(templates, rules, COMMON, fact.spec, comp, start, (acc, service))
                rows.append(PlanRow(acc, fact.service.provider, t, start, end,
                                    (days_inclusive(start, end), period.days),
                                    SituationFacts(fact.account, House())))
        out.append(rows)
    return out


def _volumes(groups: list[_Group], plans: list[list[list[PlanRow]]], house: House,
             common_area: int, individual: dict[str, int]
             ) -> list[tuple[int, tuple[int, ...], HouseTotal]]:
    """The house's volume for common needs of each group, by the kernel."""
    meters = {r.service: r for r in house.resources}
    n = len(groups)
    arrays = {k: np.zeros(n, np.int64) for k in ("house", "hist_sum", "hist_n", "individual",
                                                 "norm", "area")}
    flags = np.zeros(n, np.int8)
    months: list[int] = []
    for i, (group, plan) in enumerate(zip(groups, plans, strict=True)):
        meter = meters.get(group.resource, HouseResource(service=group.resource))
        volume = meter.period_volume
        history = [to_micro(v) for v in meter.previous_volumes[:group.settings.history_months]]
        arrays["house"][i] = UNKNOWN if volume is None else to_micro(volume)
        arrays["hist_sum"][i], arrays["hist_n"][i] = sum(history), len(history)
        months.append(len(history))
        arrays["individual"][i] = individual.get(group.resource, 0) + to_micro(
            meter.other_volume)
        arrays["norm"][i] = plan[0][0].template.norm
        arrays["area"][i] = common_area
        flags[i] = _flags(group.settings, house.common_cap_lifted)
    out = common_arrays(arrays["house"], arrays["hist_sum"], arrays["hist_n"],
                        arrays["individual"], arrays["norm"], arrays["area"], flags)
    result: list[tuple[int, tuple[int, ...], HouseTotal]] = []
    total_area = to_micro(house.total_area) if house.total_area else 0
    for i, group in enumerate(groups):
        if out.status[i] != OK:
            raise CalculationError(
                "overflow", "объём на общее имущество вне допустимого диапазона — проверьте "
                "показания ОДПУ и площади", account=group.facts[0].account.number,
                service=group.service)
        source, outcome = int(out.source[i]), int(out.outcome[i])
        parts = (source * 4 + outcome, int(out.used[i]), int(arrays["individual"][i]),
                 int(out.cap[i]), int(arrays["norm"][i]), common_area, months[i])
        assert len(parts) == WIDTH
        total = HouseTotal(
            resource=group.resource, service=group.service,
            house_volume=None if SOURCES[source] == "norm" else format_micro(int(out.used[i])),
            source=SOURCES[source], individual_volume=format_micro(parts[2]),
            common_area=format_micro(common_area), total_area=format_micro(total_area),
            cap=format_micro(int(out.cap[i])),
            cap_lifted=bool(flags[i] & CAP_LIFTED), outcome=OUTCOMES[outcome],
            common_volume=format_micro(int(out.volume[i])))
        result.append((int(out.volume[i]), parts, total))
    return result


def _flags(settings: CommonProperty, lifted_by_decision: bool) -> int:
    lifted = settings.cap == "none" or (settings.cap == "decision" and lifted_by_decision)
    return ((CAP_LIFTED if lifted else 0)
            | (NEGATIVE_KEPT if settings.negative == "redistribute" else 0)
            | (AVERAGE_FALLBACK if settings.house_volume == "average" else 0))
