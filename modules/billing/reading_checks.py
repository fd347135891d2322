"""Billing's side of the reading-checks seam (``modules/seams.py``): a reading as it arrives is
checked against the published ``checks`` rules with what billing knows of its meter and
account — the previous reading of the zone, the п. 59 monthly history (the kernel's, the one
the average uses), the residents on the day (owners where nobody is registered). The checks
themselves are the kernel's pure :func:`~zhkh.kernel.calc.reading_checks.check_reading`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.observations import monthly_history
from zhkh.kernel.calc.reading_checks import ReadingCase, check_reading, rule_for
from zhkh.kernel.calc.situation import Reading as KernelReading
from zhkh.kernel.money import micro_to_decimal
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.model import Rulebook
from zhkh.modules.db.repository import active_on
from zhkh.modules.meters.models import Meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.passport.models import OwnershipShare, Registration


class RuleReadingChecks:
    """:class:`~zhkh.modules.seams.ReadingChecks` by the rulebook's ``checks`` rules;
    ``today`` is the clock (the real date unless a test gives one)."""

    def __init__(self, rulebook: Rulebook, today: Callable[[], date] = date.today) -> None:
        self.rulebook = rulebook
        self.today = today

    def check(self, session: Session, meter_id: int, zone: str, taken_on: date,
              value_micro: int) -> list[dict[str, str]]:
        """The checks the reading fails (code, Russian message, rule id); [] when none, or
        when no rule names the meter's service."""
        meter = session.get(Meter, meter_id)
        if meter is None:
            return []
        rule = rule_for(self.rulebook, meter.service)
        if rule is None:
            return []
        return [f.as_dict() for f in check_reading(rule, self.case(
            session, meter, zone, taken_on, value_micro))]

    def case(self, session: Session, meter: Meter, zone: str, taken_on: date,
             value_micro: int) -> ReadingCase:
        """What the reading is compared with."""
        readings = [KernelReading(date=r.taken_on, value=micro_to_decimal(r.value_micro),
                                  zone=zone)
                    for r in MeterRepository(session).current_readings(meter.id, last=taken_on)
                    if r.zone == zone]
        previous = readings[-1] if readings else None
        month = Period.of(taken_on)
        before = [r for r in readings if r.date < month.first_day]
        return ReadingCase(
            service=meter.service, taken_on=taken_on, value=micro_to_decimal(value_micro),
            today=self.today(), previous=previous.value if previous else None,
            previous_on=previous.date if previous else None,
            capacity=(micro_to_decimal(meter.capacity_micro)
                      if meter.capacity_micro is not None else None),
            verified_until=meter.verified_until, removed_on=meter.removed_on,
            history=monthly_history(before, month, meter.installed_on),
            residents=(None if meter.premises_id is None
                       else _residents(session, meter.premises_id, taken_on)))


def _residents(session: Session, premises_id: int, day: date) -> int:
    registered = session.scalar(select(func.count(func.distinct(Registration.person_id))).where(
        Registration.premises_id == premises_id,
        active_on(Registration.date_from, Registration.date_to, day))) or 0
    if registered:
        return int(registered)
    return int(session.scalar(select(func.count(func.distinct(OwnershipShare.person_id))).where(
        OwnershipShare.premises_id == premises_id,
        active_on(OwnershipShare.date_from, OwnershipShare.date_to, day))) or 0)
