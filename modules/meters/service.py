"""Meter services: meters and readings.

A reading sent again with the same ``(source, source_id)`` is stored once: the stored one is
returned (``created`` False) and nothing is audited or recalculated; the same key with other
content is a conflict. A correction (``supersedes_id``) adds a reading superseding the old
one, which stays in the history; it needs a reason. A new reading or a meter change
recalculates the accounts of the meter's premises for the month concerned; a house or group
meter recalculates every account of its house when the month is the open one (heating by the
house meter and common property follow its volume; one batch of the run, as the monthly run
computes it), and queues them for the next run for a closed month.

An act of refused access to a meter (акт о недопуске) is recorded once per premises, service
and number while it stands, and cancelled with a reason rather than deleted; either change
recalculates the accounts it concerns from the act's month (the rules decide from which month
the act counts, ``rules/facts/``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Conflict, Invalid
from zhkh.modules.meters import review as review_queue
from zhkh.modules.meters.models import AccessRefusal, Meter, Reading, ReadingReview
from zhkh.modules.meters.recalc import recalculate_meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.meters.schemas import (
    AccessRefusalCancel,
    AccessRefusalCreate,
    MeterCreate,
    MeterUpdate,
    ReadingCreate,
)
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.models import Account, House, Premises
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.schemas import AccountRecalc, micro
from zhkh.modules.seams import Seams, period_of

METER_FIELDS = ("serial", "service", "kind", "premises_id", "house_id", "capacity_micro",
                "verified_until", "installed_on", "removed_on")
READING_FIELDS = ("meter_id", "zone", "taken_on", "value_micro", "source", "source_id",
                  "supersedes_id")
ON_PREMISES = ("individual", "shared")
REFUSAL_FIELDS = ("premises_id", "account_id", "service", "meter_id", "refused_on",
                  "act_number", "drawn_up_by", "note", "cancelled_at", "cancel_reason")


def get_meter(session: Session, meter_id: int) -> Meter:
    """The meter or ``NotFound`` (``meter_not_found``)."""
    return get_or_not_found(session, Meter, meter_id, code="meter_not_found",
                            message=f"прибор учёта {meter_id} не найден",
                            obj=f"meter:{meter_id}")


def create_meter(session: Session, seams: Seams, actor: Actor, data: MeterCreate
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
    return meter, recalculate_meter(session, seams, meter, data.installed_on, "установлен прибор")


def update_meter(session: Session, seams: Seams, actor: Actor, meter_id: int, data: MeterUpdate
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
    return meter, recalculate_meter(session, seams, meter, day, "изменён прибор учёта")


def add_reading(session: Session, seams: Seams, actor: Actor, meter_id: int, data: ReadingCreate
                ) -> tuple[Reading | ReadingReview, bool, list[AccountRecalc] | None]:
    """Store a reading or a correction; returns ``(reading, created, recalculation)``.

    A resent reading returns the stored one with ``created`` False and no recalculation. A new
    reading that fails a plausibility check (``rules/checks``, through ``seams.checks``) is not
    stored: the :class:`ReadingReview` holding it is returned instead (``created`` True when
    held now), with no recalculation — the month is billed by the rules' fallback until an
    operator confirms it (``review.confirm``). A correction (with its reason) is not checked.
    """
    meter = get_meter(session, meter_id)
    _check_reading(meter, data, checked=seams.checks is not None)
    actor = actor.with_reason(data.reason)
    if data.supersedes_id is not None:
        reading, created, old = _correct(session, actor, meter, data)
    else:
        known = (MeterRepository(session).by_source(data.source, data.source_id)
                 if data.source_id is not None else None)
        if known is None:
            review, now = review_queue.held(session, seams, actor, meter, data)
            if review is not None:
                return review, now, None
        reading, created = MeterRepository(session).add_reading(
            meter_id=meter.id, taken_on=data.taken_on, value_micro=micro(data.value),
            source=data.source, source_id=data.source_id, zone=data.zone)
        old = None
    if not created:
        return reading, False, None
    audit.record(session, actor, action="reading.correct" if old else "reading.create",
                 object_type="reading", object_id=reading.id,
                 before=audit.snapshot(old, READING_FIELDS) if old else None,
                 after=audit.snapshot(reading, READING_FIELDS))
    return reading, True, recalculate_meter(session, seams, meter, data.taken_on, "новое показание")


def _check_reading(meter: Meter, data: ReadingCreate, *, checked: bool) -> None:
    """Refuse a zone the meter lacks and a reading before its installation; one after its
    removal too, unless the plausibility checks run (they hold it for review instead)."""
    zones = [z.zone for z in meter.zones]
    if data.zone not in zones:
        raise Invalid("zone_not_on_meter", f"у прибора {meter.id} нет зоны {data.zone}; "
                      f"есть: {', '.join(zones)}", field="zone")
    removed = meter.removed_on is not None and data.taken_on > meter.removed_on
    if data.taken_on < meter.installed_on or (removed and not (checked and
                                                               data.supersedes_id is None)):
        raise Invalid("reading_outside_meter_life",
                      f"показание на {data.taken_on} вне срока работы прибора {meter.id}",
                      field="taken_on")


def _correct(session: Session, actor: Actor, meter: Meter, data: ReadingCreate
             ) -> tuple[Reading, bool, Reading | None]:
    if data.source_id is not None:
        known = MeterRepository(session).by_source(data.source, data.source_id)
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
    if MeterRepository(session).superseded_ids([old.id]):
        raise Conflict("reading_already_corrected", f"показание {old.id} уже исправлено; "
                       "исправляйте последнее в цепочке", field="supersedes_id")
    if not actor.reason:
        raise Invalid("reason_required", "исправление показания требует основания",
                      field="reason")
    reading = MeterRepository(session).add_correction(
        old, value_micro=micro(data.value), taken_on=data.taken_on, source=data.source,
        source_id=data.source_id, reason=actor.reason)
    return reading, True, old


def get_access_refusal(session: Session, refusal_id: int) -> AccessRefusal:
    """The act or ``NotFound`` (``access_refusal_not_found``)."""
    return get_or_not_found(session, AccessRefusal, refusal_id,
                            code="access_refusal_not_found",
                            message=f"акт о недопуске {refusal_id} не найден",
                            obj=f"meter_access_refusal:{refusal_id}")


def account_number(session: Session, account_id: int | None) -> str | None:
    """The number of the account an act is limited to (None: every account of the premises)."""
    return None if account_id is None else session.get_one(Account, account_id).number


def record_access_refusal(session: Session, seams: Seams, actor: Actor,
                          data: AccessRefusalCreate
                          ) -> tuple[AccessRefusal, list[AccountRecalc]]:
    """Record an act of refused access; the accounts it concerns are recalculated from the
    act's month. The same standing act (premises, service, number) is a conflict."""
    if session.get(Premises, data.premises_id) is None:
        raise Invalid("premises_not_found", f"помещение {data.premises_id} не найдено",
                      field="premises_id")
    account_id = _account_on(session, data.account, data.premises_id)
    _check_meter_of(session, data.meter_id, data.premises_id, data.service)
    if data.refused_on > date.today():
        raise Invalid("refused_on_in_future", f"дата акта {data.refused_on} ещё не наступила",
                      field="refused_on")
    repo = MeterRepository(session)
    known = repo.standing_access_refusal(data.premises_id, data.service, data.act_number)
    if known is not None:
        raise Conflict("access_refusal_exists",
                       f"акт №{data.act_number} о недопуске ({data.service}) в помещении "
                       f"{data.premises_id} уже внесён: запись {known.id}", field="act_number")
    refusal = repo.add_access_refusal(
        premises_id=data.premises_id, account_id=account_id, service=data.service,
        meter_id=data.meter_id, refused_on=data.refused_on, act_number=data.act_number,
        drawn_up_by=data.drawn_up_by, note=data.note)
    audit.record(session, actor.with_reason(data.reason), action="meter_access_refusal.create",
                 object_type="meter_access_refusal", object_id=refusal.id,
                 after=audit.snapshot(refusal, REFUSAL_FIELDS))
    return refusal, _recalculate_refusal(session, seams, refusal)


