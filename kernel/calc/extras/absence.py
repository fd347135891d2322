"""Recalculation for temporary absence (ПП РФ №354, п. 86–98; REFERENCE 1.6).

Per absent person and per charge line of a service the ``absence`` rules cover:
reduction = line volume × Σ over counted days (1 / persons that day) / days of the line ×
tariff × coefficient, i.e. N × T × d / D_month for a line by norm, rounded once (or, by the
rule's ``amount: charged_share``, the same share of the charged line's rounded amount).
A service whose volume is the sum of other services (wastewater) is reduced by the share of
its sources' volume that was recalculated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.extras.context import Context, days, frac, kopecks, line_days
from zhkh.kernel.calc.extras.lines import day_ru, extra_line, ru, rub
from zhkh.kernel.calc.extras.models import Absence
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.situation import Account
from zhkh.kernel.rulebook.kinds.absence import Rule

KIND = "recalculation"


@dataclass
class AbsenceOutcome:
    """Recalculation lines and, per (account, person, base line index), the days recalculated."""

    lines: list[Line] = field(default_factory=list)
    days_by_line: dict[tuple[str, str, int], set[date]] = field(default_factory=dict)


def counted_span(absence: Absence, exclude_travel: bool) -> tuple[date, date]:
    """First and last day of absence that count (without the departure and return days when
    ``exclude_travel``); empty when the first is after the last. No day is enumerated: an
    absence of any length costs the same."""
    if exclude_travel:
        return absence.start + timedelta(days=1), absence.end - timedelta(days=1)
    return absence.start, absence.end


def counted_count(absence: Absence, exclude_travel: bool) -> int:
    """How many days of absence count (see :func:`counted_span`), by day arithmetic."""
    first, last = counted_span(absence, exclude_travel)
    return max(0, (last - first).days + 1)


def counted_days(absence: Absence, exclude_travel: bool, within: tuple[date, date] | None = None
                 ) -> list[date]:
    """Days of absence that count, clipped to ``within`` (first, last) when given: only the
    days of the clip are listed, never the whole absence."""
    first, last = counted_span(absence, exclude_travel)
    if within is not None:
        first, last = max(first, within[0]), min(last, within[1])
    return days(first, last) if first <= last else []


def registered(account: Account, person: str, day: date) -> bool:
    """Whether ``person`` is registered in the premises on ``day``."""
    return any(r.person == person and r.start <= day and (r.end is None or day <= r.end)
               for r in account.residents)


def absence_lines(ctx: Context, lines: list[Line], absences: list[Absence]) -> AbsenceOutcome:
    """Negative recalculation lines for every absence and every charge line its rules cover."""
    out = AbsenceOutcome()
    for absence in absences:
        account = ctx.account(absence.account, f"временное отсутствие {absence.person}")
        if not any(r.person == absence.person for r in account.residents):
            raise CalculationError(
                "absence_unknown_person",
                f"временное отсутствие: {absence.person} не зарегистрирован(а) в помещении",
                account=account.number)
        _one_absence(ctx, account, absence, lines, out)
    return out


def _one_absence(ctx: Context, account: Account, absence: Absence, lines: list[Line],
                 out: AbsenceOutcome) -> None:
    cut_volume: dict[tuple[str, str | None], Fraction] = defaultdict(Fraction)
    derived: list[tuple[int, Line, Rule]] = []
    for i, line in enumerate(lines):
        if line.account != account.number or line.kind != "charge":
            continue
        rule = _rule(ctx, account, absence, line)
        if rule is None:
            continue
        if line.method == "derived":
            derived.append((i, line, rule))
            continue
        counted = _days_in_line(ctx, account, absence, rule, line)
        if not counted:
            continue
        new = _line_reduction(ctx, account, absence, rule, line, counted)
        out.days_by_line[(account.number, absence.person, i)] = set(counted)
        cut_volume[(line.service, line.component)] += -frac(new.volume)
        if new.amount != "0.00":
            out.lines.append(new)
    for i, line, rule in derived:
        derived_new = _derived_reduction(ctx, absence, rule, line, lines, cut_volume)
        if derived_new is not None:
            out.lines.append(derived_new)
            out.days_by_line[(account.number, absence.person, i)] = set(counted_days(
                absence, rule.exclude_travel_days,
                (date.fromisoformat(line.date_from), date.fromisoformat(line.date_to))))


def _rule(ctx: Context, account: Account, absence: Absence, line: Line) -> Rule | None:
    """The absence rule for this line, if it applies to this absence at all."""
    fact = ctx.fact(account, line.service, line.component, line.zone)
    rule = ctx.select("absence", fact, lambda r: isinstance(r, Rule) and line.method in r.methods,
                      account.number, f"временное отсутствие {absence.person}")
    if not isinstance(rule, Rule):  # None: every rule of the kind is an absence Rule
        return None
    if rule.documents_required and not absence.documents:
        return None
    minimum = rule.min_full_days.at(absence.start)
    full = counted_count(absence, True)
    if minimum is None or full <= minimum:
        return None
    if rule.act_required(ctx.period.first_day) and fact.get("meter_installable") is not False:
        return None
    return rule


def _days_in_line(ctx: Context, account: Account, absence: Absence, rule: Rule,
                  line: Line) -> list[date]:
    first, last = counted_span(absence, rule.exclude_travel_days)
    return [d for d in line_days(line)
            if first <= d <= last and registered(account, absence.person, d)]


def _per_person(ctx: Context, account: Account, line: Line, counted: list[date]) -> Fraction:
    """Σ over counted days of 1 / persons charged that day."""
    return sum((Fraction(1, line.persons or ctx.persons_on(account, d)) for d in counted
                if (line.persons or ctx.persons_on(account, d))), Fraction(0))


def _line_reduction(ctx: Context, account: Account, absence: Absence, rule: Rule, line: Line,
                    counted: list[date]) -> Line:
    length = len(line_days(line))
    share = _per_person(ctx, account, line, counted) / length
    volume = -frac(line.volume) * share
    if rule.amount == "formula":  # N × d/D × T × k, rounded once (REFERENCE 1.6)
        amount = kopecks(volume * frac(line.tariff) * frac(line.coefficient))
        excess = amount - kopecks(volume * frac(line.tariff))
    else:  # the absent person's daily share of the charged line
        amount = -kopecks(frac(line.amount) * share)
        excess = -kopecks(frac(line.excess) * share)
    persons = line.persons or ctx.persons_on(account, counted[0])
    shown = (f"{len(counted)}/({persons} чел × {length} дн.)" if line.persons
             else f"Σ 1/чел по {len(counted)} дн. / {length} дн.")
    base = (f"{ru(frac(line.volume))} {line.unit} × {shown} × {ru(frac(line.tariff))} "
            f"₽/{line.unit}" + ("" if frac(line.coefficient) == 1
                                else f" × {ru(frac(line.coefficient))}")
            if rule.amount == "formula" else f"{rub(kopecks(frac(line.amount)))} × {shown}")
    explain = (f"Перерасчёт за временное отсутствие ({absence.person}: "
               f"{_span(absence, rule, counted)}): {base} = {rub(amount)} ({rule.source})")
    return extra_line(
        line, kind=KIND, method="absence", rule_ids=[rule.id], source=rule.source,
        volume=volume, unit=line.unit, tariff=frac(line.tariff), coefficient=frac(line.coefficient),
        amount=amount, excess=excess, explain=explain, date_from=counted[0], date_to=counted[-1],
        component=line.component, zone=line.zone, persons=1, norm=line.norm,
    )


def _span(absence: Absence, rule: Rule, counted: list[date]) -> str:
    how = ("без дней выезда и возвращения" if rule.exclude_travel_days
           else "включая дни выезда и возвращения")
    minimum = rule.min_full_days.at(absence.start)
    return (f"выезд {day_ru(absence.start)}, возвращение {day_ru(absence.end)}; учтено "
            f"{len(counted)} дн. с {day_ru(counted[0])} по {day_ru(counted[-1])} {how}; "
            f"отсутствие более {ru(minimum or 0)} полных дней")  # set: _rule checked it


def _derived_reduction(ctx: Context, absence: Absence, rule: Rule, line: Line, lines: list[Line],
                       cut_volume: dict[tuple[str, str | None], Fraction]) -> Line | None:
    spec = ctx.rulebook.services[line.service]
    sources = [(s, _volume_component(ctx, s)) for s in spec.derived_from]
    total = sum((frac(x.volume) for x in lines if x.account == line.account
                 and x.kind == "charge" and (x.service, x.component) in sources), Fraction(0))
    cut = sum((cut_volume.get(key, Fraction(0)) for key in sources), Fraction(0))
    if total <= 0 or cut <= 0:
        return None
    share = min(Fraction(1), cut / total)
    amount = -kopecks(frac(line.amount) * share)
    names = ", ".join(_title(ctx, s) for s, _ in sources)
    if amount == 0:
        return None
    was = rub(kopecks(frac(line.amount)))
    explain = (f"Перерасчёт за временное отсутствие ({absence.person}): объём ({names}) "
               f"уменьшен на {ru(cut)} из {ru(total)} {line.unit}; {was} × {ru(cut)}/{ru(total)}"
               f" = {rub(amount)} ({rule.source})")
    return extra_line(
        line, kind=KIND, method="absence", rule_ids=[rule.id], source=rule.source,
        volume=-frac(line.volume) * share, unit=line.unit, tariff=frac(line.tariff),
        coefficient=frac(line.coefficient), amount=amount, explain=explain,
        date_from=date.fromisoformat(line.date_from), date_to=date.fromisoformat(line.date_to),
        component=line.component, zone=line.zone,
    )


def _title(ctx: Context, service: str) -> str:
    spec = ctx.rulebook.services.get(service)
    return spec.title if spec is not None else service


def _volume_component(ctx: Context, service: str) -> str | None:
    spec = ctx.rulebook.services.get(service)
    if spec is None:
        return None
    return next((c.id for c in spec.components if c.volume_from is None), None)

