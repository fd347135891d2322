"""Row templates of one distinct signature for the columnar path (``plan.ServicePlanner`` rules).

A template is everything of a plan row that does not depend on the account: component, zone,
method, kernel method, factor, price, coefficient, rule ids, units, source, the norm per
person, the quantity of a fixed fee, how many history months the average takes. The planner
answers None when the signature cannot be calculated as one whole-month row per template (a
dated value changes inside the month, a value is missing, no rule or an ambiguous rule, an
unknown method or zone scheme): the facts of that signature go to the per-situation path.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhkh.kernel.calc.catalog import ServiceSpec
from zhkh.kernel.calc.columnar_explain import ExplainTemplate
from zhkh.kernel.calc.decide import Decider, MethodDecision
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.charges import AVERAGE, METER, QUANTITY, SHARE
from zhkh.kernel.money import MICRO, to_micro
from zhkh.kernel.period import Period

KERNEL = {"meter": METER, "average": AVERAGE, "norm": QUANTITY, "area": QUANTITY,
          "area_norm": QUANTITY, "house_share": SHARE, "fixed": QUANTITY, "derived": QUANTITY}


@dataclass(slots=True)
class RowTemplate:
    """One row per fact of the signature; ``fill`` says where a, b, c come from."""

    service: str
    component: str | None
    zone: str | None
    zone_pos: int
    method: str
    kernel_method: int
    factor: int
    price: int
    coef: int
    rule_ids: tuple[str, ...]
    source: str
    unit: str
    base_unit: str
    factor_unit: str
    norm: int = 0
    quantity: int = MICRO
    history_take: int = 12
    explain: ExplainTemplate | None = None


class _Slow(Exception):
    """This signature cannot take the columnar path."""


class GroupPlanner:
    """Templates per distinct signature of one period."""

    def __init__(self, decider: Decider, period: Period, specs: list[ServiceSpec | None]):
        self.decider, self.period, self.specs = decider, period, specs
        self.first, self.last = period.first_day, period.last_day

    def plan(self, sig: dict, service: int, zones: tuple[str, ...], derived: bool,
             account: str) -> list[RowTemplate] | None:
        """Templates of the signature, or None when its facts must take the slow path."""
        spec = self.specs[service]
        if spec is None:
            return None
        try:
            if derived:
                return [self._derived(sig, spec, account)]
            decision = self.decider.method(sig, account)
            return [self._template(sig, spec, decision, comp, zone, zones, account)
                    for comp in spec.components
                    for zone in self._zones(spec, decision.method, zones)]
        except (CalculationError, _Slow):
            return None

    def _zones(self, spec: ServiceSpec, method: str, zones: tuple[str, ...]) -> list:
        if not spec.zones:
            return [None]
        if method in ("meter", "average") and zones:
            if zones != spec.zone_schemes.get(len(zones)):
                raise _Slow
            return list(zones)
        return list(spec.zone_schemes.get(1, ("single",)))

    def _value(self, values, *, constant: bool = True) -> int:
        """The value in force on the first day; a change inside the month is refused."""
        if constant and values.change_dates(self.first, self.last):
            raise _Slow
        v = values.at(self.first)
        if v is None:
            raise _Slow
        return to_micro(v)

    def _template(self, sig: dict, spec: ServiceSpec, decision: MethodDecision, comp, zone,
                  zones: tuple[str, ...], account: str) -> RowTemplate:
        method = decision.method
        if method not in KERNEL or method == "derived":
            raise _Slow
        tariff = self.decider.tariff(sig, comp.code, zone, account)
        norm = None
        if method in ("norm", "area_norm"):
            volume_comp = next((c.code for c in spec.components if not c.factor_norm), None)
            norm = self.decider.norm(sig, volume_comp, account)
        comp_norm = self.decider.norm(sig, comp.code, account) if comp.factor_norm else None
        factor, factor_unit, norm_v, quantity = MICRO, "", 0, MICRO
        if method == "norm":
            norm_v = self._value(norm.values)
        if method == "area_norm":
            factor, factor_unit = self._value(norm.values), norm.unit
        if method == "fixed" and decision.quantity is not None:
            quantity = self._value(decision.quantity)
        if comp_norm is not None:
            factor, factor_unit = self._value(comp_norm.values), comp_norm.unit
        coef = self._value(decision.coefficient)
        price = self._value(tariff.values)
        rule_ids = tuple(r.id for r in (decision.rule, tariff, norm, comp_norm) if r is not None)
        pos = zones.index(zone) if zone is not None and zone in zones else 0
        take = decision.history_months or 12
        t = RowTemplate(
            service=spec.code, component=comp.code, zone=zone, zone_pos=pos, method=method,
            kernel_method=KERNEL[method], factor=factor, price=price, coef=coef,
            rule_ids=rule_ids, source=decision.rule.source, unit=comp.unit,
            base_unit=spec.unit, factor_unit=factor_unit, norm=norm_v, quantity=quantity,
            history_take=take)
        t.explain = ExplainTemplate(method=method, base_unit=spec.unit, factor=factor,
                                    factor_unit=factor_unit, unit=comp.unit, coef=coef,
                                    price=price, source=t.source)
        return t

    def _derived(self, sig: dict, spec: ServiceSpec, account: str) -> RowTemplate:
        comp = spec.components[0]
        tariff = self.decider.tariff(sig, comp.code, None, account)
        return RowTemplate(
            service=spec.code, component=comp.code, zone=None, zone_pos=0, method="derived",
            kernel_method=QUANTITY, factor=MICRO, price=self._value(tariff.values), coef=MICRO,
            rule_ids=(tariff.id,), source=spec.derived_source, unit=comp.unit,
            base_unit=spec.unit, factor_unit="")
