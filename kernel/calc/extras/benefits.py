"""Benefits (льготы; REFERENCE 4): the holder's discount on each charge line a rule covers.

For every day of a charge line on which the holder has the category and is registered (and was
not recalculated for absence on that line), the holder's part of the line's day amount is

- ``area_within_social_norm``: min(S, area standard for n persons) / n / S;
- ``consumption_within_norm``: min(1/n, norm × days of the line / (days of the month × volume))
  — a line by norm is within the norm, so 1/n;
- ``person_share``: 1/n;

times the discount in percent. The amount is the line amount without the increase of a
coefficient (``amount − excess``), after the service's quality reductions (in proportion), and is
rounded once per line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.extras.absence import registered
from zhkh.kernel.calc.extras.context import Context, frac, kopecks, line_days, runs
from zhkh.kernel.calc.extras.lines import day_ru, extra_line, ru, rub
from zhkh.kernel.calc.extras.models import BenefitAssignment
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.signature import Signature
from zhkh.kernel.calc.situation import Account
from zhkh.kernel.rulebook.dated import DatedValues
from zhkh.kernel.rulebook.kinds.benefits import Rule
from zhkh.kernel.rulebook.kinds.norms import Rule as NormRule

KIND = "benefit"


def benefit_lines(ctx: Context, lines: list[Line], assignments: list[BenefitAssignment],
                  absent: dict[tuple[str, str, int], set[date]],
                  after_quality: Callable[[str, str], Fraction]) -> list[Line]:
    """Negative benefit lines; ``absent`` — days recalculated for absence per (account, person,
    line index); ``after_quality(account, service)`` — the part of the fee left after quality
    reductions (1 without any)."""
    categories = {r.category for r in ctx.rulebook.rules("benefits")}
    out: list[Line] = []
    for a in assignments:
        account = ctx.account(a.account, f"льгота {a.category} ({a.person})")
        if a.category not in categories:
            raise CalculationError(
                "unknown_benefit_category", f"льготная категория {a.category!r} не описана в "
                f"правилах benefits/; есть: {', '.join(sorted(categories))}",
                account=account.number)
        if not any(r.person == a.person for r in account.residents):
            raise CalculationError(
                "benefit_unknown_person",
                f"льгота {a.category}: {a.person} не зарегистрирован(а) в помещении",
                account=account.number)
        for i, line in enumerate(lines):
            if line.account != account.number or line.kind != "charge":
                continue
            new = _line_benefit(ctx, account, a, line, lines, absent.get(
                (account.number, a.person, i), set()), after_quality)
            if new is not None:
                out.append(new)
    return out


def _line_benefit(ctx: Context, account: Account, a: BenefitAssignment, line: Line,
                  lines: list[Line], skip: set[date],
                  after_quality: Callable[[str, str], Fraction]) -> Line | None:
    fact = ctx.fact(account, line.service, line.component, line.zone)
    rule = ctx.select("benefits", fact, lambda r: isinstance(r, Rule) and r.category == a.category,
                      account.number, f"льгота {a.category} ({a.person})")
    if not isinstance(rule, Rule):  # None: every rule of the kind is a benefits Rule
        return None
    all_days = line_days(line)
    length = len(all_days)
    shares = ShareMemo(ctx, account, rule, line, lines)
    percents: dict[object, Fraction] = {}
    per_day: list[tuple[date, tuple[Fraction, Fraction, str]]] = []
    for d in all_days:
        if d < a.start or (a.end is not None and d > a.end) or d in skip:
            continue
        if not registered(account, a.person, d):
            continue
        percent = shares.percent(d)
        n = line.persons or ctx.persons_on(account, d)
        if percent is None or percent == 0 or n == 0:
            continue
        share, text = shares.at(d, n)
        if percent not in percents:
            percents[percent] = Fraction(percent)
        per_day.append((d, (percents[percent], share, text)))
    if not per_day:
        return None
    base = frac(line.amount) - frac(line.excess)
    left = after_quality(line.account, line.service)
    segments = runs(per_day)
    # the sum over days, taken per run of equal days (exact fractions: the same sum)
    counted = [((last - first).days + 1, value) for first, last, value in segments]
    total = sum((k * (p / 100 * s) for k, (p, s, _t) in counted), Fraction(0)) \
        * base * left / length
    amount = kopecks(total)
    if amount == 0:
        return None
    explain = _explain(rule, a, base, left, length, segments, amount)
    volume = sum((k * s for k, (_p, s, _t) in counted), Fraction(0)) * frac(line.volume) / length
    return extra_line(
        line, kind=KIND, method=rule.basis, rule_ids=[rule.id], source=rule.source,
        volume=volume, unit=line.unit, tariff=frac(line.tariff),
        coefficient=Fraction(segments[0][2][0]) / 100, amount=-amount, explain=explain,
        date_from=per_day[0][0], date_to=per_day[-1][0], component=line.component,
        zone=line.zone, persons=1, norm=line.norm,
    )


class ShareMemo:
    """:func:`_share` of one charge line, computed once per distinct value of what it reads of
    the day: the persons count, and the area standard (area basis) or the norm in force and
    the source line (consumption basis); dated values that do not change inside the line are
    looked up once. The results are those of calling ``_share`` and ``percent_at`` for every
    day (``CACHE = False`` does exactly that: the reference the memo is tested against); only
    the rule selection and the explain formatting are not repeated."""

    CACHE = True

    def __init__(self, ctx: Context, account: Account, rule: Rule, line: Line,
                 lines: list[Line]) -> None:
        self.ctx, self.account, self.rule, self.line, self.lines = ctx, account, rule, line, lines
        self._memo: dict[tuple[int, object], tuple[Fraction, str]] = {}
        self._norm_rules: dict[tuple[str, str | None], NormRule | None] = {}
        self._plans: dict[int, tuple[str, Any]] = {}
        self._first, self._last = date.fromisoformat(line.date_from), date.fromisoformat(
            line.date_to)
        self._steady: dict[object, Any] = {}
        """Keys of persons counts (area basis) or the line's norm key (consumption basis)
        when the dated values read do not change inside the line; the percent likewise."""

    def percent(self, day: date) -> Decimal | None:
        """The rule's discount in percent on ``day`` (None before its first date)."""
        if not self.CACHE:
            return self.rule.percent_at(day)
        if "percent" not in self._steady:
            steady = not self._changes(self.rule.percent)
            self._steady["percent"] = (steady, self.rule.percent_at(self._first))
        steady, value = self._steady["percent"]
        return value if steady else self.rule.percent_at(day)

    def at(self, day: date, n: int) -> tuple[Fraction, str]:
        """The holder's part of the line on ``day`` for ``n`` persons, and its text."""
        if not self.CACHE:
            return _share(self.ctx, self.account, self.rule, self.line, self.lines, day, n)
        key = (n, self._day_key(day, n))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = _share(self.ctx, self.account, self.rule, self.line,
                                             self.lines, day, n)
        return found

    def _day_key(self, day: date, n: int) -> object:
        if self.rule.basis == "person_share":
            return None
        if self.rule.basis == "area_within_social_norm":
            if n in self._steady:
                return self._steady[n]
            key: object = self.rule.social_area(n, day)
            if not any(self._changes(v) for step in self.rule.social_norm
                       for v in (step.total, step.per_person) if v is not None):
                self._steady[n] = key
            return key
        if "norm" in self._steady:
            return self._steady["norm"]
        key = self._norm_key(self.line, day)
        how, what = self._plan(self.line)
        if how == "fixed" or (how == "norms" and not any(
                self._changes(rule.values) for rule in (self._norm_rules[part] for part in what)
                if rule is not None)):
            self._steady["norm"] = key
        return key

    def _changes(self, values: DatedValues) -> bool:
        """Whether dated ``values`` take a new value on a day of the line after its first."""
        return bool(values.change_dates(self._first, self._last))

    def _norm_key(self, line: Line, day: date) -> object:
        """What :func:`_within_norm` reads of ``day`` for ``line`` (mirrors its branches)."""
        how, what = self._plan(line)
        if how == "fixed":
            return None
        if how == "source":
            source = _source_line(self.lines, line, what, day)
            return ("source", None if source is None else id(source),
                    None if source is None else self._norm_key(source, day))
        return tuple(self._norm_value(service, component, day) for service, component in what)

    def _plan(self, line: Line) -> tuple[str, Any]:
        """The day-independent part of :func:`_within_norm` for ``line``: no day dependence
        (``fixed``), the source component to look up per day, or the norms it sums."""
        found = self._plans.get(id(line))
        if found is not None:
            return found
        spec = self.ctx.rulebook.services.get(line.service)
        part = spec.component(line.component) if spec and line.component else None
        if line.method == "norm":
            plan: tuple[str, Any] = ("fixed", None)
        elif part is not None and part.volume_from is not None:
            plan = ("source", part.volume_from)
        elif frac(line.volume) <= 0:
            plan = ("fixed", None)
        elif spec is not None and spec.derived_from:
            plan = ("norms", [(s, None) for s in spec.derived_from
                              if self.ctx.service_in(self.account, s) is not None])
        else:
            plan = ("norms", [(line.service, line.component)])
        self._plans[id(line)] = plan
        return plan

    def _norm_value(self, service: str, component: str | None, day: date) -> object:
        key = (service, component)
        if key not in self._norm_rules:
            self._norm_rules[key] = _norm_rule(self.ctx, self.account, service, component)[0]
        rule = self._norm_rules[key]
        return None if rule is None else rule.values.at(day)


