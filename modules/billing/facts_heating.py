"""Facts of the previous year for heating paid evenly in a house with a heat meter: what the
annual correction (ПП РФ №354, прил. 2, ф. 3(2); ``kernel/calc/heating_correction.py``) reads.

For the situations of houses with a house heating meter that pay evenly, the reader adds:

- ``house.heating_last_year`` — the house meters' heat of every month of the previous calendar
  year (the last reading of the month − the last one before it, summed over the house's heating
  meters; a month without both readings is left out, and the correction names it);
- ``charged_last_year`` of each account's heating — its heating lines about that year (charges
  and recalculations, whenever booked), without the previous annual correction (a
  recalculation about its own month, by the house meter: the only such line of heating).

The rules decide in which month a correction is made, so the facts are given every month for
those houses only (the monthly run reads them for the accounts it sends to this path).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.period import Period
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.meters.models import Meter as MeterRow
from zhkh.modules.meters.models import Reading as ReadingRow
from zhkh.modules.meters.repository import is_current

SERVICE = "heating"
CHARGED_KINDS = ("charge", "recalculation")


def with_heating_year(session: Session, period: Period, situations: list[Situation],
                      account_ids: dict[str, int]) -> list[Situation]:
    """``situations`` with the previous year's heating facts added to those of houses with a
    heat meter paying evenly (the others unchanged)."""
    wanted = [s for s in situations
              if s.house.heat_meter and s.house.heating_payment == "evenly"]
    if not wanted:
        return situations
    year = period.year - 1
    volumes = house_year_volumes(session, [int(s.house.id) for s in wanted], year)
    ids = [account_ids[a.number] for s in wanted for a in s.accounts
           if any(x.service == SERVICE for x in a.services)]
    charged = charged_in_year(session, ids, year)
    chosen = {id(s) for s in wanted}
    out = []
    for situation in situations:
        if id(situation) not in chosen:
            out.append(situation)
            continue
        house = situation.house.model_copy(
            update={"heating_last_year": volumes.get(int(situation.house.id), {})})
        accounts = [a.model_copy(update={"services": [
            s.model_copy(update={"charged_last_year": charged.get(account_ids[a.number],
                                                                  Decimal(0))})
            if s.service == SERVICE else s for s in a.services]}) for a in situation.accounts]
        out.append(situation.model_copy(update={"house": house, "accounts": accounts}))
    return out


def house_year_volumes(session: Session, house_ids: list[int], year: int
                       ) -> dict[int, dict[str, Decimal]]:
    """House → month ``YYYY-MM`` → heat of the house's heating meters (Гкал) for the months of
    ``year`` whose readings are complete."""
    readings: dict[tuple[int, int, str], list[tuple[date, int]]] = defaultdict(list)
    for chunk in _chunks(house_ids):
        stmt = (select(MeterRow.house_id, ReadingRow.meter_id, ReadingRow.zone,
                       ReadingRow.taken_on, ReadingRow.value_micro)
                .join(MeterRow, MeterRow.id == ReadingRow.meter_id)
                .where(MeterRow.house_id.in_(chunk), MeterRow.kind == "house",
                       MeterRow.service == SERVICE,
                       ReadingRow.taken_on >= date(year - 1, 12, 1),
                       ReadingRow.taken_on <= date(year, 12, 31), is_current())
                .order_by(ReadingRow.meter_id, ReadingRow.taken_on, ReadingRow.id))
        for hid, mid, zone, taken, value in session.execute(stmt):
            if hid is not None:  # always: house meters of the chosen houses
                readings[(hid, mid, zone)].append((taken, value))
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    gaps: dict[int, set[str]] = defaultdict(set)
    for (hid, _mid, _zone), rows in readings.items():
        for month in range(1, 13):
            p = Period(year, month)
            before = [v for d, v in rows if d < p.first_day]
            during = [v for d, v in rows if p.first_day <= d <= p.last_day]
            if not before or not during:
                gaps[hid].add(str(p))
                continue
            sums[hid][str(p)] = sums[hid].get(str(p), 0) + during[-1] - before[-1]
    return {hid: {m: Decimal(v).scaleb(-6) for m, v in months.items() if m not in gaps[hid]}
            for hid, months in sums.items()}


def charged_in_year(session: Session, account_ids: list[int], year: int) -> dict[int, Decimal]:
    """Account → rubles of its heating lines about ``year`` (charges and recalculations),
    without the annual corrections booked in it."""
    correction = and_(LedgerLine.kind == "recalculation",
                      LedgerLine.period_for == LedgerLine.period_booked,
                      LedgerLine.method == "house_share")
    out: dict[int, Decimal] = {}
    for chunk in _chunks(account_ids):
        stmt = (select(LedgerLine.account_id, func.sum(LedgerLine.amount_kopecks))
                .where(LedgerLine.account_id.in_(chunk), LedgerLine.service == SERVICE,
                       LedgerLine.kind.in_(CHARGED_KINDS),
                       LedgerLine.period_for >= f"{year}-01",
                       LedgerLine.period_for <= f"{year}-12", not_(correction))
                .group_by(LedgerLine.account_id))
        out.update((aid, Decimal(int(k)).scaleb(-2)) for aid, k in session.execute(stmt))
    return out


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


__all__ = ["charged_in_year", "house_year_volumes", "with_heating_year"]
