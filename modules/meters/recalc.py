"""The recalculation a change of a meter or its readings asks for (through the seam)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from zhkh.modules.meters.models import Meter
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.schemas import AccountRecalc, jsonable
from zhkh.modules.seams import Seams, period_of


def recalculate_meter(session: Session, seams: Seams, meter: Meter, day: date, why: str
                      ) -> list[AccountRecalc]:
    """Recalculate the accounts of the meter's premises from the month of ``day``. A house or
    group meter's reading of the open month recomputes the house's accounts now (heating by
    the house meter, common property); of a closed month it queues every account of the house
    for the next run (one reading must not recompute a house's history inside a request)."""
    period = period_of(day)
    if meter.premises_id is not None:
        accounts = RegistryRepository(session).accounts_of_premises(meter.premises_id)
        return seams.recalculate(session, accounts, period)
    assert meter.house_id is not None, "a house or group meter has a house (the table's CHECK)"
    if period == seams.recalculation.current_period(session):
        found = seams.recalculation.recalculate_house(session, meter.house_id, period)
        return [AccountRecalc(account=number, period=period,
                              lines=[jsonable(x) for x in got] if isinstance(got, list) else None,
                              error=got if isinstance(got, dict) else None)
                for number, got in found.items()]
    accounts = RegistryRepository(session).accounts_of_house(meter.house_id)
    seams.recalculation.enqueue(session, (a.id for a in accounts), period,
                                f"{why}: общедомовой прибор {meter.id}")
    return []
