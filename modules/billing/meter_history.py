"""The monthly volumes of an account's meters for its card, so an average (ПП РФ №354, п. 59)
is explainable: per meter and zone, the months before the period with their volumes (the
kernel's :func:`~zhkh.kernel.calc.observations.monthly_volumes`, the very function the
calculation averages), the installation reading as the base, and «среднее за N мес: …»."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.observations import monthly_volumes
from zhkh.kernel.calc.situation import Reading
from zhkh.kernel.money import format_decimal_ru, micro_to_decimal
from zhkh.kernel.period import Period
from zhkh.modules.billing.schemas import MeterHistoryOut, MeterZoneHistoryOut, MonthVolumeOut
from zhkh.modules.meters.models import Meter
from zhkh.modules.meters.repository import MeterRepository

AVERAGE_MONTHS = 6
"""Months averaged (п. 59: not less than 6 months of history; the shipped rules' 6)."""
MICRO = Decimal("0.000001")


def meter_histories(session: Session, premises_id: int, period: str) -> list[MeterHistoryOut]:
    """Every premises meter working in the 12 months before ``period`` (or in it), with its
    monthly volumes per zone, most recent first, and the average of the latest six."""
    month = Period.parse(period)
    first = month.shift(-12).first_day
    meters = session.scalars(select(Meter).where(
        Meter.premises_id == premises_id, Meter.installed_on <= month.last_day,
        (Meter.removed_on.is_(None)) | (Meter.removed_on >= first)).order_by(Meter.id))
    repo = MeterRepository(session)
    out = []
    for meter in meters:
        readings = repo.current_readings(meter.id)
        zones = []
        for zone in [z.zone for z in meter.zones] or ["single"]:
            mine = [Reading(date=r.taken_on, value=micro_to_decimal(r.value_micro), zone=zone)
                    for r in readings if r.zone == zone]
            zones.append(_zone(zone, mine, month, meter))
        out.append(MeterHistoryOut(
            id=meter.id, serial=meter.serial, service=meter.service,
            installed_on=meter.installed_on.isoformat(),
            removed_on=meter.removed_on.isoformat() if meter.removed_on else None,
            period=str(month), zones=zones))
    return out


def _zone(zone: str, readings: list[Reading], month: Period, meter: Meter) -> MeterZoneHistoryOut:
    volumes = monthly_volumes(readings, month, meter.installed_on)
    base = next((r.value for r in readings[:1] if r.date == meter.installed_on), None)
    taken = [v for _, v in volumes[:AVERAGE_MONTHS]]
    if taken:
        total = sum(taken, Decimal(0))
        average = (total / len(taken)).quantize(MICRO, rounding=ROUND_HALF_UP)
        summary = (f"среднее за {len(taken)} мес: {format_decimal_ru(total)} / {len(taken)}"
                   f" = {format_decimal_ru(average)}")
    else:
        average, summary = None, "истории показаний нет"
    return MeterZoneHistoryOut(
        zone=zone, base=None if base is None else _text(base),
        months=[MonthVolumeOut(period=str(p), volume=_text(v)) for p, v in volumes],
        average=None if average is None else _text(average), average_months=len(taken),
        summary=summary)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"
