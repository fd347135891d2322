"""SQL of meters and readings.

A reading sent twice (same ``source`` and ``source_id``) is stored once. A reading is never
overwritten: :meth:`MeterRepository.correct_reading` adds a row superseding the old one, and
"current" readings are those nothing supersedes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from zhkh.modules.db.bulk import stream_columns
from zhkh.modules.db.repository import Repository, overlapping
from zhkh.modules.meters.models import AccessRefusal, Meter, MeterZone, Reading
from zhkh.modules.registry.models import Premises


class ReadingConflictError(ValueError):
    """A reading with a known ``(source, source_id)`` came again with different content."""


class ReadingSupersededError(ValueError):
    """A correction was asked for a reading that another reading already supersedes."""


def _not_superseded():
    newer = aliased(Reading)
    return ~exists().where(newer.supersedes_id == Reading.id)


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

    def get_meter(self, meter_id: int) -> Meter:
        """The meter; raises NotFoundError naming it."""
        return self._require(Meter, meter_id)

    def remove_meter(self, meter_id: int, removed_on: date) -> None:
        """Record the day a meter was removed."""
        self.session.execute(update(Meter).where(Meter.id == meter_id)
                             .values(removed_on=removed_on))

    def meters_of_premises(self, premises_id: int, *, first: date | None = None,
                           last: date | None = None) -> list[Meter]:
        """Meters of the premises (those installed at some day of ``[first, last]`` if given)."""
        stmt = select(Meter).where(Meter.premises_id == premises_id)
        if first is not None and last is not None:
            stmt = stmt.where(overlapping(Meter.installed_on, Meter.removed_on, first, last))
        return list(self.session.scalars(stmt.order_by(Meter.id)))

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
        :class:`ReadingConflictError` names both.
        """
        if source_id is not None:
            known = self._by_source(source, source_id)
            if known is not None:
                return self._same_or_conflict(known, meter_id, zone, taken_on, value_micro), False
        reading = Reading(meter_id=meter_id, zone=zone, taken_on=taken_on,
                          value_micro=value_micro, source=source, source_id=source_id)
        try:
            with self.session.begin_nested():  # a concurrent twin may win the unique key
                self.session.add(reading)
        except IntegrityError:
            known = self._by_source(source, source_id) if source_id is not None else None
            if known is None:
                raise
            return self._same_or_conflict(known, meter_id, zone, taken_on, value_micro), False
        return reading, True

    def _by_source(self, source: str, source_id: str) -> Reading | None:
        return self.session.scalar(select(Reading).where(
            Reading.source == source, Reading.source_id == source_id))

    @staticmethod
    def _same_or_conflict(known: Reading, meter_id: int, zone: str, taken_on: date,
                          value_micro: int) -> Reading:
        if (known.meter_id, known.zone, known.taken_on, known.value_micro) != (
                meter_id, zone, taken_on, value_micro):
            raise ReadingConflictError(
                f"показание {known.source}/{known.source_id} уже принято иным: прибор "
                f"{known.meter_id}, зона {known.zone}, {known.taken_on}, {known.value_micro}; "
                f"получено: прибор {meter_id}, зона {zone}, {taken_on}, {value_micro}")
        return known

    def correct_reading(self, reading_id: int, *, value_micro: int, reason: str,
                        source: str = "operator", taken_on: date | None = None) -> Reading:
        """A new reading superseding ``reading_id`` (which stays in the history)."""
        old = self._require(Reading, reading_id)
        if self.session.scalar(select(Reading.id).where(Reading.supersedes_id == reading_id)):
            raise ReadingSupersededError(
                f"показание {reading_id} уже исправлено; исправляйте последнее в цепочке")
        return self._add(Reading(meter_id=old.meter_id, zone=old.zone,
                                 taken_on=taken_on or old.taken_on, value_micro=value_micro,
                                 source=source, supersedes_id=old.id, reason=reason))

    def current_readings(self, meter_id: int, *, first: date | None = None,
                         last: date | None = None) -> list[Reading]:
        """Readings of the meter nothing supersedes, by zone and date."""
        stmt = select(Reading).where(Reading.meter_id == meter_id, _not_superseded())
        if first is not None:
            stmt = stmt.where(Reading.taken_on >= first)
        if last is not None:
            stmt = stmt.where(Reading.taken_on <= last)
        return list(self.session.scalars(stmt.order_by(Reading.zone, Reading.taken_on,
                                                       Reading.id)))

    def reading_history(self, reading_id: int) -> list[Reading]:
        """The correction chain containing ``reading_id``, oldest first."""
        chain = [self._require(Reading, reading_id)]
        while chain[0].supersedes_id is not None:
            chain.insert(0, self._require(Reading, chain[0].supersedes_id))
        while (newer := self.session.scalar(
                select(Reading).where(Reading.supersedes_id == chain[-1].id))) is not None:
            chain.append(newer)
        return chain

    def stream_house_readings(self, house_id: int, first: date, last: date, *,
                              batch: int = 10_000) -> Iterator[dict[str, list[object]]]:
        """Columnar current readings taken in ``[first, last]`` of the house's meters
        (its premises' meters and its own): meter_id, premises_id, service, zone, taken_on,
        value_micro."""
        in_house = Meter.house_id == house_id
        of_premises = Meter.premises_id.in_(
            select(Premises.id).where(Premises.house_id == house_id))
        stmt = (select(Reading.meter_id, Meter.premises_id, Meter.service, Reading.zone,
                       Reading.taken_on, Reading.value_micro)
                .join(Meter, Meter.id == Reading.meter_id)
                .where(in_house | of_premises, _not_superseded(),
                       Reading.taken_on >= first, Reading.taken_on <= last)
                .order_by(Reading.meter_id, Reading.zone, Reading.taken_on))
        return stream_columns(self.session, stmt, batch=batch)
