"""``/v1/meters``: meters and their readings (a resent reading is stored once)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SeamsDep, SessionDep, WindowDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.meters import service as meters
from zhkh.modules.meters.models import ReadingReview
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.meters.schemas import (
    MeterCreate,
    MeterOut,
    MeterUpdate,
    ReadingCreate,
    ReadingOut,
    ReadingReviewOut,
    Zone,
)
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1/meters", tags=["meters"], route_class=TransactionalRoute)
READ, WRITE = allow("meters", "read"), allow("meters", "write")
READINGS_READ, READINGS_WRITE = allow("readings", "read"), allow("readings", "write")


@router.post("", status_code=201, dependencies=[WRITE], summary="Установить прибор учёта")
def create_meter(session: SessionDep, seams: SeamsDep, actor: ActorDep,
                 body: MeterCreate) -> MeterOut:
    """A meter on a premises or a house; returns the recalculated accounts."""
    meter, recalc = meters.create_meter(session, seams, actor, body)
    return MeterOut.of(meter, recalc)


@router.get("", dependencies=[READ], summary="Приборы учёта")
def list_meters(session: SessionDep, window: WindowDep, premises_id: IdQuery = None,
                house_id: IdQuery = None, service: str | None = None,
                kind: Literal["individual", "shared", "house", "group"] | None = None
                ) -> Page[MeterOut]:
    """Meters filtered by premises, house, service and kind."""
    items, total = MeterRepository(session).list_meters(
        premises_id=premises_id, house_id=house_id, service=service, kind=kind, limit=window.limit,
        offset=window.offset)
    return Page[MeterOut](items=[MeterOut.of(m) for m in items], total=total,
                          limit=window.limit, offset=window.offset)


@router.get("/{meter_id}", dependencies=[READ], summary="Прибор учёта")
def get_meter(session: SessionDep, meter_id: IdPath) -> MeterOut:
    """One meter; 404 ``meter_not_found``."""
    return MeterOut.of(meters.get_meter(session, meter_id))


@router.patch("/{meter_id}", dependencies=[WRITE], summary="Изменить прибор учёта")
def update_meter(session: SessionDep, seams: SeamsDep, actor: ActorDep, meter_id: IdPath,
                 body: MeterUpdate) -> MeterOut:
    """Serial, capacity, verification or removal date; returns the recalculated accounts."""
    meter, recalc = meters.update_meter(session, seams, actor, meter_id, body)
    return MeterOut.of(meter, recalc)


@router.post("/{meter_id}/readings", status_code=201, dependencies=[READINGS_WRITE],
             summary="Передать показание",
             responses={200: {"description": "Показание уже было принято: возвращено оно"},
                        202: {"description": "Показание не прошло проверку и ждёт решения "
                                             "оператора (/v1/reading-review): в расчёт не "
                                             "идёт", "model": ReadingReviewOut}})
def add_reading(session: SessionDep, seams: SeamsDep, actor: ActorDep, meter_id: IdPath,
                body: ReadingCreate, response: Response) -> ReadingOut | ReadingReviewOut:
    """201 with the recalculated accounts for a new reading or correction; 200 with the stored
    reading when the same ``(source, source_id)`` was already accepted; 202 with the review
    (each failed check: code and message) when a plausibility check holds it — it is not
    billed until confirmed."""
    reading, created, recalc = meters.add_reading(session, seams, actor, meter_id, body)
    if isinstance(reading, ReadingReview):
        response.status_code = 202
        return ReadingReviewOut.of(reading)
    if not created:
        response.status_code = 200
    superseded = bool(MeterRepository(session).superseded_ids([reading.id]))
    return ReadingOut.of(reading, superseded=superseded, recalculation=recalc)


@router.get("/{meter_id}/readings", dependencies=[READINGS_READ], summary="Показания")
def list_readings(session: SessionDep, window: WindowDep, meter_id: IdPath,
                  date_from: Day | None = None, date_to: Day | None = None,
                  zone: Zone | None = None, include_superseded: bool = False
                  ) -> Page[ReadingOut]:
    """Readings of a meter in a date range (current ones unless ``include_superseded``)."""
    meters.get_meter(session, meter_id)
    items, total = MeterRepository(session).list_readings(
        meter_id, date_from=date_from, date_to=date_to, zone=zone,
        include_superseded=include_superseded, limit=window.limit, offset=window.offset)
    old = MeterRepository(session).superseded_ids(r.id for r in items)
    return Page[ReadingOut](items=[ReadingOut.of(r, superseded=r.id in old) for r in items],
                            total=total, limit=window.limit, offset=window.offset)
