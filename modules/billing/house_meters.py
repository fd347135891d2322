"""House meters (ОДПУ) of a batch of houses: the volume of the period and of the months before.

A house meter's volume of a month is its last reading dated in the month minus its last reading
dated before the month (within the 13 months read); a house's volume of a service is the sum
over its house meters of that service, and unknown when one of them lacks either reading. The
months before the period (most recent first, only the months every meter has) feed the
п. 59(1) average when the period's reading is missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from zhkh.kernel.charges import AVERAGE_FALLBACK, CAP_LIFTED, common_arrays
from zhkh.kernel.period import Period
from zhkh.modules.db.bulk import stream_columns
from zhkh.modules.meters.models import Meter as MeterRow
from zhkh.modules.meters.models import Reading as ReadingRow
from zhkh.modules.meters.repository import is_current

UNKNOWN = -(2**63)
MONTHS = 12
"""Months before the period whose volumes are computed (the rules take up to this many)."""
CHUNK = 900


@dataclass(slots=True)
class HouseVolume:
    """The house's volume of one service in the period (None: a meter lacks a reading) and in
    the months before it, most recent first (only months every meter has)."""

    volume: int | None
    history: list[int] = field(default_factory=list)


def house_volumes(session: Session, period: Period, house_ids: Sequence[int],
                  services: Sequence[str] | None = None) -> dict[tuple[int, str], HouseVolume]:
    """(house, service) → :class:`HouseVolume` for every house meter of ``house_ids`` (of
    ``services``, or all) in use in the period."""
    months = [period.shift(-k) for k in range(MONTHS + 1)]
    start = period.shift(-(MONTHS + 1)).first_day
    readings: dict[tuple[int, int, str, str], list[tuple[date, int]]] = defaultdict(list)
    ids = list(house_ids)
    for i in range(0, len(ids), CHUNK):
        stmt = (select(MeterRow.house_id, MeterRow.service, ReadingRow.meter_id, ReadingRow.zone,
                       ReadingRow.taken_on, ReadingRow.value_micro)
                .join(MeterRow, MeterRow.id == ReadingRow.meter_id)
                .where(MeterRow.house_id.in_(ids[i:i + CHUNK]), MeterRow.kind == "house",
                       and_(ReadingRow.taken_on >= start, ReadingRow.taken_on <= period.last_day),
                       is_current())
                .order_by(ReadingRow.meter_id, ReadingRow.taken_on, ReadingRow.id))
        if services is not None:
            stmt = stmt.where(MeterRow.service.in_(list(services)))
        for part in stream_columns(session, stmt):
            for hid, service, mid, zone, taken, value in zip(*part.values(), strict=True):
                readings[(hid, mid, service, zone)].append((taken, value))
    per_month: dict[tuple[int, str], list[int | None]] = {}
    for (hid, _mid, service, _zone), rows in readings.items():
        mine = [_month_volume(rows, m) for m in months]
        sums = per_month.setdefault((hid, service), [0] * len(months))
        per_month[(hid, service)] = [None if a is None or b is None else a + b
                                     for a, b in zip(sums, mine, strict=True)]
    return {key: HouseVolume(vols[0], [v for v in vols[1:] if v is not None])
            for key, vols in per_month.items()}


def _month_volume(rows: list[tuple[date, int]], month: Period) -> int | None:
    during = [v for d, v in rows if month.first_day <= d <= month.last_day]
    before = [v for d, v in rows if d < month.first_day]
    if not during or not before:
        return None
    return during[-1] - before[-1]


def average(history: Sequence[int], months: int) -> int | None:
    """The average of the ``months`` most recent volumes, by the kernel's п. 59(1) arithmetic
    (``charges.common_arrays``: ⌊Σ / n⌉ half up); None without history."""
    taken = list(history[:months])
    if not taken:
        return None
    one = np.ones(1, np.int64)
    out = common_arrays(np.full(1, UNKNOWN, np.int64), np.array([sum(taken)], np.int64),
                        one * len(taken), 0 * one, 0 * one, 0 * one,
                        np.array([AVERAGE_FALLBACK | CAP_LIFTED], np.int8))
    return int(out.used[0])