def _source_line(lines: list[Line], line: Line, component: str, day: date) -> Line | None:
    """The account's charge line of ``component`` of the same service covering ``day``."""
    return next((x for x in lines if x.account == line.account and x.kind == "charge"
                 and x.service == line.service and x.component == component
                 and x.date_from <= day.isoformat() <= x.date_to), None)


def _share(ctx: Context, account: Account, rule: Rule, line: Line, lines: list[Line], day: date,
           n: int) -> tuple[Fraction, str]:
    """The holder's part of the line's amount on ``day`` (before the percent), and its text."""
    if rule.basis == "person_share":
        return Fraction(1, n), f"1/{n} чел"
    if rule.basis == "area_within_social_norm":
        area = Fraction(account.area)
        standard = rule.social_area(n, day)
        if standard is None:
            return Fraction(0), "нет социальной нормы на дату"
        eligible = min(area, Fraction(standard))
        return eligible / n / area, (f"min({ru(area)}; {ru(standard)}) м² / {n} чел / "
                                     f"{ru(area)} м²")
    return _within_norm(ctx, account, line, lines, day, n)


def _within_norm(ctx: Context, account: Account, line: Line, lines: list[Line], day: date,
                 n: int) -> tuple[Fraction, str]:
    if line.method == "norm":
        return Fraction(1, n), f"1/{n} чел (начислено по нормативу)"
    spec = ctx.rulebook.services.get(line.service)
    part = spec.component(line.component) if spec and line.component else None
    if part is not None and part.volume_from is not None:
        source = _source_line(lines, line, part.volume_from, day)
        if source is not None:
            return _within_norm(ctx, account, source, lines, day, n)
        return Fraction(1, n), f"1/{n} чел"
    volume = frac(line.volume)
    if volume <= 0:
        return Fraction(1, n), f"1/{n} чел"
    norm = _norm(ctx, account, line, day)
    length = len(line_days(line))
    limit = norm * length / ctx.period.days
    share = min(Fraction(1, n), limit / volume)
    return share, (f"min({ru(volume)}/{n}; {ru(limit)}) {line.unit} / {ru(volume)} {line.unit}"
                   f" (норматив {ru(norm)} {line.unit} на чел.)")