def cancel_access_refusal(session: Session, seams: Seams, actor: Actor, refusal_id: int,
                          data: AccessRefusalCancel) -> tuple[AccessRefusal, list[AccountRecalc]]:
    """Cancel a standing act with a reason (it stays in the history); the accounts it
    concerned are recalculated from its month."""
    refusal = get_access_refusal(session, refusal_id)
    if refusal.cancelled_at is not None:
        raise Conflict("access_refusal_cancelled", f"акт о недопуске {refusal_id} уже отменён",
                       obj=f"meter_access_refusal:{refusal_id}")
    before = audit.snapshot(refusal, REFUSAL_FIELDS)
    refusal.cancelled_at = datetime.now(UTC)
    refusal.cancel_reason = data.reason
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="meter_access_refusal.cancel",
                 object_type="meter_access_refusal", object_id=refusal.id, before=before,
                 after=audit.snapshot(refusal, REFUSAL_FIELDS))
    return refusal, _recalculate_refusal(session, seams, refusal)


def _account_on(session: Session, number: str | None, premises_id: int) -> int | None:
    if number is None:
        return None
    account = session.scalar(select(Account).where(Account.number == number))
    if account is None:
        raise Invalid("account_not_found", f"лицевой счёт {number} не найден", field="account")
    if account.premises_id != premises_id:
        raise Invalid("account_not_on_premises", f"лицевой счёт {number} открыт не на "
                      f"помещение {premises_id}", field="account")
    return account.id


def _check_meter_of(session: Session, meter_id: int | None, premises_id: int,
                    service: str) -> None:
    if meter_id is None:
        return
    meter = session.get(Meter, meter_id)
    if meter is None or meter.premises_id != premises_id or meter.service != service:
        raise Invalid("meter_not_on_premises", f"прибор {meter_id} не стоит в помещении "
                      f"{premises_id} на услугу {service}", field="meter_id")


def _recalculate_refusal(session: Session, seams: Seams, refusal: AccessRefusal
                         ) -> list[AccountRecalc]:
    if refusal.account_id is not None:
        accounts = [session.get_one(Account, refusal.account_id)]
    else:
        accounts = RegistryRepository(session).accounts_of_premises(refusal.premises_id,
                                                                    include_rooms=False)
    return seams.recalculate(session, accounts, period_of(refusal.refused_on))
