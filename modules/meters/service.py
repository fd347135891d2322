"""Meter services: meters and readings.

A reading sent again with the same ``(source, source_id)`` is stored once: the stored one is
returned (``created`` False) and nothing is audited or recalculated; the same key with other
content is a conflict. A correction (``supersedes_id``) adds a reading superseding the old
one, which stays in the history; it needs a reason. A new reading or a meter change
recalculates the accounts of the meter's premises for the month concerned; a house or group
meter queues its house's accounts for the next run instead (one reading must not recompute a
whole house inside a request).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.billing.repository import RecalculationQueueRepository
from zhkh.modules.errors import Conflict, Invalid, NotFound
from zhkh.modules.meters import queries
from zhkh.modules.meters.models import Meter, Reading
from zhkh.modules.meters.repository import MeterRepository, ReadingConflictError
from zhkh.modules.meters.schemas import MeterCreate, MeterUpdate, ReadingCreate
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.models import House, Premises
from zhkh.modules.registry.queries import accounts_of_premises
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.registry.schemas import AccountRecalc, micro

METER_FIELDS = ("serial", "service", "kind", "premises_id", "house_id", "capacity_micro",
                "verified_until", "installed_on", "removed_on")
READING_FIELDS = ("meter_id", "zone", "taken_on", "value_micro", "source", "source_id",
                  "supersedes_id")
ON_PREMISES = ("individual", "shared")


def get_meter(session: Session, meter_id: int) -> Meter:
    """The meter or ``NotFound`` (``meter_not_found``)."""
    meter = session.get(Meter, meter_id)
    if meter is None:
        raise NotFound("meter_not_found", f"прибор учёта {meter_id} не найден",
                       obj=f"meter:{meter_id}")
    return meter


def create_meter(session: Session, actor: Actor, data: MeterCreate
                 ) -> tuple[Meter, list[AccountRecalc]]:
    """A meter on a premises (individual, shared) or on a house (house, group)."""
    if data.kind in ON_PREMISES:
        if data.premises_id is None or data.house_id is not None:
            raise Invalid("meter_placement", "прибор этого вида ставится на помещение: укажите "
                          "premises_id (и не house_id)", field="premises_id")
        if session.get(Premises, data.premises_id) is None:
            raise Invalid("premises_not_found", f"помещение {data.premises_id} не найдено",
                          field="premises_id")
    else:
        if data.house_id is None or data.premises_id is not None:
            raise Invalid("meter_placement", "общедомовой или групповой прибор ставится на дом: "
                          "укажите house_id (и не premises_id)", field="house_id")
        if session.get(House, data.house_id) is None:
            raise Invalid("house_not_found", f"дом {data.house_id} не найден", field="house_id")
    meter = MeterRepository(session).add_meter(
        serial=data.serial, service=data.service, kind=data.kind,
        installed_on=data.installed_on, premises_id=data.premises_id, house_id=data.house_id,
        zones=data.zones, capacity_micro=micro(data.capacity),
        verified_until=data.verified_until)
    audit.record(session, actor.with_reason(data.reason), action="meter.create",
                 object_type="meter", object_id=meter.id,
                 after={**audit.snapshot(meter, METER_FIELDS), "zones": list(data.zones)})
    return meter, _recalculate(session, meter, data.installed_on, "установлен прибор")


def update_meter(session: Session, actor: Actor, meter_id: int, data: MeterUpdate
                 ) -> tuple[Meter, list[AccountRecalc]]:
    """Change serial, capacity, verification date or the removal date."""
    meter = get_meter(session, meter_id)
    changes = registry.changes_of(data)
    if "capacity" in changes:
        changes["capacity_micro"] = micro(changes.pop("capacity"))
    removed = changes.get("removed_on", meter.removed_on)
    if removed is not None and removed < meter.installed_on:
        raise Invalid("dates_out_of_order", "дата снятия раньше даты установки",
                      field="removed_on")
    before = audit.snapshot(meter, METER_FIELDS)
    registry.apply(meter, changes, required=("serial",))
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="meter.update",
                 object_type="meter", object_id=meter.id, before=before,
                 after=audit.snapshot(meter, METER_FIELDS))
    day = removed or date.today()
    return meter, _recalculate(session, meter, day, "изменён прибор учёта")


def add_reading(session: Session, actor: Actor, meter_id: int, data: ReadingCreate
                ) -> tuple[Reading, bool, list[AccountRecalc] | None]:
    """Store a reading or a correction; returns ``(reading, created, recalculation)``.

    A resent reading returns the stored one with ``created`` False and no recalculation.
    """
    meter = get_meter(session, meter_id)
    _check_reading(meter, data)
    actor = actor.with_reason(data.reason)
    if data.supersedes_id is not None:
        reading, created, old = _correct(session, actor, meter, data)
    else:
        try:
            reading, created = MeterRepository(session).add_reading(
                meter_id=meter.id, taken_on=data.taken_on, value_micro=micro(data.value),
                source=data.source, source_id=data.source_id, zone=data.zone)
        except ReadingConflictError as exc:
            raise Conflict("reading_source_conflict", str(exc), field="source_id") from None
        old = None
    if not created:
        return reading, False, None
    audit.record(session, actor, action="reading.correct" if old else "reading.create",
                 object_type="reading", object_id=reading.id,
                 before=audit.snapshot(old, READING_FIELDS) if old else None,
                 after=audit.snapshot(reading, READING_FIELDS))
    return reading, True, _recalculate(session, meter, data.taken_on, "новое показание")


def _check_reading(meter: Meter, data: ReadingCreate) -> None:
    zones = [z.zone for z in meter.zones]
    if data.zone not in zones:
        raise Invalid("zone_not_on_meter", f"у прибора {meter.id} нет зоны {data.zone}; "
                      f"есть: {', '.join(zones)}", field="zone")
    if data.taken_on < meter.installed_on or (
            meter.removed_on is not None and data.taken_on > meter.removed_on):
        raise Invalid("reading_outside_meter_life",
                      f"показание на {data.taken_on} вне срока работы прибора {meter.id}",
                      field="taken_on")


def _correct(session: Session, actor: Actor, meter: Meter, data: ReadingCreate
             ) -> tuple[Reading, bool, Reading | None]:
    if data.source_id is not None:
        known = queries.by_source(session, data.source, data.source_id)
        if known is not None:
            if (known.supersedes_id, known.value_micro, known.taken_on) != (
                    data.supersedes_id, micro(data.value), data.taken_on):
                raise Conflict("reading_source_conflict",
                               f"показание {data.source}/{data.source_id} уже принято иным",
                               field="source_id")
            return known, False, None
    old = session.get(Reading, data.supersedes_id)
    if old is None or old.meter_id != meter.id or old.zone != data.zone:
        raise Invalid("reading_not_found", f"у прибора {meter.id} в зоне {data.zone} нет "
                      f"показания {data.supersedes_id}", field="supersedes_id")
    if queries.superseded_ids(session, [old.id]):
        raise Conflict("reading_already_corrected", f"показание {old.id} уже исправлено; "
                       "исправляйте последнее в цепочке", field="supersedes_id")
    if not actor.reason:
        raise Invalid("reason_required", "исправление показания требует основания",
                      field="reason")
    reading = queries.add_correction(session, old, value_micro=micro(data.value),
                                     taken_on=data.taken_on, source=data.source,
                                     source_id=data.source_id, reason=actor.reason)
    return reading, True, old


def _recalculate(session: Session, meter: Meter, day: date, why: str) -> list[AccountRecalc]:
    period = registry.period_of(day)
    if meter.premises_id is not None:
        accounts = accounts_of_premises(session, meter.premises_id)
        return registry.recalculate_accounts(session, accounts, period)
    queue = RecalculationQueueRepository(session)
    for account in RegistryRepository(session).accounts_of_house(meter.house_id):
        queue.enqueue(account_id=account.id, period_for=period,
                      reason=f"{why}: общедомовой прибор {meter.id}")
    return []
