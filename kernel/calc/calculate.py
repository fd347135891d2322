"""Situation → signatures → decisions → plan → kernel → lines with explain."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import numpy as np

from zhkh.kernel.calc.balance import penalty_lines
from zhkh.kernel.calc.catalog import Catalog
from zhkh.kernel.calc.common import CommonFact, common_rows, individual_volumes, is_common
from zhkh.kernel.calc.decide import Decider, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.explain import texts
from zhkh.kernel.calc.extras import extra_lines
from zhkh.kernel.calc.fact_rules import with_derived_facts
from zhkh.kernel.calc.heating_correction import correction_lines
from zhkh.kernel.calc.inputs import ExtrasInput
from zhkh.kernel.calc.methods import SHARED
from zhkh.kernel.calc.methods.base import TEMPLATE_COLUMNS, UNKNOWN
from zhkh.kernel.calc.observations import active_meters, check_verification, persons_segments
from zhkh.kernel.calc.plan import PlanRow, ServicePlanner, Templates, derived_rows, with_parts
from zhkh.kernel.calc.result import (
    AccountTotal,
    CalculationResult,
    HouseTotal,
    Line,
    ServiceTotal,
)
from zhkh.kernel.calc.rows import method_inputs, run_kernel
from zhkh.kernel.calc.shared import flat_totals, shared_facts
from zhkh.kernel.calc.signature import build_signature
from zhkh.kernel.calc.situation import Account, AccountService, Situation
from zhkh.kernel.charges import OK, OVERFLOW, READING_DECREASE
from zhkh.kernel.engine import Engine
from zhkh.kernel.money import format_kopecks, format_micro, to_kopecks
from zhkh.kernel.rulebook import Rulebook

__all__ = ["calculate", "engine_for"]


def calculate(situation: Situation, rulebook: Rulebook, engine: Engine) -> CalculationResult:
    """Charge lines of every account × service of the situation, with totals and explain.

    Raises CalculationError (with code, account, service) for facts no rule covers, readings
    that go down without a rollover, missing house data, or arithmetic overflow.
    """
    situation = with_derived_facts(situation, rulebook)
    catalog = Catalog(rulebook)
    decider = Decider(rulebook, engine)
    period = situation.period_value
    rows: list[PlanRow] = []
    derived: list[tuple[Account, AccountService]] = []
    common: list[CommonFact] = []
    templates: Templates = {}
    try:
        for account in situation.accounts:
            rows += _account_rows(situation, account, catalog, decider, derived, common,
                                  templates)
    except CalculationError:
        _inputs(rows)  # a row planned before that the method refuses is the first error
        raise
    first = _run(rows, _inputs(rows))
    lines = _lines(situation.period, rows, first)
    houses: list[HouseTotal] = []
    volumes = first.volume
    if common:
        shared, houses = common_rows(common, situation.house, period, decider, templates,
                                     individual_volumes(rows, first.volume, catalog))
        computed = _run(shared, _inputs(shared))
        lines += _lines(situation.period, shared, computed)
        rows, volumes = rows + shared, np.concatenate([first.volume, computed.volume])
    if derived:
        extra = derived_rows(derived, decider, catalog, situation.house, period, templates)
        extra = with_parts(extra, rows, volumes, catalog)
        lines += _lines(situation.period, extra, _run(extra, _inputs(extra)))
    extras = ExtrasInput(
        benefits=situation.benefits, absences=situation.absences, incidents=situation.incidents
    )
    if extras.benefits or extras.absences or extras.incidents:
        lines += extra_lines(situation, lines, extras, rulebook, engine)
    lines += correction_lines(situation, rulebook, engine)  # ф. 3(2), in its month only
    if situation.balance is not None:
        lines += penalty_lines(situation.balance, rulebook, situation.period)
    return _result(situation, rulebook, lines, houses)


def _account_rows(situation: Situation, account: Account, catalog: Catalog, decider: Decider,
                  derived: list[tuple[Account, AccountService]], common: list[CommonFact],
                  templates: Templates) -> list[PlanRow]:
    """Rows of the first pass of one account; its second-pass services go to ``derived``
    (a volume summed from other services) and ``common`` (the house's common property)."""
    period = situation.period_value
    shared = flat_totals(situation)
    persons = persons_segments(account, period)
    rows: list[PlanRow] = []
    for service_in in account.services:
        spec = catalog.service(service_in.service, account.number)
        if spec.derived_from:
            derived.append((account, service_in))
            continue
        check_verification(account.number, service_in.service, service_in.meters)
        meters = active_meters(service_in.meters, period)
        sig = build_signature(situation.house, account, service_in, meters, period)
        decision = decider.method(sig, account.number)
        if is_common(decision):
            common.append(CommonFact(account, service_in, spec, sig, decision))
            continue
        planner = ServicePlanner(
            decider, period, situation.house, account, service_in, spec, sig, meters, persons,
            templates,
        )
        if decision.method == SHARED.name:
            planner.shared = shared_facts(account, service_in, decision, shared, period)
        rows.extend(planner.plan(decision))
    return rows


Inputs = tuple[np.ndarray, np.ndarray, np.ndarray]


def _inputs(rows: list[PlanRow]) -> Inputs:
    """a, b, c of the rows by their methods; the first refused row is the error."""
    templates = [r.template for r in rows]

    def column(name: str, idx: np.ndarray) -> np.ndarray:
        if name in TEMPLATE_COLUMNS:
            return np.array([getattr(templates[i], name) for i in idx.tolist()], dtype=np.int64)
        return np.array([rows[i].facts.value(name) for i in idx.tolist()], dtype=np.int64)

    a, b, c, refused = method_inputs(templates, np.arange(len(rows)), column)
    if refused.any():
        row = rows[int(np.argmax(refused))]
        refusal = row.template.kind.refusal
        assert refusal is not None  # only a method with a refusal refuses rows
        raise refusal.error(row.account, row.template.service, row.facts.meter_id)
    return a, b, c


class Computed(NamedTuple):
    """What the rows put into the kernel and got out of it."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    volume: np.ndarray
    amount: np.ndarray
    plain: np.ndarray


def _run(rows: list[PlanRow], inputs: Inputs) -> Computed:
    """a, b, c, volume, amount, plain of the rows; a bad kernel status is the error."""
    a, b, c = inputs
    out = run_kernel([r.template for r in rows], np.arange(len(rows)), a, b, c,
                     np.array([r.share[0] for r in rows], dtype=np.int32),
                     np.array([r.share[1] for r in rows], dtype=np.int32))
    bad = np.nonzero(out.status != OK)[0]
    if len(bad):
        i = int(bad[0])
        _raise_status(rows[i], int(out.status[i]), int(a[i]), int(b[i]))
    return Computed(a, b, c, out.volume, out.amount, out.plain)


def _raise_status(row: PlanRow, status: int, a: int, b: int) -> None:
    service = row.template.service
    if status == READING_DECREASE:
        raise CalculationError(
            "reading_decrease",
            f"текущее показание {format_micro(b)} меньше предыдущего {format_micro(a)}, "
            "а переход через ноль невозможен (не указана ёмкость прибора или показания вне её)",
            account=row.account, service=service,
        )
    if status == OVERFLOW:
        raise CalculationError(
            "overflow", "сумма или объём вне допустимого диапазона — проверьте исходные данные",
            account=row.account, service=service,
        )
    raise CalculationError(
        "bad_input", "недопустимые исходные данные для расчёта (нулевая площадь дома и т. п.)",
        account=row.account, service=service,
    )


def _result(situation: Situation, rulebook: Rulebook, lines: list[Line],
            houses: list[HouseTotal]) -> CalculationResult:
    by_service: dict[tuple[str, str], int] = defaultdict(int)
    by_account: dict[str, int] = defaultdict(int)
    for line in lines:
        kopecks = to_kopecks(line.amount)
        by_service[(line.account, line.service)] += kopecks
        by_account[line.account] += kopecks
    return CalculationResult(
        period=situation.period,
        rulebook_version=rulebook.version,
        lines=lines,
        service_totals=[
            ServiceTotal(account=a, service=s, amount=format_kopecks(v))
            for (a, s), v in by_service.items()
        ],
        account_totals=[
            AccountTotal(account=a, amount=format_kopecks(v)) for a, v in by_account.items()
        ],
        total=format_kopecks(sum(by_account.values())),
        houses=houses,
    )


def _lines(period: str, rows: list[PlanRow], computed: Computed) -> list[Line]:
    """The lines of the rows with their explain."""
    a, b, c, volume, amount, plain = computed
    templates = [r.template for r in rows]
    persons = np.array([r.facts.persons for r in rows], dtype=np.int64)
    width = max((len(r.facts.parts) for r in rows), default=0)
    parts = [np.array([(r.facts.parts + (UNKNOWN,) * width)[k] for r in rows], dtype=np.int64)
             for k in range(width)]
    share_num, share_den = (np.array([r.share[k] for r in rows], dtype=np.int64) for k in (0, 1))
    explain = texts(templates, np.arange(len(rows)),
                    [a, b, c, persons, volume, amount, share_num, share_den, *parts],
                    share_num != share_den)
    return [_line(period, r, v, m, p, e) for r, v, m, p, e in zip(
        rows, volume.tolist(), amount.tolist(), plain.tolist(), explain, strict=True)]


def _line(period: str, r: PlanRow, volume: int, amount: int, plain: int, explain: str) -> Line:
    t = r.template
    by_persons = t.kind.by_persons
    return Line(
        account=r.account, service=t.service, component=t.component, zone=t.zone,
        provider=r.provider, period=period, date_from=r.start.isoformat(),
        date_to=r.end.isoformat(), method=t.method, rule_ids=list(t.rule_ids), source=t.source,
        volume=format_micro(volume), unit=t.unit,
        persons=r.facts.persons if by_persons else None,
        norm=t.norm_text if by_persons else None,
        tariff=format_micro(t.price),
        coefficient=format_micro(t.coef), amount=format_kopecks(amount),
        excess=format_kopecks(amount - plain), explain=explain,
    )
