"""Facts of a batch of houses straight into numpy columns for the columnar path, plus routing.

A few bulk SELECTs per batch (fetched whole from the driver cursor; dates come as day numbers
computed by the database): accounts, their services, registrations, meters, zones and readings
(the previous and current month for every meter, 13 months for meters lacking readings — the
same readings :class:`~zhkh.modules.billing.facts.FactsReader` loads, so history and
months-without-readings agree). No pydantic model is built.

Residents changing inside the month come as runs of days (``FactColumns.p_*``, see
:func:`~zhkh.kernel.calc.columnar_persons.persons_runs`): those accounts stay columnar.

Routing: an account takes the per-situation path (``ColumnBatch.slow``) when a meter of it
is installed on or after the first day or removed before the last one, a service has more
than one meter or more than one contract in the month, a loaded reading is dated after its
meter's verification end (the situation path reports that error), a resident has a temporary
absence in the month, a holder of a benefit on it is registered in the month, a closed
quality incident of its house or premises overlaps the month on one of its services, its
premises has a standing act of refused access to a meter (the rules count those acts), or
its house type is unknown to the rules. (Benefits, absences and quality reductions are the
second stage of the calculation, which only the situation path runs.) The heating season is
not read here: the columnar kernel takes it from the rules' calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, Select, func, select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.columnar import EPOCH, FactColumns, day_number
from zhkh.kernel.calc.columnar_persons import PersonsRuns, persons_runs, spread
from zhkh.kernel.period import Period
from zhkh.modules.billing.facts import HOUSE_TYPES, FactsReader, heat_meter_counts
from zhkh.modules.db.repository import among, overlapping
from zhkh.modules.meters.models import Meter as MeterRow
from zhkh.modules.meters.models import MeterZone
from zhkh.modules.meters.models import Reading as ReadingRow
from zhkh.modules.meters.repository import is_current
from zhkh.modules.passport.models import Registration
from zhkh.modules.registry.models import Account as AccountRow
from zhkh.modules.registry.models import AccountService as ServiceRow
from zhkh.modules.registry.models import House as HouseRow
from zhkh.modules.registry.models import Premises

ZONE_ORDER = {"single": 0, "day": 1, "peak": 1, "half_peak": 2, "night": 3}
FAR = 10**6
"""Day number standing for "no date" (an open end, no verification end)."""


@dataclass(slots=True)
class ColumnBatch:
    """Columns of the simple accounts of a batch and the ids of the others."""

    facts: FactColumns
    numbers: dict[int, str] = field(default_factory=dict)
    provider_ids: dict[str, int] = field(default_factory=dict)
    scope_account_ids: list[int] = field(default_factory=list)
    slow: list[int] = field(default_factory=list)
    house_of: dict[int, int] = field(default_factory=dict)
    """Account id → house id, for every account of the batch."""
    skipped: bool = False
    """Some account of the batch has a service that was left out (``skip``)."""


def _days(column: Any, session: Session) -> Any:
    """SQL: the date as days since 1970-01-01 (an integer), NULL as :data:`FAR`."""
    if session.get_bind().dialect.name == "postgresql":
        expr = column - func.to_date("1970-01-01", "YYYY-MM-DD")
    else:
        expr = func.cast(func.julianday(column) - 2440587.5, BigInteger())
    return func.coalesce(expr, FAR)


def _arrays(session: Session, stmt: Select[*tuple[Any, ...]]) -> dict[str, Any]:
    """Columns of ``stmt``: integer columns as int64 arrays, the others as lists.

    The rows are fetched at once from the driver's cursor (a batch's facts fit in memory):
    the statements select only integers and strings (dates come as day numbers), which need
    no SQLAlchemy result processing, and a server-side cursor's round trips and per-row
    ``Row`` objects cost more than the query on PostgreSQL.
    """
    result = session.connection().execute(stmt)
    try:
        keys = list(result.keys())
        rows = result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()
    merged = list(zip(*rows, strict=True)) if rows else [() for _ in keys]
    out: dict[str, np.ndarray | list] = {}
    for key, values in zip(keys, merged, strict=True):
        if values and isinstance(values[0], (int, bool)) and not isinstance(values[0], str):
            out[key] = np.array(values, dtype=np.int64)
        elif not values:
            out[key] = np.zeros(0, dtype=np.int64)
        else:
            out[key] = list(values)
    return out


def _codes(values: list[str], vocab: dict[str, int]) -> np.ndarray:
    """Codes of ``values`` in ``vocab``; new values get the next codes in first-seen order."""
    for v in dict.fromkeys(values):
        vocab.setdefault(v, len(vocab))
    return np.fromiter(map(vocab.__getitem__, values), dtype=np.int32, count=len(values))


class ColumnReader:
    """Reads the facts of one period for batches of houses as columns."""

    def __init__(self, session: Session, period: str | Period):
        self.session = session
        self.period = period if isinstance(period, Period) else Period.parse(period)
        p = self.period
        self.first, self.last = day_number(p.first_day), day_number(p.last_day)
        self.prev_first = day_number(p.shift(-1).first_day)
        self.hist_first = day_number(p.shift(-13).first_day)
        self.month = (p.year - 1970) * 12 + p.month - 1
        self.rows = FactsReader(session, p)

    def for_houses(self, house_ids: Sequence[int], *, skip: frozenset[str] = frozenset()
                   ) -> ColumnBatch:
        """Columns of the simple accounts of ``house_ids``; the rest in ``slow``; services
        ``skip`` left out (the house step calculates common property)."""
        houses = list(house_ids)
        premises = select(Premises.id).where(Premises.house_id.in_(houses))
        providers = self.rows._provider_codes()
        scope = list(self.session.scalars(
            select(AccountRow.id).where(AccountRow.premises_id.in_(premises))))
        acc = self._accounts(premises)
        svc, skipped = self._services(premises, skip)
        house = self._houses(houses)
        slow = np.zeros(len(acc["id"]), dtype=bool)
        a_of = np.searchsorted(acc["id"], svc["account_id"])
        # several contracts of one service in the month → the situation path picks the latest
        names = svc["service"] if len(svc["account_id"]) else []
        same = np.array([names[i] == names[i - 1] for i in range(1, len(names))], dtype=bool)
        dup = np.zeros(len(names), dtype=bool)
        if len(names) > 1:
            same &= svc["account_id"][1:] == svc["account_id"][:-1]
            dup[1:] |= same
            dup[:-1] |= same
        slow[a_of[dup]] = True
        persons = self._persons(premises, acc)
        # a temporary absence gives recalculation lines: only the situation path books them
        away = set(self.rows.absences(premises))
        slow |= np.array([p in away for p in acc["premises_id"].tolist()], dtype=bool)
        # standing acts of refused access: the rules count them on the situation path
        refused = set(self.rows.access_refusals(premises))
        slow |= np.array([p in refused for p in acc["premises_id"].tolist()], dtype=bool)
        slow |= self._second_stage(houses, premises, acc, svc, a_of)
        h_of = np.searchsorted(house["id"], acc["house_id"])
        slow |= house["bad"][h_of]
        meters = MeterColumns(self, premises, acc)
        slow |= meters.slow_accounts
        # a room of a communal flat with a shared meter: its split is the situation path's
        flats = {f for f in self.session.scalars(select(MeterRow.premises_id).where(
            MeterRow.kind == "shared", MeterRow.premises_id.in_(
                select(Premises.parent_id).where(Premises.id.in_(premises))))) if f is not None}
        if flats:
            slow |= np.isin(acc["flat_id"], np.array(sorted(flats), dtype=np.int64))
        facts = self._facts(premises, acc, svc, a_of, house, h_of, persons, meters, providers,
                           slow)
        numbers = dict(zip(acc["id"].tolist(), acc["number"], strict=True))
        return ColumnBatch(facts=facts, numbers=numbers,
                           provider_ids={c: i for i, c in providers.items()},
                           scope_account_ids=scope,
                           slow=acc["id"][slow].tolist(),
                           house_of=dict(zip(acc["id"].tolist(), acc["house_id"].tolist(),
                                             strict=True)), skipped=skipped)

    def _second_stage(self, houses, premises, acc, svc, a_of) -> np.ndarray:
        """Accounts with a benefit of the month, or a service an incident of the month in
        their house (or premises) concerns: the situation path gives their extra lines."""
        scope = select(AccountRow.id).where(AccountRow.premises_id.in_(premises))
        holders = set(self.rows.benefits(scope))
        out = np.array([a in holders for a in acc["id"].tolist()], dtype=bool)
        incidents = [i for found in self.rows.incidents(houses, premises).values()
                     for i in found]
        if incidents and len(a_of):
            house_of = acc["house_id"][a_of].tolist()
            prem_of = acc["premises_id"][a_of].tolist()
            flat_of = acc["flat_id"][a_of].tolist()  # a room's communal flat, else 0
            hit = {("house", i.house_id, i.service) if i.premises_id is None
                   else ("premises", i.premises_id, i.service) for i in incidents}
            touched = [("house", h, s) in hit or ("premises", p, s) in hit
                       or ("premises", f, s) in hit
                       for h, p, f, s in zip(house_of, prem_of, flat_of, svc["service"],
                                             strict=True)]
            out[a_of[np.array(touched, dtype=bool)]] = True
        return out

    def _accounts(self, premises) -> dict[str, Any]:
        p = self.period
        out = _arrays(self.session, select(
            AccountRow.id, AccountRow.number, AccountRow.premises_id, Premises.house_id,
            func.coalesce(Premises.parent_id, 0).label("flat_id"),
            Premises.kind, Premises.area_micro, Premises.amenities,
        ).join(Premises, AccountRow.premises_id == Premises.id)
            .where(AccountRow.premises_id.in_(premises),
                   overlapping(AccountRow.opened_on, AccountRow.closed_on, p.first_day,
                               p.last_day))
            .order_by(AccountRow.id))
        if not len(out["id"]):
            out.update(number=[], kind=[], amenities=[])
        out["amenities"] = [a or "full" for a in out["amenities"]]
        return out

    def _services(self, premises, skip: frozenset[str] = frozenset()
                  ) -> tuple[dict[str, Any], bool]:
        """The batch's services without those of ``skip``, and whether any was left out
        (read whole and filtered here: the batch's common-property step needs to know)."""
        p = self.period
        stmt = select(
            ServiceRow.account_id, ServiceRow.service, ServiceRow.provider_id,
        ).join(AccountRow, AccountRow.id == ServiceRow.account_id).where(
            AccountRow.premises_id.in_(premises),
            overlapping(ServiceRow.date_from, ServiceRow.date_to, p.first_day, p.last_day),
            overlapping(AccountRow.opened_on, AccountRow.closed_on, p.first_day, p.last_day),
        ).order_by(ServiceRow.account_id, ServiceRow.service)
        svc = _arrays(self.session, stmt)
        names = svc["service"] if len(svc["account_id"]) else []
        drop = np.fromiter((s in skip for s in names), dtype=bool, count=len(names))
        if not drop.any():
            return svc, False
        keep = ~drop
        return {"account_id": svc["account_id"][keep],
                "service": [s for s, k in zip(names, keep.tolist(), strict=True) if k],
                "provider_id": svc["provider_id"][keep]}, True

    def _houses(self, house_ids: list[int]) -> dict[str, Any]:
        volumes = self.rows._house_heating_volumes(house_ids)
        cols = _arrays(self.session, select(
            HouseRow.id, HouseRow.house_type, HouseRow.house_heat_meter,
            HouseRow.heating_payment, HouseRow.total_area_micro,
        ).where(HouseRow.id.in_(house_ids)).order_by(HouseRow.id))
        ids = np.asarray(cols["id"], dtype=np.int64)
        types = list(cols["house_type"]) if len(ids) else []
        return {
            "id": ids,
            "bad": np.array([t not in HOUSE_TYPES for t in types] or [False])[:len(ids)],
            "type": [HOUSE_TYPES.get(t, "apartment_building") for t in types],
            "heat_meter": np.array(
                [heat_meter_counts(bool(m), h in volumes, p) for h, m, p in zip(
                    ids.tolist(), cols["house_heat_meter"], cols["heating_payment"],
                    strict=True)], dtype=bool),
            "payment": list(cols["heating_payment"]) if len(ids) else [],
            "total": np.asarray(cols["total_area_micro"], dtype=np.int64),
            "volume": np.array([volumes.get(h, -1) for h in ids.tolist()], dtype=np.int64),
        }

    def _persons(self, premises, acc) -> tuple[np.ndarray, PersonsRuns]:
        """Residents of each account's premises on every day (owners when none), and the
        runs of days (``persons_runs``, held by account index) of the accounts whose count
        changes inside the month (their first value is then the first day's)."""
        cols = _arrays(self.session, select(
            Registration.premises_id, _days(Registration.date_from, self.session).label("f"),
            _days(Registration.date_to, self.session).label("t"),
        ).where(Registration.premises_id.in_(premises),
                overlapping(Registration.date_from, Registration.date_to,
                            self.period.first_day, self.period.last_day)))
        held, of_acc = np.unique(acc["premises_id"], return_inverse=True)
        reg = np.asarray(cols["premises_id"], np.int64)
        at = np.minimum(np.searchsorted(held, reg), max(len(held) - 1, 0))
        mine = held[at] == reg if len(held) else np.zeros(len(reg), bool)
        # a premises without an account in the month is nobody's to count
        where, f, t = at[mine], cols["f"][mine], cols["t"][mine]
        owners = self.rows._owners(premises)
        own = np.array([owners.get(p, 0) for p in held.tolist()], dtype=np.int64)
        active = (f <= self.first) & (t >= self.first)
        change = ((f > self.first) & (f <= self.last)) | ((t >= self.first) & (t < self.last))
        count = np.bincount(where, weights=active, minlength=len(held)).astype(np.int64)
        persons = np.where(count > 0, count, own)
        changed = np.flatnonzero(np.bincount(where, weights=change, minlength=len(held)) > 0)
        pick = np.isin(where, changed)
        runs = persons_runs(self.first, self.period.days, np.searchsorted(changed, where[pick]),
                            f[pick], t[pick], own[changed])
        # one run (one person leaves as another comes, the last one leaves as many owners):
        # the month is whole at the first day's count
        cut = (np.bincount(runs.holder, minlength=len(changed)) > 1)[runs.holder]
        runs = PersonsRuns(holder=changed[runs.holder[cut]], first=runs.first[cut],
                           last=runs.last[cut], persons=runs.persons[cut])
        return persons[of_acc], spread(runs, of_acc, len(held))

    def _facts(self, premises, acc, svc, a_of, house, h_of, persons, meters, providers, slow
               ) -> FactColumns:
        persons, runs = persons
        keep = ~slow[a_of]
        a_of = a_of[keep]
        runs = spread(runs, a_of, len(acc["id"]))
        services = [s for s, k in zip(svc["service"], keep.tolist(), strict=True) if k]
        vocab: dict[str, dict[str, int]] = {k: {} for k in (
            "service", "provider", "house_type", "heating_payment", "premises_kind",
            "amenities")}
        # the batch's premises (a superset of the facts'): looked up per fact below
        installable = self.rows._installability(premises)
        prem = acc["premises_id"][a_of]
        hf = h_of[a_of]
        codes = {
            "service": _codes(services, vocab["service"]),
            "provider": _codes([providers[p] for p in svc["provider_id"][keep].tolist()],
                               vocab["provider"]),
            "house_type": _codes([house["type"][h] for h in hf.tolist()], vocab["house_type"]),
            "heating_payment": _codes([house["payment"][h] for h in hf.tolist()],
                                      vocab["heating_payment"]),
            "premises_kind": _codes([acc["kind"][a] for a in a_of.tolist()],
                                    vocab["premises_kind"]),
            "amenities": _codes([acc["amenities"][a] for a in a_of.tolist()],
                                vocab["amenities"]),
        }
        flags = {
            "meter_installable": np.array(
                [installable.get((p, s), True) for p, s in zip(prem.tolist(), services,
                                                                strict=True)], dtype=bool),
            "house_heat_meter": house["heat_meter"][hf],
        }
        return meters.columns(self.period, acc["id"][a_of], prem, services, codes,
                              {k: list(v) for k, v in vocab.items()}, flags,
                              area=acc["area_micro"][a_of], persons=persons[a_of],
                              house_total=house["total"][hf], house_volume=house["volume"][hf],
                              runs={"p_fact": runs.holder.astype(np.int32),
                                    "p_first": runs.first, "p_last": runs.last,
                                    "p_persons": runs.persons})


class MeterColumns:
    """Individual meters of a batch with their zones and the readings the situation path loads."""

    def __init__(self, reader: ColumnReader, premises, acc):
        self.r, s = reader, reader.session
        p = reader.period
        m = _arrays(s, select(
            MeterRow.id, MeterRow.premises_id, MeterRow.service,
            func.coalesce(MeterRow.capacity_micro, 0).label("capacity"),
            _days(MeterRow.verified_until, s).label("verified"),
            _days(MeterRow.installed_on, s).label("installed"),
            _days(MeterRow.removed_on, s).label("removed"),
        ).where(MeterRow.premises_id.in_(premises), MeterRow.kind == "individual",
                overlapping(MeterRow.installed_on, MeterRow.removed_on, p.first_day,
                            p.last_day)).order_by(MeterRow.id))
        self.m = m
        n = len(m["id"])
        self.zones = self._zones(premises)
        self._read(n)
        # route: several meters of a service, installed/removed inside, readings after expiry
        key: dict[tuple[int, str], int] = {}
        multi = np.zeros(n, dtype=bool)
        for i, (pr, sv) in enumerate(zip(m["premises_id"].tolist() if n else [],
                                         m["service"] if n else [], strict=True)):
            if (pr, sv) in key:
                multi[i] = multi[key[(pr, sv)]] = True
            key[(pr, sv)] = i
        self.table.meter_of = key
        bad = multi | (m["installed"] >= reader.first if n else multi)
        if n:
            bad |= m["removed"] < reader.last
            bad |= self.late
        bad_prem = set(m["premises_id"][bad].tolist()) if n else set()
        self.slow_accounts = np.array([p in bad_prem for p in acc["premises_id"].tolist()],
                                      dtype=bool)

    def _zones(self, premises) -> dict[int, tuple[str, ...]]:
        p = self.r.period
        cols = _arrays(self.r.session, select(MeterZone.meter_id, MeterZone.zone)
                       .join(MeterRow, MeterRow.id == MeterZone.meter_id)
                       .where(MeterRow.premises_id.in_(premises),
                              MeterRow.kind == "individual",
                              overlapping(MeterRow.installed_on, MeterRow.removed_on,
                                          p.first_day, p.last_day)))
        zones: dict[int, list[str]] = {}
        for mid, z in zip(cols["meter_id"].tolist(), list(cols["zone"]), strict=True):
            zones.setdefault(mid, []).append(z)
        return {mid: tuple(sorted(zs, key=lambda z: ZONE_ORDER.get(z, 9)))
                for mid, zs in zones.items()}

    def _readings(self, ids: list[int], since: int, until: int) -> dict[str, Any]:
        s = self.r.session
        day = _days(ReadingRow.taken_on, s)
        # the date range on the column itself, so the (meter, zone, taken_on) index serves it
        first, last = EPOCH + timedelta(days=since), EPOCH + timedelta(days=until)
        dialect = s.get_bind().dialect.name
        step = max(len(ids), 1) if dialect == "postgresql" else 20_000
        parts = []
        for i in range(0, len(ids), step):
            chunk = ids[i:i + step]
            chosen = among(ReadingRow.meter_id, chunk, dialect, name=f"meters_{i}")
            parts.append(_arrays(s, select(
                ReadingRow.meter_id, ReadingRow.zone, day.label("day"), ReadingRow.value_micro,
                ReadingRow.id,
            ).where(chosen, ReadingRow.taken_on >= first, ReadingRow.taken_on <= last,
                    is_current())))
        return {k: (np.concatenate([np.asarray(p[k], dtype=np.int64) for p in parts])
                    if k != "zone" else [z for p in parts for z in p[k]])
                for k in ("meter_id", "zone", "day", "value_micro", "id")} if parts else {
            k: (np.zeros(0, np.int64) if k != "zone" else []) for k in
            ("meter_id", "zone", "day", "value_micro", "id")}

    def _read(self, n: int) -> None:
        """Zone rows (meter, position) with previous/current readings and the history."""
        from zhkh.modules.billing.columns_readings import ReadingTable

        self.table = ReadingTable(self, n)
        self.late = self.table.late

    def columns(self, period, account, prem, services, codes, vocab, flags, **per_fact):
        """The :class:`FactColumns` of the facts (premises × service) given."""
        return self.table.columns(period, account, prem, services, codes, vocab, flags,
                                  **per_fact)
