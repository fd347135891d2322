"""Situation → signatures → decisions → plan → kernel → lines with explain."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from zhkh.kernel.calc.balance import penalty_lines
from zhkh.kernel.calc.catalog import Catalog
from zhkh.kernel.calc.decide import Decider, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.explain import formula
from zhkh.kernel.calc.extras import extra_lines
from zhkh.kernel.calc.fact_rules import with_derived_facts
from zhkh.kernel.calc.inputs import ExtrasInput
from zhkh.kernel.calc.observations import active_meters, check_verification, persons_segments
from zhkh.kernel.calc.plan import PlanRow, ServicePlanner, derived_rows
from zhkh.kernel.calc.result import AccountTotal, CalculationResult, Line, ServiceTotal
from zhkh.kernel.calc.signature import build_signature
from zhkh.kernel.calc.situation import Account, AccountService, Situation
from zhkh.kernel.charges import OK, OVERFLOW, READING_DECREASE, compute_arrays
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
    for account in situation.accounts:
        persons = persons_segments(account, period)
        for service_in in account.services:
            spec = catalog.service(service_in.service, account.number)
            if spec.derived_from:
                derived.append((account, service_in))
                continue
            check_verification(account.number, service_in.service, service_in.meters)
            meters = active_meters(service_in.meters, period)
            sig = build_signature(situation.house, account, service_in, meters, period)
            decision = decider.method(sig, account.number)
            planner = ServicePlanner(
                decider, period, situation.house, account, service_in, spec, sig, meters, persons
            )
            rows.extend(planner.plan(decision))
    volumes, amounts, plains = _run(rows)
    if derived:
        extra = derived_rows(
            derived, rows, volumes, decider, catalog, situation.house, period
        )
        v2, a2, p2 = _run(extra)
        rows += extra
        volumes, amounts, plains = (
            np.concatenate([volumes, v2]), np.concatenate([amounts, a2]),
            np.concatenate([plains, p2]),
        )
    lines = [
        _line(situation.period, r, vol, amt, plain)
        for r, vol, amt, plain in zip(
            rows, volumes.tolist(), amounts.tolist(), plains.tolist(), strict=True
        )
    ]
    extras = ExtrasInput(
        benefits=situation.benefits, absences=situation.absences, incidents=situation.incidents
    )
    if extras.benefits or extras.absences or extras.incidents:
        lines += extra_lines(situation, lines, extras, rulebook, engine)
    if situation.balance is not None:
        lines += penalty_lines(situation.balance, rulebook, situation.period)
    return _result(situation, rulebook, lines)


def _run(rows: list[PlanRow]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Build the decision table and the columns, run the kernel, turn bad statuses into errors."""
    table: dict[tuple[int, int, int, int], int] = {}
    dec = np.empty(len(rows), dtype=np.int32)
    for i, r in enumerate(rows):
        key = (r.kernel_method, r.factor, r.price, r.coef)
        dec[i] = table.setdefault(key, len(table))
    keys = list(table)
    out = compute_arrays(
        dec,
        np.array([r.a for r in rows], dtype=np.int64),
        np.array([r.b for r in rows], dtype=np.int64),
        np.array([r.c for r in rows], dtype=np.int64),
        np.array([r.share[0] for r in rows], dtype=np.int32),
        np.array([r.share[1] for r in rows], dtype=np.int32),
        np.array([k[0] for k in keys], dtype=np.int8),
        np.array([k[1] for k in keys], dtype=np.int64),
        np.array([k[2] for k in keys], dtype=np.int64),
        np.array([k[3] for k in keys], dtype=np.int64),
    )
    bad = np.nonzero(out.status != OK)[0]
    if len(bad):
        _raise_status(rows[int(bad[0])], int(out.status[bad[0]]))
    return out.volume, out.amount, out.plain


def _raise_status(row: PlanRow, status: int) -> None:
    if status == READING_DECREASE:
        raise CalculationError(
            "reading_decrease",
            f"текущее показание {format_micro(row.b)} меньше предыдущего {format_micro(row.a)}, "
            "а переход через ноль невозможен (не указана ёмкость прибора или показания вне её)",
            account=row.account, service=row.service,
        )
    if status == OVERFLOW:
        raise CalculationError(
            "overflow", "сумма или объём вне допустимого диапазона — проверьте исходные данные",
            account=row.account, service=row.service,
        )
    raise CalculationError(
        "bad_input", "недопустимые исходные данные для расчёта (нулевая площадь дома и т. п.)",
        account=row.account, service=row.service,
    )


def _result(situation: Situation, rulebook: Rulebook, lines: list[Line]) -> CalculationResult:
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
    )


def _line(period: str, r: PlanRow, volume: int, amount: int, plain: int) -> Line:
    explain = formula(
        method=r.method, inputs=r.explain_inputs, base_unit=r.base_unit, factor=r.factor,
        factor_unit=r.factor_unit, share=r.share, volume=volume, unit=r.unit, coef=r.coef,
        price=r.price, amount=amount, source=r.source,
    )
    return Line(
        account=r.account, service=r.service, component=r.component, zone=r.zone,
        provider=r.provider, period=period, date_from=r.start.isoformat(),
        date_to=r.end.isoformat(), method=r.method, rule_ids=list(r.rule_ids), source=r.source,
        volume=format_micro(volume), unit=r.unit,
        persons=r.explain_inputs.get("persons"),
        norm=format_micro(r.explain_inputs["norm"]) if "norm" in r.explain_inputs else None,
        tariff=format_micro(r.price),
        coefficient=format_micro(r.coef), amount=format_kopecks(amount),
        excess=format_kopecks(amount - plain), explain=explain,
    )
