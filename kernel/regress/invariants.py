"""Properties every rulebook must keep, whatever its values: each named, with a Russian
explanation a methodologist reads in the report.

:func:`check` looks at one calculated situation and returns the violations found, each naming
the invariant, the account and service, and what was seen. The invariants are about the lines
of a :class:`~zhkh.kernel.calc.result.CalculationResult`; allocation is checked by splitting
the situation's payments over its lines with the rulebook's allocation policy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from zhkh.kernel.allocation import OpenLine, Payment, allocate
from zhkh.kernel.allocation.rulebook import allocation_policy_from_rulebook
from zhkh.kernel.calc.result import CalculationResult, Line
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.money import to_kopecks
from zhkh.kernel.penalties import PenaltyPolicyError, policy_from_rulebook
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook

EXPLANATIONS: dict[str, str] = {
    "charge_not_negative":
        "Строка начисления не бывает отрицательной: уменьшить плату может только перерасчёт, "
        "льгота или снижение за качество, отдельной строкой.",
    "reduction_within_line":
        "Снижение платы за качество и льгота не больше платы за услугу, к которой они "
        "относятся: итог по услуге не уходит в минус.",
    "allocation_sums":
        "Оплата распределяется без остатка и без лишнего: части по строкам плюс аванс равны "
        "сумме платежа, ни одна строка не оплачена сверх начисленного (ПП №354, п. 118).",
    "excess_is_line_minus_base":
        "Превышение из-за повышающего коэффициента (×1,5) равно строке минус ту же строку "
        "без коэффициента (объём × тариф); без коэффициента превышения нет.",
    "penalty_grace":
        "Пени не начисляются в льготные дни после срока оплаты (ЖК РФ ст. 155 ч. 14): "
        "дней с пенями не больше, чем дней просрочки минус льготные.",
    "kernel_equals_twin":
        "Скомпилированное ядро и его двойник на Decimal дают те же объёмы и суммы до копейки.",
    "common_within_cap":
        "Объём коммунального ресурса на содержание общего имущества (СОИ) не больше норматива "
        "на СОИ × площадь общего имущества, если общее собрание не решило распределять весь "
        "объём (ЖК РФ ст. 156 ч. 9.2; ПП №354, п. 44): ни объём дома, ни доля помещения "
        "(объём дома × площадь помещения / площадь всех помещений) не больше своей части "
        "норматива.",
    "line_has_rule_and_source":
        "У каждой строки есть правила, по которым она посчитана (и они есть в сборнике), "
        "и норма, которую она реализует.",
}
"""Built-in invariants by name, with what each guarantees (Russian, for the report)."""

REDUCTIONS = ("benefit", "quality_reduction")


@dataclass(frozen=True)
class Violation:
    """One invariant that does not hold on one situation."""

    invariant: str
    account: str | None
    service: str | None
    detail: str


def check(situation: Situation, result: CalculationResult, rulebook: Rulebook
          ) -> list[Violation]:
    """Violations of the built-in invariants (except the twin's, see ``regress.twin``) by the
    lines of ``result``, computed from ``situation`` with ``rulebook``."""
    found: list[Violation] = []
    found += _charges_not_negative(result.lines)
    found += _reductions_within_line(result.lines)
    found += _excess(result.lines)
    found += _rules_and_sources(result.lines, rulebook)
    found += _penalty_grace(situation, result.lines, rulebook)
    found += _allocation(situation, result.lines, rulebook)
    found += _common_within_cap(situation, result, rulebook)
    return found


def _kop(text: str) -> int:
    return to_kopecks(text)


def _charges_not_negative(lines: list[Line]) -> list[Violation]:
    return [Violation("charge_not_negative", ln.account, ln.service,
                      f"строка {ln.method} ({', '.join(ln.rule_ids)}) = {ln.amount} ₽")
            for ln in lines if ln.kind == "charge" and _kop(ln.amount) < 0]


def _reductions_within_line(lines: list[Line]) -> list[Violation]:
    charged: dict[tuple[str, str], int] = defaultdict(int)
    taken: dict[tuple[str, str, str], int] = defaultdict(int)
    total: dict[tuple[str, str], int] = defaultdict(int)
    for ln in lines:
        key = (ln.account, ln.service)
        total[key] += _kop(ln.amount)
        if ln.kind == "charge":
            charged[key] += _kop(ln.amount)
        elif ln.kind in REDUCTIONS:
            taken[(*key, ln.kind)] += _kop(ln.amount)
    found = []
    for (account, service, kind), amount in taken.items():
        base = charged[(account, service)]
        if amount > 0 or -amount > max(base, 0):
            found.append(Violation("reduction_within_line", account, service,
                                   f"{kind}: {_rub(amount)} ₽ при плате {_rub(base)} ₽"))
    for (account, service), amount in total.items():
        if amount < 0 and service != "penalty":
            found.append(Violation("reduction_within_line", account, service,
                                   f"итог по услуге {_rub(amount)} ₽ < 0"))
    return found


def _rub(kopecks: int) -> str:
    sign = "-" if kopecks < 0 else ""
    k = abs(kopecks)
    return f"{sign}{k // 100}.{k % 100:02d}"


def _excess(lines: list[Line]) -> list[Violation]:
    found = []
    for ln in lines:
        if ln.kind != "charge" or ln.service == "penalty" or ln.unit == "%":
            continue
        base = int((Decimal(ln.volume) * Decimal(ln.tariff) * 100).quantize(
            Decimal(1), rounding=ROUND_HALF_UP))
        expected = _kop(ln.amount) - base
        if _kop(ln.excess) != expected:
            found.append(Violation(
                "excess_is_line_minus_base", ln.account, ln.service,
                f"превышение {ln.excess} ₽, а строка {ln.amount} ₽ − база "
                f"{ln.volume} × {ln.tariff} = {_rub(base)} ₽ даёт {_rub(expected)} ₽"))
    return found


def _rules_and_sources(lines: list[Line], rulebook: Rulebook) -> list[Violation]:
    found = []
    for ln in lines:
        unknown = [r for r in ln.rule_ids if r not in rulebook]
        if not ln.rule_ids or unknown or not ln.source.strip():
            what = ("нет правил" if not ln.rule_ids else
                    f"правил нет в сборнике: {', '.join(unknown)}" if unknown else "нет источника")
            found.append(Violation("line_has_rule_and_source", ln.account, ln.service,
                                   f"строка {ln.kind}/{ln.method}: {what}"))
    return found


MICRO = Decimal("0.000001")


def _common_within_cap(situation: Situation, result: CalculationResult, rulebook: Rulebook
                       ) -> list[Violation]:
    """The house's СОИ volume within its cap, and each premises' share within its part of the
    cap (rounded to 10⁻⁶ per line part), unless the house's decision lifted the cap."""
    if situation.house.common_cap_lifted or not result.houses:
        return []
    found = []
    caps: dict[str, Decimal] = {}
    for house in result.houses:
        cap, volume = Decimal(house.cap), Decimal(house.common_volume)
        caps[house.service] = max(cap, caps.get(house.service, cap))
        if volume > cap:
            found.append(Violation(
                "common_within_cap", None, house.service,
                f"объём дома на СОИ {house.common_volume} больше норматива × площадь общего "
                f"имущества {house.cap} (решения собрания нет)"))
    total_area = situation.house.total_area
    if not total_area:
        return found
    areas = {a.number: a.area for a in situation.accounts}
    volumes: dict[tuple[str, str, str | None], Decimal] = defaultdict(Decimal)
    parts: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for ln in result.lines:
        spec = rulebook.services.get(ln.service)
        # a component in another unit (the heat to warm the water, Гкал) is not the resource
        if (ln.kind != "charge" or ln.method != "common_property" or spec is None
                or ln.unit != spec.unit or ln.service not in caps):
            continue
        key = (ln.account, ln.service, ln.component)
        volumes[key] += Decimal(ln.volume)
        parts[key] += 1
    for (account, service, _component), volume in volumes.items():
        share = caps[service] * areas.get(account, Decimal(0)) / total_area
        if volume > share + parts[(account, service, _component)] * MICRO:
            found.append(Violation(
                "common_within_cap", account, service,
                f"доля помещения {volume} больше его части норматива {share.quantize(MICRO)} "
                f"(норматив × площадь общего имущества {caps[service]} × площадь помещения / "
                f"{total_area})"))
    return found


def _penalty_grace(situation: Situation, lines: list[Line], rulebook: Rulebook
                   ) -> list[Violation]:
    penalties = [ln for ln in lines if ln.kind == "penalty" or ln.service == "penalty"]
    if not penalties:
        return []
    try:
        policy = policy_from_rulebook(rulebook)
    except PenaltyPolicyError:
        return []
    found = []
    for ln in penalties:
        first, last = date.fromisoformat(ln.date_from), date.fromisoformat(ln.date_to)
        overdue = (last - first).days + 1
        grace = policy.scale_at(first).grace_days
        charged = int(Decimal(ln.volume))
        if charged > max(overdue - grace, 0) or (overdue <= grace and _kop(ln.amount) != 0):
            found.append(Violation(
                "penalty_grace", ln.account, "penalty",
                f"долг {ln.component}: пени за {charged} дн. при просрочке {overdue} дн. и "
                f"{grace} льготных"))
    return found


def _allocation(situation: Situation, lines: list[Line], rulebook: Rulebook) -> list[Violation]:
    balance = situation.balance
    if balance is None or not balance.payments:
        return []
    policy = allocation_policy_from_rulebook(rulebook)
    found = []
    for p in balance.payments:
        open_lines = [OpenLine(Period.parse(d.period), "debt", _kop(str(d.amount)))
                      for d in balance.debts if d.account == p.account]
        open_lines += [OpenLine(Period.parse(ln.period), f"{ln.service}/{ln.provider}",
                                max(_kop(ln.amount), 0),
                                "penalty" if ln.service == "penalty" else "principal")
                       for ln in lines if ln.account == p.account]
        payment = Payment(_kop(str(p.amount)), p.date,
                          Period.parse(p.period) if p.period else None)
        got = allocate(payment, open_lines, policy)
        parts = sum(x.amount for x in got.lines)
        over = [x for x in got.lines
                if x.amount > sum(o.amount for o in open_lines
                                  if o.period == x.period and o.key == x.key and o.kind == x.kind)]
        if parts + got.advance != payment.amount or over or got.advance < 0:
            found.append(Violation(
                "allocation_sums", p.account, None,
                f"платёж {_rub(payment.amount)} ₽: части {_rub(parts)} ₽ + аванс "
                f"{_rub(got.advance)} ₽; строк сверх начисленного: {len(over)}"))
    return found