def _norm(ctx: Context, account: Account, line: Line, day: date) -> Fraction:
    """The norm per person of the line's volume (for a derived service: the sum of its sources)."""
    spec = ctx.rulebook.services.get(line.service)
    if spec is not None and spec.derived_from:
        return sum((_norm_of(ctx, account, s, day) for s in spec.derived_from
                    if ctx.service_in(account, s) is not None), Fraction(0))
    return _norm_of(ctx, account, line.service, day, line.component)


def _norm_rule(ctx: Context, account: Account, service: str,
               component: str | None = None) -> tuple[NormRule | None, Signature]:
    """The norm rule of the account's service (its first own component by default) and the
    fact it was selected for."""
    spec = ctx.rulebook.services.get(service)
    if component is None and spec is not None:
        component = next((c.id for c in spec.components if c.volume_from is None), None)
    fact = ctx.fact(account, service, component)
    rule = ctx.select("norms", fact, lambda r: True, account.number, "льгота в пределах норматива")
    return cast("NormRule | None", rule), fact


def _norm_of(ctx: Context, account: Account, service: str, day: date,
             component: str | None = None) -> Fraction:
    rule, fact = _norm_rule(ctx, account, service, component)
    value = rule.values.at(day) if rule is not None else None
    if value is None:
        raise CalculationError(
            "no_norm", f"льгота в пределах норматива: нет норматива услуги {service} на "
            f"{day.isoformat()}", account=account.number, service=service, signature=fact)
    return Fraction(value)


def _explain(rule: Rule, a: BenefitAssignment, base: Fraction, left: Fraction, length: int,
             segments: list[tuple[date, date, Any]], amount: int) -> str:
    parts = []
    for first, last, (percent, _share, share_text) in segments:
        dcount = (last - first).days + 1
        text = f"{ru(percent)} % × {share_text}"
        if dcount != length:
            text += f" × {dcount}/{length} дн. ({day_ru(first)}–{day_ru(last)})"
        parts.append(text)
    factor = " × доля после снижения платы " + ru(left) if left != 1 else ""
    return (f"Льгота «{rule.title}» ({a.person}, категория {a.category}): "
            f"{rub(kopecks(base))} × ({' + '.join(parts)}){factor} = {rub(-amount)} "
            f"({rule.source})")
