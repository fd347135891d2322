"""SQL of meters and readings.

A reading sent twice (same ``source`` and ``source_id``) is stored once. A reading is never
overwritten: :meth:`MeterRepository.add_correction` adds a row superseding the old one, and
"current" readings are those nothing supersedes (:func:`is_current`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from zhkh.modules.db.repository import Repository
from zhkh.modules.errors import Conflict
from zhkh.modules.meters.models import AccessRefusal, Meter, MeterZone, Reading
from zhkh.modules.paging import page
from zhkh.modules.registry.models import Account


def is_current() -> ColumnElement[bool]:
    """SQL: no reading supersedes this ``Reading``.

    ``supersedes_id IS NOT NULL`` lets the planner read the small partial unique index of
    corrections (migration 0106) once, as a hash, instead of probing it per reading."""
    newer = aliased(Reading)
    return ~exists().where(newer.supersedes_id.is_not(None),
                           newer.supersedes_id == Reading.id)


class MeterRepository(Repository):
    """Reads and writes of meters and readings; flushes, never commits."""

    def add_meter(self, *, serial: str, service: str, kind: str, installed_on: date,
                  premises_id: int | None = None, house_id: int | None = None,
                  zones: Iterable[str] = ("single",), capacity_micro: int | None = None,
                  verified_until: date | None = None) -> Meter:
        """A new meter with its zones (``single`` for a one-rate meter)."""
        meter = Meter(serial=serial, service=service, kind=kind, installed_on=installed_on,
                      premises_id=premises_id, house_id=house_id,
                      capacity_micro=capacity_micro, verified_until=verified_until)
        meter.zones = [MeterZone(zone=z) for z in zones]
        return self._add(meter)

    def add_access_refusal(self, *, premises_id: int, service: str, refused_on: date,
                           act_number: str, drawn_up_by: str, account_id: int | None = None,
                           meter_id: int | None = None, note: str | None = None
                           ) -> AccessRefusal:
        """A new act of refused access to a meter (flushed: its id is known)."""
        return self._add(AccessRefusal(
            premises_id=premises_id, account_id=account_id, service=service,
            meter_id=meter_id, refused_on=refused_on, act_number=act_number,
            drawn_up_by=drawn_up_by, note=note))

    def standing_access_refusal(self, premises_id: int, service: str, act_number: str
                                ) -> AccessRefusal | None:
        """The act with this number for the premises and service that is not cancelled."""
        return self.session.scalar(select(AccessRefusal).where(
            AccessRefusal.premises_id == premises_id, AccessRefusal.service == service,
            AccessRefusal.act_number == act_number, AccessRefusal.cancelled_at.is_(None)))

    def add_reading(self, *, meter_id: int, taken_on: date, value_micro: int, source: str,
                    source_id: str | None = None, zone: str = "single") -> tuple[Reading, bool]:
        """Store a reading; returns ``(reading, created)``.

        A reading whose ``(source, source_id)`` is already stored is not stored again: the
        stored one is returned with ``created=False``; if its content differs,
        ``Conflict`` (``reading_source_conflict``) names both.
        """
        if source_id is not None:
            known = self.by_source(source, source_id)
            if known is not None:
                return self._same_or_conflict(known, meter_id, zone, taken_on, value_micro), False
        reading = Reading(meter_id=meter_id, zone=zone, taken_on=taken_on,
                          value_micro=value_micro, source=source, source_id=source_id)
        try:
            with self.session.begin_nested():  # a concurrent twin may win the unique key
                self.session.add(reading)
        except IntegrityError:
            known = self.by_source(source, source_id) if source_id is not None else None
            if known is None:
                raise
            return self._same_or_conflict(known, meter_id, zone, taken_on, value_micro), False
        return reading, True

    @staticmethod
    def _same_or_conflict(known: Reading, meter_id: int, zone: str, taken_on: date,
                          value_micro: int) -> Reading:
        if (known.meter_id, known.zone, known.taken_on, known.value_micro) != (
                meter_id, zone, taken_on, value_micro):
            raise Conflict("reading_source_conflict",
                f"показание {known.source}/{known.source_id} уже принято иным: прибор "
                f"{known.meter_id}, зона {known.zone}, {known.taken_on}, {known.value_micro}; "
                f"получено: прибор {meter_id}, зона {zone}, {taken_on}, {value_micro}",
                field="source_id")
        return known

    def current_readings(self, meter_id: int, *, first: date | None = None,
                         last: date | None = None) -> list[Reading]:
        """Readings of the meter nothing supersedes, by zone and date."""
        stmt = select(Reading).where(Reading.meter_id == meter_id, is_current())
        if first is not None:
            stmt = stmt.where(Reading.taken_on >= first)
        if last is not None:
            stmt = stmt.where(Reading.taken_on <= last)
        return list(self.session.scalars(stmt.order_by(Reading.zone, Reading.taken_on,
                                                       Reading.id)))

    def list_meters(self, *, premises_id: int | None = None,
                    house_id: int | None = None, service: str | None = None,
                    kind: str | None = None, limit: int, offset: int) -> tuple[list[Meter], int]:
        """Meters filtered by premises, house (the house's own meters), service and kind."""
        stmt = select(Meter).options(selectinload(Meter.zones))
        if premises_id is not None:
            stmt = stmt.where(Meter.premises_id == premises_id)
        if house_id is not None:
            stmt = stmt.where(Meter.house_id == house_id)
        if service is not None:
            stmt = stmt.where(Meter.service == service)
        if kind is not None:
            stmt = stmt.where(Meter.kind == kind)
        return page(self.session, stmt, limit=limit, offset=offset, order_by=Meter.id)

    def list_readings(self, meter_id: int, *, date_from: date | None = None,
                      date_to: date | None = None, zone: str | None = None,
                      include_superseded: bool = False, limit: int, offset: int
                      ) -> tuple[list[Reading], int]:
        """Readings of a meter taken in ``[date_from, date_to]`` by date; current ones only
        unless ``include_superseded``."""
        stmt = select(Reading).where(Reading.meter_id == meter_id)
        if date_from is not None:
            stmt = stmt.where(Reading.taken_on >= date_from)
        if date_to is not None:
            stmt = stmt.where(Reading.taken_on <= date_to)
        if zone is not None:
            stmt = stmt.where(Reading.zone == zone)
        if not include_superseded:
            stmt = stmt.where(is_current())
        return page(self.session, stmt, limit=limit, offset=offset,
                    order_by=(Reading.taken_on, Reading.zone, Reading.id))

    def superseded_ids(self, ids: Iterable[int]) -> set[int]:
        """Those of ``ids`` that a newer reading supersedes."""
        wanted = list(ids)
        if not wanted:
            return set()
        return set(self.session.scalars(select(Reading.supersedes_id)
                                   .where(Reading.supersedes_id.in_(wanted))))

    def by_source(self, source: str, source_id: str) -> Reading | None:
        """The reading a sender already delivered under ``(source, source_id)``, or None."""
        return self.session.scalar(select(Reading).where(Reading.source == source,
                                                    Reading.source_id == source_id))

    def add_correction(self, old: Reading, *, value_micro: int, reason: str,
                       taken_on: date | None = None, source: str = "operator",
                       source_id: str | None = None) -> Reading:
        """A reading superseding ``old`` (same meter and zone; taken the same day unless
        ``taken_on``), which stays in the history; flushed, never committed. The caller
        checks that nothing supersedes ``old`` yet (:meth:`superseded_ids`): the database
        refuses a second correction of it."""
        return self._add(Reading(meter_id=old.meter_id, zone=old.zone,
                                 taken_on=taken_on or old.taken_on, value_micro=value_micro,
                                 source=source, source_id=source_id, supersedes_id=old.id,
                                 reason=reason))

    def list_access_refusals(self, *, premises_id: int | None = None,
                             account_id: int | None = None, service: str | None = None,
                             include_cancelled: bool = False, limit: int, offset: int
                             ) -> tuple[list[AccessRefusal], int]:
        """Acts of refused access by date: of a premises, of an account (its own acts and those
        of its premises for every account), of a service; standing ones unless
        ``include_cancelled``."""
        stmt = select(AccessRefusal)
        if premises_id is not None:
            stmt = stmt.where(AccessRefusal.premises_id == premises_id)
        if account_id is not None:
            premises = select(Account.premises_id).where(Account.id == account_id)
            stmt = stmt.where(AccessRefusal.premises_id.in_(premises),
                              (AccessRefusal.account_id == account_id)
                              | AccessRefusal.account_id.is_(None))
        if service is not None:
            stmt = stmt.where(AccessRefusal.service == service)
        if not include_cancelled:
            stmt = stmt.where(AccessRefusal.cancelled_at.is_(None))
        return page(self.session, stmt, limit=limit, offset=offset,
                    order_by=(AccessRefusal.refused_on, AccessRefusal.id))
