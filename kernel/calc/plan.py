"""Plan rows of the situation path: one per account × service × component/zone × part of the month.

A plan row is a row template (``template.py``: the decided rules' values on the part's first
day) and the facts of its account (:class:`SituationFacts`, read by the method by name). Rows
are cut at every date inside the month where a value in force changes (tariff, norm,
coefficient, quantity), and follow the method: one per active meter (``per_meter``), one per
run of residents (``by_persons``), else one for the month.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import numpy as np

from zhkh.kernel.calc.catalog import Catalog, ComponentSpec, ServiceSpec
from zhkh.kernel.calc.decide import Decider, MethodDecision
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.methods import DERIVED, Method, method_named
from zhkh.kernel.calc.methods.base import HISTORY, UNKNOWN, Rules, ValueAt
from zhkh.kernel.calc.methods.derived import counts_as_volume, source_parts
from zhkh.kernel.calc.observations import MeterInPeriod, Segment, ZoneReadings
from zhkh.kernel.calc.signature import Signature, build_signature
from zhkh.kernel.calc.situation import Account, AccountService, House
from zhkh.kernel.calc.template import (
    RowTemplate,
    decide_rules,
    derived_rules,
    make_template,
    zone_position,
    zones_of,
)
from zhkh.kernel.money import to_fixed, to_micro
from zhkh.kernel.period import Period, days_inclusive, split_days
from zhkh.kernel.rulebook.dated import DatedValues


@dataclass(frozen=True, slots=True)
class SituationFacts:
    """The facts of one row: its account and house, the meter (and zone) it reads, the
    residents of its days; :meth:`value` gives a column of ``methods.base.COLUMNS``."""

    account: Account
    house: House
    meter: MeterInPeriod | None = None
    zone: str | None = None
    persons: int = 0
    parts: tuple[int, ...] = ()
    common: int = UNKNOWN
    """The house's volume for common needs of the row's resource (``common_property``)."""
    shared: tuple[int, int, int, int, int] | None = None
    """The flat's shared meter: previous, current reading, weight, total, basis."""

    def value(self, name: str) -> int | list[int]:
        """The fact ``name`` of this row (UNKNOWN where the situation does not have it)."""
        match name:
            case "prev":
                z = self._zone()
                return _micro(z.previous.value if z and z.previous else None)
            case "cur":
                z = self._zone()
                return _micro(z.current.value if z and z.current else None)
            case "capacity":
                cap = self.meter.meter.capacity if self.meter else None
                return to_micro(cap) if cap is not None else 0
            case "history":
                z = self._zone()
                volumes = [to_micro(v) for v in z.history_volumes] if z else []
                return volumes + [UNKNOWN] * (HISTORY - len(volumes))
            case "persons":
                return self.persons
            case "area":
                return to_micro(self.account.area)
            case "house_volume":
                return _micro(self.house.heating_volume)
            case "house_total":
                return to_micro(self.house.total_area) if self.house.total_area else 0
            case "parts":
                return list(self.parts)
            case "common_volume":
                return self.common
            case "shared_prev" | "shared_cur" | "shared_weight" | "shared_total":
                if self.shared is None:
                    return UNKNOWN if name in ("shared_prev", "shared_cur") else 0
                return self.shared[("shared_prev", "shared_cur", "shared_weight",
                                    "shared_total").index(name)]
        raise KeyError(name)

    def _zone(self) -> ZoneReadings | None:
        if self.meter is None:
            return None
        return next(zr for zr in self.meter.zones if self.zone is None or zr.zone == self.zone)

    @property
    def meter_id(self) -> str:
        return self.meter.meter.id if self.meter else "?"


def _micro(value: Decimal | None) -> int:
    return UNKNOWN if value is None else to_micro(value)


@dataclass(slots=True)
class PlanRow:
    """A template, the account's facts and the part of the month (days / days of the share)."""

    account: str
    provider: str
    template: RowTemplate
    start: date
    end: date
    share: tuple[int, int]
    facts: SituationFacts


@dataclass(frozen=True, slots=True)
class _Base:
    """Days of the month a row covers before cutting at value changes, and its facts."""

    start: date
    end: date
    share_den: int
    facts: SituationFacts


def value_at(day: date, where: tuple[str, str]) -> ValueAt:
    """Values in force on ``day``; none yet is an error naming the rule and the account."""
    def value(values: DatedValues, what: str, rule_id: str, *, places: int = 6) -> int:
        v = values.at(day)
        if v is None:
            raise CalculationError(
                "no_value",
                f"у правила {rule_id} нет значения ({what}) на {day.isoformat()}: первое "
                f"значение действует с {values.steps[0][0].isoformat()}",
                account=where[0], service=where[1],
            )
        return to_fixed(v, places)
    return value


def _parts(rules: Rules, start: date, end: date) -> list[tuple[date, date]]:
    """``[start, end]`` cut where one of the values the rules read changes."""
    return split_days(start, end, (d for v in rules.dated() for d in v.change_dates(start, end)))


Templates = dict[tuple[object, ...], RowTemplate]
"""Templates already made in one calculation, by what makes them: accounts of a house share
them (and so the explain patterns)."""


def template_of(cache: Templates, rules: Rules, method: Method, spec: ServiceSpec,
                comp: ComponentSpec, start: date, where: tuple[str, str]) -> RowTemplate:
    """The template of a whole-month row without zones (made once per ``cache``)."""
    return _template(cache, rules, method, spec, comp, None, 0, start, where)


