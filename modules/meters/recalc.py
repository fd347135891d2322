"""The recalculation a change of a meter or its readings asks for (through the seam)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from zhkh.modules.meters.models import Meter
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.schemas import AccountRecalc
from zhkh.modules.seams import Seams, period_of


def recalculate_meter(session: Session, seams: Seams, meter: Meter, day: date, why: str
                      ) -> list[AccountRecalc]:
    """Recalculate the accounts of the meter's premises from the month of ``day``; a house or
    group meter queues every account of its house for the next run instead (one reading must
    not recompute a whole house inside a request)."""
    period = period_of(day)
    if meter.premises_id is not None:
        accounts = RegistryRepository(session).accounts_of_premises(meter.premises_id)
        return seams.recalculate(session, accounts, period)
    assert meter.house_id is not None, "a house or group meter has a house (the table's CHECK)"
    accounts = RegistryRepository(session).accounts_of_house(meter.house_id)
    seams.recalculation.enqueue(session, (a.id for a in accounts), period,
                                f"{why}: общедомовой прибор {meter.id}")
    return []
