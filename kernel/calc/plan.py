"""Plan rows: one per account × service × component/zone × part of the period.

A plan row carries the kernel inputs (method, a, b, c, share) and the decision (factor,
price, coefficient) with everything the explain needs. Rows are cut at every date inside
the month where a value in force changes (tariff, norm, coefficient, residents, meter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from zhkh.kernel.calc.catalog import ComponentSpec, ServiceSpec
from zhkh.kernel.calc.decide import Decider, MethodDecision
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.observations import MeterInPeriod, Segment
from zhkh.kernel.calc.signature import Signature, build_signature
from zhkh.kernel.calc.situation import Account, AccountService, House
from zhkh.kernel.charges import AVERAGE, METER, QUANTITY, SHARE
from zhkh.kernel.money import MICRO, to_micro
from zhkh.kernel.period import Period, days_inclusive
from zhkh.kernel.rulebook.dated import DatedValues


@dataclass(slots=True)
class PlanRow:
    """Kernel inputs of one row plus what the line and its explain need."""

    account: str
    service: str
    component: str | None
    zone: str | None
    provider: str
    method: str
    kernel_method: int
    a: int
    b: int
    c: int
    share: tuple[int, int]
    factor: int
    price: int
    coef: int
    start: date
    end: date
    rule_ids: tuple[str, ...]
    source: str
    unit: str
    base_unit: str
    factor_unit: str
    explain_inputs: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BaseRow:
    """A quantity over a day range before cutting by value changes."""

    kernel_method: int
    start: date
    end: date
    share_den: int
    a: int = 0
    b: int = 0
    c: int = 0
    persons: int = 0


def _dated_at(values: DatedValues, day: date, what: str, rule_id: str,
              where: tuple[str | None, str | None] = (None, None)) -> Decimal:
    """The value in force on ``day``; none yet is an error naming the rule (and the account)."""
    v = values.at(day)
    if v is None:
        raise CalculationError(
            "no_value",
            f"у правила {rule_id} нет значения ({what}) на {day.isoformat()}: первое значение "
            f"действует с {values.steps[0][0].isoformat()}",
            account=where[0], service=where[1],
        )
    return v


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

    def plan(self, decision: MethodDecision) -> list[PlanRow]:
        """All rows of this account × service; raises CalculationError on missing facts."""
        rows: list[PlanRow] = []
        for comp in self.spec.components:
            for zone in self._zones(decision.method):
                rows.extend(self._component_rows(decision, comp, zone))
        return rows

    def _zones(self, method: str) -> list[str | None]:
        if not self.spec.zones:
            return [None]
        if method in ("meter", "average") and self.meters:
            zones = tuple(self.meters[0].meter.zones)
            if zones != self.spec.zone_schemes.get(len(zones)):
                raise CalculationError(
                    "bad_zones",
                    f"зоны прибора {list(zones)} не совпадают со схемой зон услуги: "
                    f"{ {k: list(v) for k, v in self.spec.zone_schemes.items()} }",
                    account=self.account.number, service=self.service_in.service,
                )
            return list(zones)
        return list(self.spec.zone_schemes.get(1, ("single",)))

    def _component_rows(
        self, decision: MethodDecision, comp: ComponentSpec, zone: str | None
    ) -> list[PlanRow]:
        acc = self.account.number
        tariff = self.decider.tariff(self.signature, comp.code, zone, acc)
        norm = None
        if decision.method in ("norm", "area_norm"):
            volume_comp = next((c.code for c in self.spec.components if not c.factor_norm), None)
            norm = self.decider.norm(self.signature, volume_comp, acc)
        comp_norm = self.decider.norm(self.signature, comp.code, acc) if comp.factor_norm else None
        rows: list[PlanRow] = []
        for base in self._base_rows(decision, zone):
            watched = [tariff.values, decision.coefficient]
            if decision.quantity is not None:
                watched.append(decision.quantity)
            watched += [n.values for n in (norm, comp_norm) if n is not None]
            for start, end in _cut(base.start, base.end, watched):
                rows.append(
                    self._row(decision, comp, zone, base, start, end, tariff, norm, comp_norm)
                )
        return rows

    def _row(self, decision, comp, zone, base, start, end, tariff, norm, comp_norm) -> PlanRow:
        where = (self.account.number, self.service_in.service)

        def at(values: DatedValues, what: str, rule_id: str) -> Decimal:
            return _dated_at(values, start, what, rule_id, where)

        a, b, c = base.a, base.b, base.c
        explain: dict[str, int] = {"a": a, "b": b, "c": c}
        factor = MICRO
        factor_unit = ""
        if decision.method == "norm":
            norm_v = to_micro(at(norm.values, "норматив", norm.id))
            a = base.persons * norm_v
            explain.update(persons=base.persons, norm=norm_v)
        if decision.method == "area_norm":
            factor = to_micro(at(norm.values, "норматив", norm.id))
            factor_unit = norm.unit
        if decision.method == "fixed" and decision.quantity is not None:
            a = to_micro(at(decision.quantity, "количество", decision.rule.id))
            explain["a"] = a
        if comp_norm is not None:
            factor = to_micro(at(comp_norm.values, "норматив", comp_norm.id))
            factor_unit = comp_norm.unit
        coef = to_micro(at(decision.coefficient, "коэффициент", decision.rule.id))
        price = to_micro(at(tariff.values, "тариф", tariff.id))
        rule_ids = tuple(
            r.id for r in (decision.rule, tariff, norm, comp_norm) if r is not None
        )
        share = (days_inclusive(start, end), base.share_den)
        return PlanRow(
            account=self.account.number,
            service=self.service_in.service,
            component=comp.code,
            zone=zone,
            provider=self.service_in.provider,
            method=decision.method,
            kernel_method=base.kernel_method,
            a=a,
            b=b,
            c=c,
            share=share,
            factor=factor,
            price=price,
            coef=coef,
            start=start,
            end=end,
            rule_ids=rule_ids,
            source=decision.rule.source,
            unit=comp.unit,
            base_unit=self.spec.unit,
            factor_unit=factor_unit,
            explain_inputs=explain,
        )

    def _base_rows(self, decision: MethodDecision, zone: str | None) -> list[BaseRow]:
        p, dim = self.period, self.period.days
        match decision.method:
            case "meter":
                return [self._meter_row(m, zone) for m in self.meters]
            case "average":
                return [self._average_row(decision, zone)]
            case "norm":
                return [
                    BaseRow(QUANTITY, s.start, s.end, dim, persons=s.value)
                    for s in self.persons
                    if s.value > 0
                ]
            case "area" | "area_norm":
                area = to_micro(self.account.area)
                return [BaseRow(QUANTITY, p.first_day, p.last_day, dim, a=area)]
            case "house_share":
                return [self._house_share_row()]
            case "fixed":
                return [BaseRow(QUANTITY, p.first_day, p.last_day, dim, a=MICRO)]
        raise CalculationError(
            "bad_method",
            f"правило {decision.rule.id} называет неизвестный способ расчёта {decision.method}",
            account=self.account.number,
            service=self.service_in.service,
        )

    def _meter_row(self, m: MeterInPeriod, zone: str | None) -> BaseRow:
        z = next(zr for zr in m.zones if zone is None or zr.zone == zone)
        if z.previous is None or z.current is None:
            raise CalculationError(
                "readings_missing",
                f"для расчёта по прибору {m.meter.id} нет показаний за период",
                account=self.account.number,
                service=self.service_in.service,
            )
        cap = to_micro(m.meter.capacity) if m.meter.capacity is not None else 0
        return BaseRow(
            METER, m.start, m.end, m.days,
            a=to_micro(z.previous.value), b=to_micro(z.current.value), c=cap,
        )

    def _average_row(self, decision: MethodDecision, zone: str | None) -> BaseRow:
        p = self.period
        m = self.meters[0]
        z = next(zr for zr in m.zones if zone is None or zr.zone == zone)
        months = decision.history_months or len(z.history_volumes)
        volumes = z.history_volumes[:months]
        if not volumes:
            raise CalculationError(
                "no_history",
                f"нет истории показаний прибора {m.meter.id} для расчёта по среднему",
                account=self.account.number,
                service=self.service_in.service,
            )
        total = sum(to_micro(v) for v in volumes)
        return BaseRow(AVERAGE, p.first_day, p.last_day, p.days, a=total, b=len(volumes))

    def _house_share_row(self) -> BaseRow:
        h, p = self.house, self.period
        if h.heating_volume is None or not h.total_area:
            raise CalculationError(
                "house_data_missing",
                "для расчёта по общедомовому прибору нужны объём за период (house.heating_volume)"
                " и площадь всех помещений дома (house.total_area)",
                account=self.account.number,
                service=self.service_in.service,
            )
        return BaseRow(
            SHARE, p.first_day, p.last_day, p.days,
            a=to_micro(h.heating_volume), b=to_micro(self.account.area), c=to_micro(h.total_area),
        )


def _cut(start: date, end: date, values: list[DatedValues]) -> list[tuple[date, date]]:
    """Split ``[start, end]`` at every date where one of the dated values changes."""
    cuts = sorted({d for v in values for d in v.change_dates(start, end)})
    ranges: list[tuple[date, date]] = []
    s = start
    for d in cuts:
        ranges.append((s, d - timedelta(days=1)))
        s = d
    ranges.append((s, end))
    return ranges


def derived_rows(derived, rows, volumes, decider, catalog, house, period) -> list[PlanRow]:
    """Rows of services whose volume is the sum of other services' volumes (wastewater).

    The source volume of an account is the sum of the volumes of its rows of the source
    services' volume components (hot water's heat component is not a volume of water).
    """
    totals: dict[tuple[str, str], int] = {}
    for r, vol in zip(rows, volumes.tolist(), strict=True):
        if r.factor != MICRO or r.component not in (None, catalog.volume_component(r.service)):
            continue
        totals[(r.account, r.service)] = totals.get((r.account, r.service), 0) + vol
    out: list[PlanRow] = []
    dim = period.days
    for account, service_in in derived:
        spec = catalog.service(service_in.service, account.number)
        sources = [(account.number, s) for s in spec.derived_from]
        per_source = [totals[k] for k in sources if k in totals]
        sig = build_signature(house, account, service_in, [], period)
        comp = spec.components[0]
        tariff = decider.tariff(sig, comp.code, None, account.number)
        for start, end in _cut(period.first_day, period.last_day, [tariff.values]):
            out.append(PlanRow(
                account=account.number, service=service_in.service, component=comp.code,
                zone=None, provider=service_in.provider, method="derived",
                kernel_method=QUANTITY, a=sum(per_source), b=0, c=0,
                share=(days_inclusive(start, end), dim), factor=MICRO,
                price=to_micro(_dated_at(tariff.values, start, "тариф", tariff.id,
                                         (account.number, service_in.service))), coef=MICRO,
                start=start, end=end, rule_ids=(tariff.id,), source=spec.derived_source,
                unit=comp.unit, base_unit=spec.unit, factor_unit="",
                explain_inputs={"parts": per_source},
            ))
    return out

