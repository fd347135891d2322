"""Fact rules: how the calculation derives a signature attribute from the calendar and records.

Each rule carries exactly one section, named after the attribute it derives
(:mod:`zhkh.kernel.rulebook.facts`):

```yaml
facts:
  - id: facts.heating_season
    title: Отопительный период — обычно с 1 октября по 30 апреля
    source: "ПП РФ №354, п. 5 (сроки устанавливает уполномоченный орган)"
    heating_season:
      usual: {first_day: "10-01", last_day: "04-30"}
      starts: {2025-10-06: "постановление администрации от 02.10.2025 №1234"}
      ends: {2026-04-20: "постановление администрации от 17.04.2026 №567"}

  - id: facts.meter_access_refusals
    title: Недопуски к прибору электроэнергии — какие акты считаются
    source: "522-ФЗ; ПП РФ №354 (REFERENCE 1.1 [D])"
    when: {service: electricity}
    meter_access_refusals: {window_months: null, counts_from: next_month}
```

``heating_season`` — the season calendar of the houses the rule's ``when`` selects (only house
attributes: ``house_type``, ``house_heat_meter``, ``heating_payment``):

- ``usual`` — the first and the last heating day of a year where no act moves them («ММ-ДД»;
  the season runs over New Year, so ``last_day`` comes before ``first_day`` in the calendar);
- ``starts`` — date → act: the first heating day of the season starting that year, fixed by
  a local act; it replaces ``usual.first_day`` of that calendar year;
- ``ends`` — date → act: the last heating day of the season ending that year (inclusive);
  it replaces ``usual.last_day`` of that calendar year.

A day of year Y is a heating day when it is on or before the season's last day in Y or on or
after its first day in Y. The months of year Y in the season (partial ones included) give the
coefficient of heating paid evenly over the year (ф. 2(1): months / 12): an act moving the
season of Y into another month changes it for every month of Y. A **period is in the heating
season when at least one of its days is a heating day**: the charge by the norm is monthly and
a month the season starts or ends in is charged in full (REFERENCE 1.2; regional practice,
e.g. Sochi, Saratov: «за неполный месяц отопительного периода — тот же объём, что за
полный»). The kernel's signature holds one value
per month, so the month is not split by days here.

``meter_access_refusals`` — which documented refusals of access to the meter of a service
(``when`` may name only ``service``) the fact counts. Acts voided by a later installation of
a meter of that service in the premises never reach the calculation (the refusals are
«подряд», consecutive); of the others:

- ``counts_from`` — ``next_month`` (default): an act counts from the month after its date;
  ``act_month``: already in the month of its date;
- ``window_months`` — an act counts only within this many months ending with the last month
  acts count in (``null``: no limit); dated, whole months.

For each section the matching rule of highest ``priority`` applies. The loader checks every
combination of the attributes a section may name: two rules tying at the top are refused, and
when the method rules read ``heating_season`` every house must get a calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import product
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, PlainValidator, model_validator

from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.conditions import matches
from zhkh.kernel.rulebook.facts import FACTS, FactType
from zhkh.kernel.rulebook.fields import DatedDecimal, Issue, issue
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "facts"
LIST_KEY = "facts"
SECTIONS = ("heating_season", "meter_access_refusals")

SECTION_ATTRS: Mapping[str, tuple[str, ...]] = {
    "heating_season": ("house_type", "house_heat_meter", "heating_payment"),
    "meter_access_refusals": ("service",),
}
"""Attributes a rule's ``when`` may name, per section (known before the signature is built)."""

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
_PLAIN_YEAR = 2001  # not a leap year: 29 February is refused


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


def _parse_month_day(raw: Any) -> str:
    m = _MONTH_DAY.fullmatch(raw) if isinstance(raw, str) else None
    try:
        if m is None:
            raise ValueError
        date(_PLAIN_YEAR, int(m.group(1)), int(m.group(2)))
    except ValueError:
        leap = " (29 февраля не подходит: бывает не каждый год)" if raw == "02-29" else ""
        raise issue([((), f"день года пишется строкой «ММ-ДД», например \"10-01\"; получено "
                          f"{raw!r}{leap}")]) from None
    return str(raw)


MonthDay = Annotated[str, PlainValidator(_parse_month_day)]
"""A day of the year, ``"10-01"``."""