def _template(cache: Templates, rules: Rules, method: Method, spec: ServiceSpec,
              comp: ComponentSpec, zone: str | None, pos: int, start: date,
              where: tuple[str, str]) -> RowTemplate:
    """The template of ``rules`` with the values in force on ``start`` (made once)."""
    decision = rules.decision
    key = (method.name, rules.ids(), decision.history_months if decision else None,
           decision.season_months if decision else 0, spec.code, comp.code, zone, pos, start)
    found = cache.get(key)
    if found is None:
        found = cache[key] = make_template(rules, method, spec, comp, zone, pos,
                                           value_at(start, where))
    return found


@dataclass(slots=True)
class ServicePlanner:
    """Plans the rows of one account × service given the method decision."""

    decider: Decider
    period: Period
    house: House
    account: Account
    service_in: AccountService
    spec: ServiceSpec
    signature: Signature
    meters: list[MeterInPeriod]
    persons: list[Segment]
    templates: Templates = field(default_factory=dict)
    shared: tuple[int, int, int, int, int] | None = None
    """The flat's shared meter facts of a ``shared_meter`` row (``kernel/calc/shared.py``)."""

    def plan(self, decision: MethodDecision) -> list[PlanRow]:
        """All rows of this account × service; raises CalculationError on missing rules."""
        acc, service = self.account.number, self.service_in.service
        method = method_named(decision.method, decision.rule.id, acc, service)
        meter_zones = tuple(self.meters[0].meter.zones) if self.meters else ()
        rows: list[PlanRow] = []
        for comp in self.spec.components:
            for zone in zones_of(self.spec, method, meter_zones, acc):
                rules = decide_rules(self.decider, self.signature, self.spec, method, decision,
                                     comp, zone, acc)
                pos = zone_position(zone, meter_zones)
                for base in self._bases(method, zone):
                    rows += self._rows(rules, method, comp, zone, pos, base)
        return rows

    def _rows(self, rules: Rules, method: Method, comp: ComponentSpec, zone: str | None,
              pos: int, base: _Base) -> list[PlanRow]:
        where = (self.account.number, self.service_in.service)
        return [PlanRow(self.account.number, self.service_in.provider,
                        _template(self.templates, rules, method, self.spec, comp, zone, pos,
                                  start, where),
                        start, end, (days_inclusive(start, end), base.share_den), base.facts)
                for start, end in _parts(rules, base.start, base.end)]

    def _bases(self, method: Method, zone: str | None) -> list[_Base]:
        p = self.period
        facts = SituationFacts(self.account, self.house, self.meters[0] if self.meters else None,
                               zone)
        if self.shared is not None:
            prev, cur, _w, _t, basis = self.shared
            facts = replace(facts, shared=self.shared, parts=(basis, prev, cur))
        if method.per_meter:
            return [_Base(m.start, m.end, m.days,
                          SituationFacts(self.account, self.house, m, zone))
                    for m in self.meters]
        if method.by_persons:
            return [_Base(s.start, s.end, p.days,
                          SituationFacts(self.account, self.house, facts.meter, zone, s.value))
                    for s in self.persons if s.value > 0]
        return [_Base(p.first_day, p.last_day, p.days, facts)]


def derived_rows(derived: list[tuple[Account, AccountService]], decider: Decider,
                 catalog: Catalog, house: House, period: Period,
                 templates: Templates) -> list[PlanRow]:
    """Rows of services whose volume is the sum of other services' volumes (wastewater), before
    their sources' volumes are known (:func:`with_parts` adds them)."""
    out: list[PlanRow] = []
    for account, service_in in derived:
        spec = catalog.service(service_in.service, account.number)
        sig = build_signature(house, account, service_in, [], period)
        rules = derived_rules(decider, sig, spec, account.number)
        base = _Base(period.first_day, period.last_day, period.days,
                     SituationFacts(account, house))
        where = (account.number, service_in.service)
        for start, end in _parts(rules, base.start, base.end):
            template = _template(templates, rules, DERIVED, spec, spec.components[0], None, 0,
                                 start, where)
            out.append(PlanRow(account.number, service_in.provider, template, start, end,
                               (days_inclusive(start, end), base.share_den), base.facts))
    return out


def with_parts(derived: list[PlanRow], rows: list[PlanRow], volumes: np.ndarray,
               catalog: Catalog) -> list[PlanRow]:
    """The second-pass rows with the volumes of their sources among the first-pass ``rows``
    (``volumes`` are theirs): per account, the sum of each source service's volume rows."""
    owners: dict[str, int] = {}
    services: dict[str, int] = {}
    templates = [r.template for r in rows]
    owner = np.array([owners.setdefault(r.account, len(owners)) for r in rows], dtype=np.int64)
    service = np.array([services.setdefault(t.service, len(services)) for t in templates],
                       dtype=np.int64)
    counted = np.array([counts_as_volume(t.factor, t.component,
                                         catalog.volume_component(t.service))
                        for t in templates], dtype=bool)
    d_owner = np.array([owners.setdefault(r.account, len(owners)) for r in derived],
                       dtype=np.int64)
    sources = [tuple(services.get(s, -1) for s in
                     catalog.service(r.template.service, r.account).derived_from)
               for r in derived]
    parts = source_parts(owner, service, volumes.astype(np.int64), counted, d_owner,
                         np.arange(len(derived)), sources)
    return [replace(r, facts=replace(r.facts, parts=tuple(p))) for r, p in
            zip(derived, parts.tolist(), strict=True)]
