"""Quality reductions (ПП РФ №354, прил. 1; REFERENCE 1.7).

Per account × service × incident kind: the percentage the ``quality`` rule gives for the
incidents of the month, applied to the month's fee for the service (the sum of its charge lines),
one line, never more than what is left of the fee after recalculations and earlier reductions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.extras.context import Context, frac, kopecks
from zhkh.kernel.calc.extras.lines import day_ru, extra_line, ru, rub
from zhkh.kernel.calc.extras.models import Incident
from zhkh.kernel.calc.result import Line
from zhkh.kernel.rulebook.kinds.quality import Rule

KIND = "quality_reduction"
HOUR = Fraction(3600)
TITLES = {
    "interruption": "перерыв", "temperature": "отклонение температуры",
    "pressure": "отклонение давления", "tko_delay": "задержка вывоза ТКО",
    "unsafe": "несоответствие состава и свойств",
}


def steps(value: Fraction, how: str) -> Fraction:
    """Count of steps in ``value``: whole ones only (floor), started ones (ceil) or exact."""
    if how == "floor":
        return Fraction(math.floor(value))
    if how == "ceil":
        return Fraction(math.ceil(value))
    return value


def quality_lines(ctx: Context, lines: list[Line], incidents: list[Incident],
                  taken: dict[tuple[str, str], int]) -> list[Line]:
    """Reduction lines; ``taken`` holds kopecks already taken off each (account, service) and is
    updated, so that the net of a service never goes below zero."""
    groups: dict[tuple[str, str, str], list[Incident]] = defaultdict(list)
    for inc in incidents:
        for number in (inc.accounts if inc.scope == "premises" else list(ctx.accounts)):
            ctx.account(number, f"инцидент {inc.id or inc.service}")
            groups[(number, inc.service, inc.kind)].append(inc)
    out: list[Line] = []
    for (number, service, kind), items in groups.items():
        charges = [x for x in lines if x.account == number and x.service == service
                   and x.kind == "charge"]
        if not charges:
            continue
        line = _reduction(ctx, number, service, kind, items, charges, taken)
        if line.amount != "0.00":
            out.append(line)
    return out


def _reduction(ctx: Context, number: str, service: str, kind: str, items: list[Incident],
               charges: list[Line], taken: dict[tuple[str, str], int]) -> Line:
    account = ctx.accounts[number]
    fact = ctx.fact(account, service)
    rule = ctx.select("quality", fact, lambda r: isinstance(r, Rule) and r.incident == kind,
                      number, f"инцидент {TITLES[kind]}")
    if not isinstance(rule, Rule):  # None: every rule of the kind is a quality Rule
        raise CalculationError(
            "no_quality_rule", f"нет правила снижения платы (quality) для инцидента «{kind}» "
            f"услуги {service}", account=number, service=service, signature=fact)
    fee = sum((frac(x.amount) for x in charges), Fraction(0))
    percent, detail = _percent(ctx, rule, items)
    percent = min(percent, Fraction(100))
    fee_kop = kopecks(fee)
    left = max(0, fee_kop - taken.get((number, service), 0))
    amount = min(kopecks(fee * percent / 100), left)
    taken[(number, service)] = taken.get((number, service), 0) + amount
    capped = " (ограничено остатком платы)" if amount < kopecks(fee * percent / 100) else ""
    explain = (f"Снижение платы: {TITLES[kind]} — {detail} = {ru(percent)} % × {rub(fee_kop)} = "
               f"{rub(-amount)}{capped} ({rule.source})")
    span = [_clip(ctx, i) for i in items]
    return extra_line(
        charges[0], kind=KIND, method=kind, rule_ids=[rule.id], source=rule.source,
        volume=percent, unit="%", tariff=fee / 100, coefficient=Fraction(1), amount=-amount,
        explain=explain, date_from=min(s.date() for s, _ in span),
        date_to=max(_last_day(e) for _, e in span),
    )


def _clip(ctx: Context, inc: Incident) -> tuple[datetime, datetime]:
    p = ctx.period
    lo = datetime.combine(p.first_day, time.min)
    hi = datetime.combine(p.last_day + timedelta(days=1), time.min)
    start, end = max(inc.start.replace(tzinfo=None), lo), min(inc.end.replace(tzinfo=None), hi)
    return start, max(start, end)


def _hours(ctx: Context, inc: Incident) -> Fraction:
    start, end = _clip(ctx, inc)
    delta = end - start
    return Fraction(delta.days * 86400 + delta.seconds) / HOUR + Fraction(
        delta.microseconds, 3_600_000_000)


def _magnitude(inc: Incident) -> Fraction:
    """The deviation of a temperature or pressure incident (its input model requires one)."""
    return Fraction(inc.magnitude or 0)


def _last_day(end: datetime) -> date:
    return (end - timedelta(microseconds=1)).date()


def _days_touched(ctx: Context, inc: Incident) -> set[date]:
    start, end = _clip(ctx, inc)
    if end <= start:
        return set()
    first, last = start.date(), _last_day(end)
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _percent(ctx: Context, rule: Rule, items: list[Incident]) -> tuple[Fraction, str]:
    """The reduction in percent of the fee and its explanation in Russian."""
    day = ctx.period.first_day
    rate = Fraction(rule.at(rule.percent, day))
    if rule.incident in ("interruption", "tko_delay"):
        return _excess_hours(ctx, rule, items, rate, day)
    if rule.incident == "temperature":
        return _temperature(ctx, rule, items, rate, day)
    if rule.incident == "pressure":
        return _pressure(ctx, rule, items, rate, day)
    return _removed_days(ctx, set().union(*(_days_touched(ctx, i) for i in items)))


def _excess_hours(ctx: Context, rule: Rule, items: list[Incident], rate: Fraction,
                  day: date) -> tuple[Fraction, str]:
    hours = [_hours(ctx, i) for i in items]
    total = sum(hours, Fraction(0))
    allowed = Fraction(rule.at(rule.allowed_hours_month, day))
    excess = max(Fraction(0), total - allowed)
    text = f"всего {ru(total)} ч, допустимо {ru(allowed)} ч за месяц"
    if rule.excess == "total_or_single":
        once = Fraction(rule.at(rule.allowed_hours_once, day))
        single = sum((max(Fraction(0), h - once) for h in hours), Fraction(0))
        text += f" и {ru(once)} ч единовременно"
        excess = max(excess, single)
    units = steps(excess / rule.per_hours, rule.time_steps)
    per = "ч" if rule.per_hours == 1 else f"по {rule.per_hours} ч"
    return units * rate, f"{text}: превышение {ru(excess)} ч → {ru(units)} {per} × {ru(rate)} %"


def _temperature(ctx: Context, rule: Rule, items: list[Incident], rate: Fraction,
                 day: date) -> tuple[Fraction, str]:
    allowed = Fraction(rule.at(rule.allowed_deviation, day))
    step = Fraction(rule.at(rule.step_degrees, day))
    total = Fraction(0)
    parts = []
    for inc in items:
        hours = steps(_hours(ctx, inc) / rule.per_hours, rule.time_steps)
        beyond = max(Fraction(0), _magnitude(inc) - allowed)
        n = steps(beyond / step, rule.degree_steps)
        total += hours * n * rate
        parts.append(f"{ru(hours)} ч × {ru(n)} шаг. по {ru(step)} °C (отклонение "
                     f"{ru(_magnitude(inc))} °C, допустимо {ru(allowed)} °C)")
    return total, "; ".join(parts) + f" × {ru(rate)} %"


def _pressure(ctx: Context, rule: Rule, items: list[Incident], rate: Fraction,
              day: date) -> tuple[Fraction, str]:
    threshold = Fraction(rule.at(rule.threshold_percent, day))
    removed: set[date] = set()
    if rule.above_threshold == "remove_days":
        for inc in items:
            if _magnitude(inc) > threshold:
                removed |= _days_touched(ctx, inc)
    hourly = [i for i in items if not (_days_touched(ctx, i) <= removed and removed)]
    hours = steps(sum((_hours(ctx, i) for i in hourly), Fraction(0)) / rule.per_hours,
                  rule.time_steps)
    percent, text = hours * rate, f"{ru(hours)} ч с отклонением до {ru(threshold)} % × {ru(rate)} %"
    if removed:
        extra, days_text = _removed_days(ctx, removed)
        percent += extra
        text += f"; отклонение более {ru(threshold)} %: {days_text}"
    return percent, text


def _removed_days(ctx: Context, removed: set[date]) -> tuple[Fraction, str]:
    n = len(removed)
    dim = ctx.period.days
    listed = ", ".join(day_ru(d) for d in sorted(removed))
    return Fraction(100 * n, dim), f"плата за {n} дн. ({listed}) не взимается: 100 % × {n}/{dim}"