def on(month_day: str, year: int) -> date:
    """The day ``"MM-DD"`` of ``year``."""
    return date(year, int(month_day[:2]), int(month_day[3:]))


class UsualSeason(_Section):
    """The season's first and last heating day in a year without acts (``"MM-DD"``)."""

    first_day: MonthDay
    last_day: MonthDay

    @model_validator(mode="after")
    def _over_new_year(self) -> Self:
        if not on(self.last_day, _PLAIN_YEAR) < on(self.first_day, _PLAIN_YEAR):
            raise issue([(("last_day",), "отопительный период переходит через Новый год: "
                                         "последний день (last_day) должен стоять в календаре "
                                         "раньше первого (first_day), например 04-30 и 10-01")])
        return self


def _parse_acts(raw: Any) -> dict[date, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise issue([((), "ожидается словарь «дата: акт», например "
                          "{2025-10-06: \"постановление от 02.10.2025 №1234\"}")])
    acts: dict[date, str] = {}
    issues: list[Issue] = []
    for key, act in raw.items():
        day = key if type(key) is date else None
        if isinstance(key, str) and len(key) == 10:
            try:
                day = date.fromisoformat(key)
            except ValueError:
                day = None
        if day is None:
            issues.append(((key,), f"не дата в виде ГГГГ-ММ-ДД: {key!r}"))
            continue
        if not isinstance(act, str) or not act.strip():
            issues.append(((key,), "укажите акт строкой: вид, дату и номер"))
        same_year = [d for d in acts if d.year == day.year]
        if same_year:
            issues.append(((key,), f"в {day.year} году уже есть дата {same_year[0].isoformat()}: "
                                   "в году одно начало и одно окончание отопительного периода"))
        acts[day] = act if isinstance(act, str) else ""
    if issues:
        raise issue(issues)
    return dict(sorted(acts.items()))


Acts = Annotated[dict[date, str], PlainValidator(_parse_acts)]
"""Date → the act that fixed it; at most one date per calendar year."""


class HeatingSeason(_Section):
    """The heating season calendar: the usual days and the acts that moved them."""

    usual: UsualSeason
    starts: Acts = {}
    ends: Acts = {}

    @model_validator(mode="after")
    def _ends_before_starts(self) -> Self:
        issues: list[Issue] = []
        for year in sorted({d.year for d in (*self.starts, *self.ends)}):
            last, first = self.last_day(year), self.first_day(year)
            if last >= first:
                field = "ends" if any(d.year == year for d in self.ends) else "starts"
                key = (last if field == "ends" else first).isoformat()
                issues.append(((field, key), f"в {year} году отопительный период кончается "
                                             f"{last.isoformat()}, не раньше, чем начинается "
                                             f"новый ({first.isoformat()})"))
        if issues:
            raise issue(issues)
        return self

    def first_day(self, year: int) -> date:
        """The first heating day of the season starting in ``year``."""
        found = [d for d in self.starts if d.year == year]
        return found[0] if found else on(self.usual.first_day, year)

    def last_day(self, year: int) -> date:
        """The last heating day of the season ending in ``year``."""
        found = [d for d in self.ends if d.year == year]
        return found[0] if found else on(self.usual.last_day, year)

    def in_season(self, period: Period) -> bool:
        """Whether at least one day of ``period`` is a heating day (the whole month counts)."""
        year = period.year
        return period.first_day <= self.last_day(year) or period.last_day >= self.first_day(year)

    def months_in_year(self, year: int) -> int:
        """Months of calendar ``year`` in the heating season, partial ones included (ПП РФ
        №354, ф. 2(1): «количество месяцев отопительного периода, в том числе неполных, в
        году»): the months up to the end of the season ending in ``year`` and from the start
        of the one starting in it."""
        return sum(self.in_season(Period(year, month)) for month in range(1, 13))


class AccessRefusals(_Section):
    """Which documented refusals of access to the meter count (see the module docstring)."""

    counts_from: Literal["next_month", "act_month"] = "next_month"
    window_months: DatedDecimal | None = None

    @model_validator(mode="after")
    def _whole_months(self) -> Self:
        bad = [(d, v) for d, v in (self.window_months.steps if self.window_months else ())
               if v < 1 or v != v.to_integral_value()]
        if bad:
            raise issue([(("window_months", d.isoformat()),
                          f"окно — целое число месяцев не меньше 1, получено {v}")
                         for d, v in bad])
        return self

    def count(self, acts: Iterable[date], period: Period) -> int:
        """Acts that count for ``period``: dated up to the last month acts count in and not
        older than the window in force on the period's first day."""
        latest = period if self.counts_from == "act_month" else period.shift(-1)
        window = self.window_months.at(period.first_day) if self.window_months else None
        earliest = latest.shift(-(int(window) - 1)).first_day if window else date.min
        return sum(1 for day in acts if earliest <= day <= latest.last_day)


class Rule(RuleBase):
    """One section of fact derivation (see the module docstring)."""

    EXCLUSIVE: ClassVar[bool] = False

    heating_season: HeatingSeason | None = None
    meter_access_refusals: AccessRefusals | None = None

    @model_validator(mode="after")
    def _one_section(self) -> Self:
        present = [name for name in SECTIONS if getattr(self, name) is not None]
        if len(present) != 1:
            raise issue([((), "правило фактов задаёт ровно один раздел из: "
                              f"{', '.join(SECTIONS)}; задано: {', '.join(present) or 'ничего'}")])
        return self

    @property
    def section(self) -> str:
        return next(name for name in SECTIONS if getattr(self, name) is not None)

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks; ``when`` names only the attributes known for the section."""
        issues = super().check(services)
        allowed = SECTION_ATTRS[self.section]
        for test in self.when:
            if test.attr not in allowed:
                issues.append((("when", test.attr),
                               f"раздел {self.section} выбирается только по {', '.join(allowed)}: "
                               f"{test.attr} ещё не известен, когда он вычисляется"))
        return issues


def winner(rules: Iterable[RuleBase], section: str, fact: Mapping[str, Any]) -> Rule | None:
    """The rule of ``section`` that applies to ``fact``, None when none matches.

    Raises ``ValueError`` naming the rules when two tie at the highest priority (the loader
    refuses such rule sets, so a loaded rulebook never raises here).
    """
    best = _top(rules, section, fact)
    if len(best) > 1:
        raise ValueError(_tie_message(best, section, fact))
    return best[0] if best else None


def house_facts() -> list[dict[str, Any]]:
    """Every combination of the house attributes a ``heating_season`` rule may name."""
    names = SECTION_ATTRS["heating_season"]
    domains = [(False, True) if FACTS[n].type is FactType.BOOL else FACTS[n].values
               for n in names]
    return [dict(zip(names, values, strict=True)) for values in product(*domains)]


def conflicts(rules: Iterable[RuleBase], services: ServiceCatalogue, *, reads_season: bool
              ) -> list[tuple[Rule | None, str, str]]:
    """(rule, field, message): ties at the top over every combination of attributes a
    section may see; houses without a calendar when a method rule reads ``heating_season``."""
    rules = list(rules)
    found: list[tuple[Rule | None, str, str]] = []
    seen: set[tuple[str, ...]] = set()
    uncovered: list[str] = []
    cases = [("heating_season", f) for f in house_facts()]
    cases += [("meter_access_refusals", {"service": s}) for s in services]
    for section, fact in cases:
        best = _top(rules, section, fact)
        if not best and section == "heating_season" and reads_season:
            uncovered.append(_describe(fact))
        ids = tuple(r.id for r in best)
        if len(best) > 1 and ids not in seen:
            seen.add(ids)
            found.append((best[-1], "priority", _tie_message(best, section, fact)
                          + "; задайте разный priority или уточните when"))
    if uncovered:
        found.append((None, "heating_season",
                      "правила способов расчёта читают heating_season, но нет календаря "
                      f"отопительного периода для домов: {'; '.join(uncovered)} — добавьте "
                      "правило с разделом heating_season в facts/"))
    return found


def _top(rules: Iterable[RuleBase], section: str, fact: Mapping[str, Any]) -> list[Rule]:
    found = [r for r in rules if getattr(r, section, None) is not None
             and matches(r.condition, fact)]
    top = max((r.priority for r in found), default=0)
    return [r for r in found if r.priority == top]  # type: ignore[misc]


def _tie_message(best: list[Rule], section: str, fact: Mapping[str, Any]) -> str:
    return (f"к факту {_describe(fact)} подходят сразу несколько правил раздела {section} с "
            f"priority {best[0].priority}: {', '.join(r.id for r in best)}")


def _describe(fact: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in fact.items())
