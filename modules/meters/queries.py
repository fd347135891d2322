"""Meter reads and writes the repository does not have: filtered pages of meters, readings and
acts of refused access, and a correction that keeps the sender's ``source_id``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, aliased, selectinload

from zhkh.modules.meters.models import AccessRefusal, Meter, Reading
from zhkh.modules.paging import page
from zhkh.modules.registry.models import Account


def list_meters(session: Session, *, premises_id: int | None = None,
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
    return page(session, stmt, limit=limit, offset=offset, order_by=Meter.id)


def is_current() -> ColumnElement[bool]:
    """SQL: no reading supersedes this ``Reading``.

    ``supersedes_id IS NOT NULL`` lets the planner read the small partial unique index of
    corrections (migration 0106) once, as a hash, instead of probing it per reading."""
    newer = aliased(Reading)
    return ~exists().where(newer.supersedes_id.is_not(None),
                           newer.supersedes_id == Reading.id)


def list_readings(session: Session, meter_id: int, *, date_from: date | None = None,
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
    return page(session, stmt, limit=limit, offset=offset,
                order_by=(Reading.taken_on, Reading.zone, Reading.id))


def superseded_ids(session: Session, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that a newer reading supersedes."""
    wanted = list(ids)
    if not wanted:
        return set()
    return set(session.scalars(select(Reading.supersedes_id)
                               .where(Reading.supersedes_id.in_(wanted))))


def by_source(session: Session, source: str, source_id: str) -> Reading | None:
    """The reading a sender already delivered under ``(source, source_id)``, or None."""
    return session.scalar(select(Reading).where(Reading.source == source,
                                                Reading.source_id == source_id))


def add_correction(session: Session, old: Reading, *, value_micro: int, taken_on: date,
                   source: str, source_id: str | None, reason: str) -> Reading:
    """A reading superseding ``old`` (same meter and zone); flushed, never committed."""
    reading = Reading(meter_id=old.meter_id, zone=old.zone, taken_on=taken_on,
                      value_micro=value_micro, source=source, source_id=source_id,
                      supersedes_id=old.id, reason=reason)
    session.add(reading)
    session.flush()
    return reading


def list_access_refusals(session: Session, *, premises_id: int | None = None,
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
    return page(session, stmt, limit=limit, offset=offset,
                order_by=(AccessRefusal.refused_on, AccessRefusal.id))
