"""Plausibility checks of one meter reading against the ``checks`` rules (pure).

:func:`check_reading` takes what is known when a reading arrives (:class:`ReadingCase`: the
previous reading of the zone, the meter's capacity, verification end and removal, the monthly
history of п. 59, the residents, today) and gives every check it fails, each with its code and
a Russian message naming the numbers; an empty list means the reading may be billed. The rule
kind and the meaning of each check: :mod:`zhkh.kernel.rulebook.kinds.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhkh.kernel.money import format_decimal_ru
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.kinds.checks import Rule as ChecksRule
from zhkh.kernel.rulebook.model import Rulebook

CODES = ("reading_decrease", "volume_above_average", "volume_above_maximum",
         "reading_in_future", "reading_after_verification", "reading_removed_meter")
"""Every check, in the order they are reported."""


@dataclass(frozen=True, slots=True)
class ReadingCase:
    """A reading as it arrives and what it is compared with (values in the service's unit)."""

    service: str
    taken_on: date
    value: Decimal
    today: date
    previous: Decimal | None = None
    previous_on: date | None = None
    capacity: Decimal | None = None
    verified_until: date | None = None
    removed_on: date | None = None
    history: tuple[Decimal, ...] = ()
    """Monthly volumes before the reading's month, most recent first (п. 59)."""
    residents: int | None = None
    """Residents (owners where nobody is registered) on the day; None for a house meter,
    which has no physical maximum per resident."""


@dataclass(frozen=True, slots=True)
class CheckFailure:
    """A failed check: its code (one of :data:`CODES`), a Russian message and the rule."""

    code: str
    message: str
    rule_id: str

    def as_dict(self) -> dict[str, str]:
        """``{"code", "message", "rule_id"}`` for JSON."""
        return {"code": self.code, "message": self.message, "rule_id": self.rule_id}


def rule_for(rulebook: Rulebook, service: str) -> ChecksRule | None:
    """The ``checks`` rule of ``service`` (highest priority), None when no rule names it."""
    if "checks" not in rulebook.kinds():
        return None
    found = [r for r in rulebook.rules("checks")
             if isinstance(r, ChecksRule) and service in r.services()]
    return max(found, key=lambda r: r.priority, default=None)


def months_covered(previous_on: date | None, taken_on: date) -> int:
    """How many monthly readings' worth of consumption the volume is: the months from the
    previous reading's month to this one's (at least one)."""
    if previous_on is None:
        return 1
    a, b = Period.of(previous_on), Period.of(taken_on)
    return max(1, (b.year - a.year) * 12 + b.month - a.month)


def volume_of(case: ReadingCase, rule: ChecksRule) -> Decimal | None:
    """The volume since the previous reading: the difference, or through zero for a plausible
    rollover; None when there is no previous reading or the decrease is not plausible."""
    if case.previous is None:
        return None
    if case.value >= case.previous:
        return case.value - case.previous
    share = rule.rollover_share.at(case.taken_on)
    if case.capacity is None or share is None:
        return None
    edge = case.capacity * share
    if case.previous >= case.capacity - edge and case.value <= edge:
        return case.capacity - case.previous + case.value
    return None


def check_reading(rule: ChecksRule | None, case: ReadingCase) -> list[CheckFailure]:
    """Every check ``case`` fails under ``rule`` (none without a rule), in :data:`CODES`
    order; each message names the numbers compared."""
    if rule is None:
        return []
    out: list[CheckFailure] = []

    def fail(code: str, message: str) -> None:
        out.append(CheckFailure(code, message, rule.id))

    day = case.taken_on
    volume = volume_of(case, rule)
    if case.previous is not None and case.value < case.previous and volume is None:
        cap = (f"ёмкость счётного механизма {_n(case.capacity)}" if case.capacity is not None
               else "ёмкость счётного механизма не указана")
        fail("reading_decrease", f"показание {_n(case.value)} меньше предыдущего "
                                 f"{_n(case.previous)} и не похоже на переход через ноль ({cap})")
    months = months_covered(case.previous_on, day)
    factor = rule.average_factor.at(day) if rule.average_factor is not None else None
    if volume is not None and factor is not None and \
            len(case.history) >= rule.average_min_months:
        taken = case.history[:6]
        average = sum(taken, Decimal(0)) / len(taken)
        limit = factor * average * months
        if volume > limit:
            fail("volume_above_average",
                 f"объём {_n(volume)} больше {_n(factor)} × среднемесячного {_n(_q(average))}"
                 f" × {months} мес = {_n(_q(limit))}")
    maximum = rule.max_per_resident.at(day) if rule.max_per_resident is not None else None
    if volume is not None and maximum is not None and case.residents is not None:
        people = max(case.residents, 1)
        limit = maximum * people * months
        if volume > limit:
            fail("volume_above_maximum",
                 f"объём {_n(volume)} больше физически возможного: {_n(maximum)} на человека"
                 f" × {people} чел × {months} мес = {_n(limit)}")
    if rule.future and day > case.today:
        fail("reading_in_future", f"показание датировано {day:%d.%m.%Y} — позже сегодняшнего "
                                  f"дня {case.today:%d.%m.%Y}")
    if rule.after_verification and case.verified_until is not None and \
            day > case.verified_until:
        fail("reading_after_verification",
             f"показание от {day:%d.%m.%Y} снято после окончания срока поверки прибора "
             f"{case.verified_until:%d.%m.%Y}")
    if rule.removed_meter and case.removed_on is not None and day > case.removed_on:
        fail("reading_removed_meter", f"показание от {day:%d.%m.%Y} — прибора, снятого "
                                      f"{case.removed_on:%d.%m.%Y}")
    return out


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"))


def _n(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal_ru(value.normalize())
