"""Meter zones of a batch with the previous/current reading and the monthly history, in numpy.

Mirrors ``observations._zone_readings`` and ``_monthly_history`` over the readings
``FactsReader`` loads: the previous and current month for every meter, 13 months before that
for meters lacking a reading of a zone in either month. Readings are ordered by date then id,
as the situation path sorts them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zhkh.kernel.calc.columnar import HISTORY, NO_READING, FactColumns

ZONE_CODES = {"single": 0, "day": 1, "night": 2, "peak": 3, "half_peak": 4}
WIDTH = 8
MONTHS = HISTORY + 2  # months back 0..13


class ReadingTable:
    """One row per zone of every meter: previous, current, history; per meter: routing."""

    def __init__(self, meters: Any, n: int):
        r, m = meters.r, meters.m
        self.n = n
        self.meter_of: dict[tuple[int, str], int] = {}
        ids = np.asarray(m["id"], dtype=np.int64)
        self.capacity = np.asarray(m["capacity"], dtype=np.int64)
        self.verified = np.asarray(m["verified"], dtype=np.int64)
        self.zonesets: list[tuple[str, ...]] = []
        zs_index: dict[tuple[str, ...], int] = {}
        zone_count, self.zoneset = np.zeros(n, np.int64), np.zeros(n, np.int64)
        z_meter, z_pos, z_code = [], [], []
        for i, mid in enumerate(ids.tolist()):
            zs = meters.zones.get(mid, ("single",))
            self.zoneset[i] = zs_index.setdefault(zs, len(zs_index))
            zone_count[i] = len(zs)
            for slot, z in enumerate(zs):
                z_meter.append(i)
                z_pos.append(slot)
                z_code.append(ZONE_CODES.get(z, 7))
        self.zonesets = list(zs_index)
        self.zone_count = zone_count
        self.z_start = np.cumsum(zone_count) - zone_count
        self.z_meter = np.array(z_meter, dtype=np.int64)
        self.z_pos = np.array(z_pos, dtype=np.int64)
        z_key = self.z_meter * WIDTH + np.array(z_code, dtype=np.int64)
        z = len(z_key)
        recent = meters._readings(ids.tolist(), r.prev_first, r.last)
        zr = self._zone_of(recent, ids, z_key)
        in_prev = np.bincount(zr, weights=recent["day"] < r.first, minlength=z) > 0
        in_cur = np.bincount(zr, weights=recent["day"] >= r.first, minlength=z) > 0
        lacking_zone = ~(in_prev & in_cur)
        lacking = np.bincount(self.z_meter, weights=lacking_zone, minlength=n) > 0
        lacking &= np.asarray(m["installed"], dtype=np.int64) < r.first
        older = meters._readings(ids[lacking].tolist(), r.hist_first,
                                 r.prev_first - 1)
        zo = self._zone_of(older, ids, z_key)
        zone = np.concatenate([zo, zr])
        day = np.concatenate([older["day"], recent["day"]])
        value = np.concatenate([older["value_micro"], recent["value_micro"]])
        rid = np.concatenate([older["id"], recent["id"]])
        order = np.lexsort((rid, day, zone))
        zone, day, value = zone[order], day[order], value[order]
        pos = np.arange(len(zone))
        self.prev = self._last(zone, pos, value, day < r.first, z)
        self.cur = self._last(zone, pos, value, day >= r.first, z)
        month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        back = r.month - month
        installed = np.asarray(m["installed"], dtype=np.int64)[self.z_meter]
        base = self._base(zone, day, back, value, installed, z)
        self.hist = self._history(zone, back, value, z, lacking[self.z_meter], base)
        meter = self.z_meter[zone]
        latest = np.full(n, NO_READING, dtype=np.int64)
        np.minimum.at(latest, meter, np.minimum(back, NO_READING))
        self.last_back = latest
        max_day = np.full(n, -FAR_DAY, dtype=np.int64)
        np.maximum.at(max_day, meter, day)
        self.late = max_day > self.verified

    @staticmethod
    def _zone_of(readings: dict[str, Any], ids: np.ndarray, z_key: np.ndarray) -> np.ndarray:
        meter = np.searchsorted(ids, readings["meter_id"])
        code = np.array([ZONE_CODES.get(z, 7) for z in readings["zone"]], dtype=np.int64)
        return np.searchsorted(z_key, meter * WIDTH + code)

    @staticmethod
    def _last(zone, pos, value, cond, z) -> np.ndarray:
        """Value of the last reading (in date, id order) per zone among ``cond``; -1 if none."""
        last = np.full(z, -1, dtype=np.int64)
        np.maximum.at(last, zone[cond], pos[cond])
        return np.where(last >= 0, value[np.maximum(last, 0)] if len(value) else -1, -1)

    @staticmethod
    def _base(zone, day, back, value, installed, z) -> tuple[np.ndarray, np.ndarray]:
        """Per zone, the installation reading (the first one, taken on the installation day):
        its month (months back; -1 when the zone has none) and its value."""
        months, values = np.full(z, -1, dtype=np.int64), np.full(z, -1, dtype=np.int64)
        if len(zone):
            first = np.ones(len(zone), dtype=bool)
            first[1:] = zone[1:] != zone[:-1]
            at = first & (day == installed[zone])
            months[zone[at]], values[zone[at]] = back[at], value[at]
        return months, values

    @staticmethod
    def _history(zone, back, value, z, lacking, base) -> np.ndarray:
        """Monthly volumes for 1..12 months back (month end − previous month end), -1 = none;
        the month of installation from the installation reading (the base) when it has
        another reading (``observations.monthly_history``)."""
        ok = (back >= 0) & (back < MONTHS)
        key = zone[ok] * MONTHS + back[ok]
        vals = value[ok]
        last = np.ones(len(key), dtype=bool)
        if len(key) > 1:
            last[:-1] = key[1:] != key[:-1]
        ends = np.full(z * MONTHS, -1, dtype=np.int64)
        ends[key[last]] = vals[last]
        ends = ends.reshape(z, MONTHS)
        count = np.bincount(key, minlength=z * MONTHS).reshape(z, MONTHS)
        cur, prev = ends[:, 1:HISTORY + 1], ends[:, 2:HISTORY + 2].copy()
        months, values = base
        col = np.arange(1, HISTORY + 1)[None, :]
        from_base = ((prev < 0) & (months[:, None] == col) & (count[:, 1:HISTORY + 1] >= 2))
        prev = np.where(from_base, values[:, None], prev)
        hist = np.where((cur >= 0) & (prev >= 0) & (cur >= prev), cur - prev, -1)
        hist[~lacking] = -1
        return hist

    def columns(self, period, account, prem, services, codes, vocab, flags, *, area, persons,
                house_total, house_volume, runs) -> FactColumns:
        """Per-fact meter columns joined to the facts (premises × service) and zone rows;
        ``runs`` are the ``p_*`` columns of residents changing inside the month."""
        f = len(account)
        by_service = self.meter_of
        midx = np.array([by_service.get((p, s), -1) for p, s in
                         zip(prem.tolist(), services, strict=True)], dtype=np.int64)
        has = midx >= 0
        mi = np.maximum(midx, 0)
        facts = np.nonzero(has)[0]
        counts = self.zone_count[midx[facts]] if self.n else np.zeros(0, np.int64)
        z_fact = np.repeat(facts, counts)
        within = np.arange(len(z_fact)) - np.repeat(np.cumsum(counts) - counts, counts)
        z_rows = np.repeat(self.z_start[midx[facts]] if self.n else counts, counts) + within
        pick = (lambda a, fill: np.where(has, a[mi], fill)) if self.n else (
            lambda a, fill: np.full(f, fill, dtype=np.int64))
        return FactColumns(
            period=period, account=np.asarray(account, dtype=np.int64), codes=codes,
            vocab=vocab, flags=flags, refusals=np.zeros(f, dtype=np.int32),
            area=np.asarray(area, np.int64), persons=np.asarray(persons, np.int64),
            house_total=np.asarray(house_total, np.int64),
            house_volume=np.asarray(house_volume, np.int64), has_meter=has,
            verified=pick(self.verified, 10**6), capacity=pick(self.capacity, 0),
            last_back=pick(self.last_back, NO_READING), zoneset=pick(self.zoneset, 0),
            zonesets=self.zonesets or [("single",)],
            z_fact=z_fact.astype(np.int32), z_pos=self.z_pos[z_rows] if self.n else z_rows,
            z_prev=self.prev[z_rows] if self.n else z_rows,
            z_cur=self.cur[z_rows] if self.n else z_rows,
            z_hist=self.hist[z_rows] if self.n else np.zeros((0, HISTORY), np.int64),
            **runs)


FAR_DAY = 10**7
