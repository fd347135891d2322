"""Row templates: everything of a plan row that does not depend on the account's facts.

A template is built from the rules decided for one component (and zone) of a fact and the
dated values in force: the method's constants (``methods``), the price, the coefficient, the
rule ids, units and source. Both paths build templates here: the situation path one per part of
the month (values read on the part's first day), the monthly run one per distinct signature
(values that must not change inside the month).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhkh.kernel.calc.catalog import ComponentSpec, ServiceSpec
from zhkh.kernel.calc.decide import Decider, MethodDecision
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.methods import DERIVED, METHODS, Method
from zhkh.kernel.calc.methods.base import Constants, Rules, ValueAt, norm_factor
from zhkh.kernel.calc.signature import Signature
from zhkh.kernel.money import MICRO


@dataclass(kw_only=True, slots=True)
class RowTemplate(Constants):
    """The method's constants plus the rest of a row that is the same for every account."""

    service: str
    component: str | None
    zone: str | None
    zone_pos: int
    """Position of the zone among the meter's zones (0 without zones)."""
    method: str
    kernel_method: int
    price: int
    coef: int
    rule_ids: tuple[str, ...]
    source: str
    unit: str
    base_unit: str

    @property
    def kind(self) -> Method:
        return METHODS[self.method]


def zones_of(spec: ServiceSpec, method: Method, meter_zones: tuple[str, ...],
             account: str) -> list[str | None]:
    """The zones a fact of ``spec`` is calculated by: none for a service without zones; the
    meter's for a method following the meter (they must be one of the service's schemes);
    else the single-zone scheme."""
    if not spec.zones:
        return [None]
    if method.reads_meter and meter_zones:
        if meter_zones != spec.zone_schemes.get(len(meter_zones)):
            raise CalculationError(
                "bad_zones",
                f"зоны прибора {list(meter_zones)} не совпадают со схемой зон услуги: "
                f"{ {k: list(v) for k, v in spec.zone_schemes.items()} }",
                account=account, service=spec.code,
            )
        return list(meter_zones)
    return list(spec.zone_schemes.get(1, ("single",)))


def decide_rules(decider: Decider, sig: Signature, spec: ServiceSpec, method: Method,
                 decision: MethodDecision, comp: ComponentSpec, zone: str | None,
                 account: str) -> Rules:
    """The tariff and norms of one component and zone of a fact, in this order (the first
    missing one is the error)."""
    tariff = decider.tariff(sig, comp.code, zone, account)
    norm = None
    if method.volume_norm:
        volume = next((c.code for c in spec.components if not c.factor_norm), None)
        norm = decider.norm(sig, volume, account)
    comp_norm = decider.norm(sig, comp.code, account) if comp.factor_norm else None
    return Rules(decision, tariff, norm, comp_norm)


def derived_rules(decider: Decider, sig: Signature, spec: ServiceSpec, account: str) -> Rules:
    """The tariff of a service whose volume is the sum of others' (no method rule)."""
    return Rules(None, decider.tariff(sig, spec.components[0].code, None, account))


def make_template(rules: Rules, method: Method, spec: ServiceSpec, comp: ComponentSpec,
                  zone: str | None, zone_pos: int, value: ValueAt) -> RowTemplate:
    """The template of ``rules`` with the values ``value`` reads, in a fixed order: the
    method's constants, the component's norm, the coefficient, the tariff."""
    consts = method.constants(rules, value)
    if rules.comp_norm is not None:
        consts.factor, consts.factor_den = norm_factor(value, rules.comp_norm.values,
                                                       rules.comp_norm.id)
        consts.factor_unit = rules.comp_norm.unit
    decision = rules.decision
    coef = MICRO if decision is None else value(decision.coefficient, "коэффициент",
                                                decision.rule.id)
    price = value(rules.tariff.values, "тариф", rules.tariff.id)
    return RowTemplate(
        factor=consts.factor, factor_den=consts.factor_den, factor_unit=consts.factor_unit,
        season_months=consts.season_months, norm=consts.norm, norm_den=consts.norm_den,
        quantity=consts.quantity, history_take=consts.history_take,
        service=spec.code, component=comp.code, zone=zone, zone_pos=zone_pos,
        method=method.name, kernel_method=method.kernel, price=price, coef=coef,
        rule_ids=rules.ids(),
        source=spec.derived_source if decision is None else decision.rule.source,
        unit=comp.unit, base_unit=spec.unit)


def zone_position(zone: str | None, meter_zones: tuple[str, ...]) -> int:
    """Where ``zone`` is among the meter's zones (0 when it is not one of them)."""
    return meter_zones.index(zone) if zone is not None and zone in meter_zones else 0


__all__ = ["DERIVED", "RowTemplate", "decide_rules", "derived_rules", "make_template",
           "zone_position", "zones_of"]
