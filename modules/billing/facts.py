"""Facts of the database → situations for the calculation, in bulk, one batch of houses at a time.

Every table is read once per batch as columns (``stream_columns``) filtered by the batch's
houses (or by a few accounts for the online path), then grouped in Python into one
:class:`~zhkh.kernel.calc.situation.Situation` per house. The situations are built with
``model_construct``: the database constraints already hold what the validators check, and
validation would cost more than the calculation itself (see ``benchmarks/bench_run.py``).

Attributes the rules derive are left to them: the heating season (``House.heating_season``
None: the calendar in ``rules/facts/``) and the count of refusals of access to a meter (the
dates of the standing acts go in ``AccountService.access_refusals``; the rules count them).

Benefit assignments (passport) and closed quality incidents (complaints) that overlap the period
become the situation's ``benefits`` and ``incidents``: the second stage of the calculation
turns them into ``benefit`` and ``quality_reduction`` lines.

Meter readings are read lean: the previous and the current month for every meter, and the
12 months of history (п. 59) only for meters whose readings are missing, because only the
average method and the months-without-readings count look further back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.inputs import Absence as AbsenceIn
from zhkh.kernel.calc.inputs import BenefitAssignment as BenefitIn
from zhkh.kernel.calc.observations import HISTORY_WINDOW
from zhkh.kernel.calc.situation import (
    Account,
    AccountService,
    House,
    Meter,
    Overrides,
    Reading,
    Resident,
    SharedMeter,
    Situation,
)
from zhkh.kernel.period import Period
from zhkh.modules.billing.common import CommonServices, house_common, ledger_individual
from zhkh.modules.billing.facts_extras import (
    StoredIncident,
    read_benefits,
    read_incidents,
    situation_incidents,
)
from zhkh.modules.billing.facts_heating import with_heating_year
from zhkh.modules.billing.house_meters import average, house_volumes
from zhkh.modules.db.bulk import stream_columns
from zhkh.modules.db.repository import active_on, overlapping
from zhkh.modules.meters.models import AccessRefusal, MeterZone
from zhkh.modules.meters.models import Meter as MeterRow
from zhkh.modules.meters.models import Reading as ReadingRow
from zhkh.modules.meters.repository import is_current
from zhkh.modules.passport.models import Absence, OwnershipShare, Registration
from zhkh.modules.registry.models import Account as AccountRow
from zhkh.modules.registry.models import AccountService as ServiceRow
from zhkh.modules.registry.models import House as HouseRow
from zhkh.modules.registry.models import MeterInstallability, Premises, Provider

HOUSE_TYPES: dict[str, Literal["apartment_building", "private"]] = {
               "apartment": "apartment_building", "apartment_building": "apartment_building",
               "private": "private"}
"""Registry house-type codes → the ``house_type`` fact the rules read (``apartment`` is kept
as an alias for houses registered before the registry used the rules' own code)."""

IN_CHUNK = 900
HEATING_AVERAGE_MONTHS = 6
"""Months of a house heat meter's history averaged when its reading is missing (п. 59(1))."""
"""Ids per ``IN (…)`` list (far below SQLite's and PostgreSQL's parameter limits)."""


@dataclass(slots=True)
class FactError:
    """Facts that cannot become a situation (an unknown house type …), as a value."""

    account_id: int
    service: str | None
    code: str
    message: str


@dataclass(slots=True)
class BatchFacts:
    """Situations of a batch (one per house) and the ids the ledger writer needs."""

    period: str
    situations: list[Situation] = field(default_factory=list)
    account_ids: dict[str, int] = field(default_factory=dict)
    """Account number → id, for every account in a situation."""
    provider_ids: dict[str, int] = field(default_factory=dict)
    """Provider code → id."""
    scope_account_ids: list[int] = field(default_factory=list)
    """Every account of the scope, with or without services (their old lines are replaced)."""
    errors: list[FactError] = field(default_factory=list)


def _dec(micro: int) -> Decimal:
    return Decimal(micro).scaleb(-6)


def _columns(session: Session, stmt: Select[*tuple[Any, ...]]) -> dict[str, list[Any]]:
    """All rows of ``stmt`` as one columnar dict (streamed in batches)."""
    merged: dict[str, list[Any]] = {str(c.key): [] for c in stmt.selected_columns}
    for part in stream_columns(session, stmt):
        for key, values in part.items():
            merged[key].extend(values)
    return merged


def _rows(cols: dict[str, list[Any]]) -> Iterable[tuple[Any, ...]]:
    return zip(*cols.values(), strict=True)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), IN_CHUNK):
        yield list(ids[i:i + IN_CHUNK])


def heat_meter_counts(has_meter: bool, has_volume: bool, payment: str | None) -> bool:
    """Whether the house's heat meter counts for the month's heating (both run paths): one
    without a volume or history is as none (by the norm), unless heating is paid evenly —
    ф. 3(1) needs no month's volume."""
    return has_meter and (has_volume or payment == "evenly")


class FactsReader:
    """Reads the facts of one period for batches of houses or for single accounts."""

    def __init__(self, session: Session, period: str | Period,
                 common: CommonServices | None = None):
        self.session = session
        self.common = common if common is not None else CommonServices()
        self.period = period if isinstance(period, Period) else Period.parse(period)
        self.first, self.last = self.period.first_day, self.period.last_day
        self.prev_first = self.period.shift(-1).first_day
        self.hist_first = self.period.shift(-(HISTORY_WINDOW + 1)).first_day
        self._providers: dict[int, str] | None = None

    # public -------------------------------------------------------------------------------

    def for_houses(self, house_ids: Sequence[int], *, skip: frozenset[str] = frozenset()
                   ) -> BatchFacts:
        """Situations of the houses ``house_ids`` (houses without billable accounts omitted);
        services ``skip`` left out (the run's house step calculates common property)."""
        houses = list(house_ids)
        scope = select(Premises.id).where(Premises.house_id.in_(houses))
        accounts = select(AccountRow.id).where(AccountRow.premises_id.in_(scope))
        return self._build(houses, scope, accounts, skip, whole=True)

    def for_accounts(self, account_ids: Sequence[int], *, skip: frozenset[str] = frozenset()
                     ) -> BatchFacts:
        """Situations holding only ``account_ids`` (with their houses' data; for common
        property, the other accounts' volumes of the month from the ledger)."""
        ids = list(account_ids)
        scope = select(AccountRow.premises_id).where(AccountRow.id.in_(ids))
        houses = list(self.session.scalars(
            select(Premises.house_id).where(Premises.id.in_(scope)).distinct()))
        accounts = select(AccountRow.id).where(AccountRow.id.in_(ids))
        return self._build(houses, scope, accounts, skip, whole=False)

    # assembly -----------------------------------------------------------------------------

    def _build(self, houses: list[int], premises_scope, account_scope,
               skip: frozenset[str] = frozenset(), whole: bool = True) -> BatchFacts:
        out = BatchFacts(period=str(self.period))
        providers = self._provider_codes()
        out.provider_ids = {code: pid for pid, code in providers.items()}
        out.scope_account_ids = list(self.session.scalars(account_scope))
        services = self._services(account_scope, skip)
        common = bool(set(services["service"]) & set(self.common.resource))
        house_info = self._houses(houses, common,
                                  None if whole or not common else out.scope_account_ids)
        if not services["account_id"]:
            return out
        installable = self._installability(premises_scope)
        residents = self._residents(premises_scope)
        absences = self.absences(premises_scope)
        benefits = self.benefits(account_scope)
        incidents = self.incidents(houses, premises_scope)
        owners = self._owners(premises_scope)
        meters = self._meters(premises_scope)
        shared = self._shared_meters(premises_scope)
        refusals = self.access_refusals(premises_scope)
        accounts: dict[int, dict[str, Any]] = {}
        for (acc_id, number, house_id, prem_id, parent_id, kind, area, rooms, amenities,
             service, provider_id, _from) in _rows(services):
            acc = accounts.get(acc_id)
            if acc is None:
                acc = accounts[acc_id] = {
                    "number": number, "house": house_id, "premises": prem_id,
                    "flat": parent_id, "kind": kind,
                    "area": area, "rooms": rooms, "amenities": amenities or "full",
                    "services": {}}
            # a service changed provider inside the month: the latest contract is charged
            acc["services"][service] = providers[provider_id]
        sharing: dict[tuple[int, str], set[int]] = defaultdict(set)
        for acc in accounts.values():
            for code in acc["services"]:
                if (acc["flat"], code) in shared:
                    sharing[(acc["flat"], code)].add(acc["premises"])
        by_house: dict[int, list[Account]] = defaultdict(list)
        for acc_id, acc in accounts.items():
            if acc["house"] not in house_info:
                continue
            prem = acc["premises"]
            acts = refusals.get(prem, [])
            svc = [
                AccountService.model_construct(
                    service=code, provider=provider,
                    meter_installable=installable.get((prem, code), True),
                    meter_access_refusals=None,
                    access_refusals=[d for who, s, d in acts
                                     if s == code and who in (None, acc_id)],
                    meters=meters.get((prem, code), []),
                    shared_meter=_shared_of(shared.get((acc["flat"], code)),
                                            sharing.get((acc["flat"], code), set())))
                for code, provider in acc["services"].items()]
            by_house[acc["house"]].append(Account.model_construct(
                number=acc["number"], area=_dec(acc["area"]), rooms=acc["rooms"],
                premises_kind=acc["kind"], amenities=acc["amenities"],
                owners=owners.get(prem, 0), residents=residents.get(prem, []), services=svc))
            out.account_ids[acc["number"]] = acc_id
        premises_of = {acc["number"]: acc["premises"] for acc in accounts.values()}
        # a room of a communal flat is concerned by the incidents of its flat too
        concerned = {acc["number"]: (acc["premises"], acc["flat"]) for acc in accounts.values()}
        for house_id, house_accounts in by_house.items():
            house, error = house_info[house_id]
            if error is not None:
                out.errors += [FactError(out.account_ids[a.number], None, "bad_house", error)
                               for a in house_accounts]
                continue
            out.situations.append(Situation.model_construct(
                period=str(self.period), house=house, accounts=house_accounts,
                overrides=Overrides.model_construct(tariffs={}, norms={}),
                absences=[
                    AbsenceIn.model_construct(account=a.number, person=person, start=start,
                                            end=end, documents=documents)
                    for a in house_accounts
                    for person, start, end, documents in absences.get(premises_of[a.number], [])
                ],
                benefits=[
                    BenefitIn.model_construct(account=a.number, person=person,
                                              category=category, start=start, end=end)
                    for a in house_accounts
                    for person, category, start, end in benefits.get(
                        out.account_ids[a.number], [])
                ],
                incidents=situation_incidents(incidents.get(house_id, []), house_accounts,
                                              concerned)))
        out.situations = with_heating_year(self.session, self.period, out.situations,
                                           out.account_ids)
        return out

    def _provider_codes(self) -> dict[int, str]:
        if self._providers is None:
            self._providers = dict(
                self.session.execute(select(Provider.id, Provider.code)).all())
        return self._providers

    def _houses(self, house_ids: list[int], common: bool = False,
                 others_of: list[int] | None = None) -> dict[int, tuple[House, str | None]]:
        """The houses' attributes; with ``common``, their common-property facts too (and
        with ``others_of``, the month's volumes of their accounts other than those, from the
        ledger)."""
        found: dict[int, tuple[House, str | None]] = {}
        volumes = self._house_heating_volumes(house_ids)
        shared = house_common(self.session, self.period, house_ids,
                              set(self.common.resource.values())) if common else {}
        other = ledger_individual(self.session, str(self.period), house_ids, others_of,
                                  self.common) if others_of is not None else {}
        for chunk in _chunks(house_ids):
            cols = _columns(self.session, select(
                HouseRow.id, HouseRow.house_type, HouseRow.house_heat_meter,
                HouseRow.heating_payment, HouseRow.total_area_micro,
            ).where(HouseRow.id.in_(chunk)))
            for hid, htype, heat_meter, payment, total in _rows(cols):
                fact_type = HOUSE_TYPES.get(htype)
                error = None if fact_type else (
                    f"дом {hid}: тип дома {htype!r} неизвестен правилам; "
                    f"допустимы: {', '.join(HOUSE_TYPES)}")
                volume = volumes.get(hid)
                mine = shared.get(hid)
                found[hid] = (House.model_construct(
                    id=str(hid), house_type=fact_type or "apartment_building",
                    heat_meter=heat_meter_counts(bool(heat_meter), volume is not None,
                                                 payment),
                    heating_payment=payment,
                    heating_season=None,
                    total_area=_dec(total) if total else None,
                    heating_volume=_dec(volume) if volume is not None else None,
                    common_area=_dec(mine.common_area) if mine and mine.common_area else None,
                    common_cap_lifted=bool(mine and mine.cap_lifted),
                    resources=mine.resources({r: v for (h, r), v in other.items() if h == hid})
                    if mine else []), error)
        return found

    def _services(self, account_scope, skip: frozenset[str] = frozenset()
                  ) -> dict[str, list[Any]]:
        stmt = (
            select(AccountRow.id.label("account_id"), AccountRow.number, Premises.house_id,
                   Premises.id.label("premises_id"), Premises.parent_id, Premises.kind,
                   Premises.area_micro,
                   Premises.rooms, Premises.amenities, ServiceRow.service,
                   ServiceRow.provider_id, ServiceRow.date_from)
            .join(Premises, AccountRow.premises_id == Premises.id)
            .join(ServiceRow, ServiceRow.account_id == AccountRow.id)
            .where(AccountRow.id.in_(account_scope),
                   overlapping(ServiceRow.date_from, ServiceRow.date_to, self.first, self.last),
                   overlapping(AccountRow.opened_on, AccountRow.closed_on, self.first,
                               self.last))
            .order_by(AccountRow.id, ServiceRow.service, ServiceRow.date_from))
        if skip:
            stmt = stmt.where(ServiceRow.service.not_in(sorted(skip)))
        return _columns(self.session, stmt)

    def _installability(self, premises_scope) -> dict[tuple[int, str], bool]:
        cols = _columns(self.session, select(
            MeterInstallability.premises_id, MeterInstallability.service,
            MeterInstallability.installable,
        ).where(MeterInstallability.premises_id.in_(premises_scope)))
        return {(p, s): bool(i) for p, s, i in _rows(cols)}

    def _residents(self, premises_scope) -> dict[int, list[Resident]]:
        cols = _columns(self.session, select(
            Registration.premises_id, Registration.person_id, Registration.kind,
            Registration.date_from, Registration.date_to,
        ).where(Registration.premises_id.in_(premises_scope),
                overlapping(Registration.date_from, Registration.date_to, self.first, self.last))
            .order_by(Registration.premises_id, Registration.id))
        out: dict[int, list[Resident]] = defaultdict(list)
        for prem, person, kind, start, end in _rows(cols):
            out[prem].append(Resident.model_construct(
                person=str(person), kind=kind, start=start, end=end))
        return out

    def absences(self, premises_scope) -> dict[int, list[tuple[str, date, date, bool]]]:
        """Temporary absences overlapping the period of persons registered in the premises
        during it (ПП 354 разд. VIII): premises → (person, departure, return, documents)."""
        registered = (select(Registration.premises_id, Registration.person_id)
                      .where(Registration.premises_id.in_(premises_scope),
                             overlapping(Registration.date_from, Registration.date_to,
                                         self.first, self.last))
                      .distinct().subquery())
        cols = _columns(self.session, select(
            registered.c.premises_id, Absence.person_id, Absence.date_from, Absence.date_to,
            Absence.document,
        ).join(registered, registered.c.person_id == Absence.person_id)
            .where(overlapping(Absence.date_from, Absence.date_to, self.first, self.last))
            .order_by(registered.c.premises_id, Absence.person_id, Absence.date_from))
        out: dict[int, list[tuple[str, date, date, bool]]] = defaultdict(list)
        for prem, person, start, end, document in _rows(cols):
            out[prem].append((str(person), start, end, bool(document and document.strip())))
        return out

    def access_refusals(self, premises_scope) -> dict[int, list[tuple[int | None, str, date]]]:
        """Standing acts of refused access to a meter, dated up to the period's end: premises →
        (account or None for every account, service, date), by date. An act is voided by a
        later installation of an individual meter of its service in the premises (access
        was given) and by its cancellation."""
        installed_since = exists().where(
            MeterRow.premises_id == AccessRefusal.premises_id,
            MeterRow.service == AccessRefusal.service, MeterRow.kind == "individual",
            MeterRow.installed_on >= AccessRefusal.refused_on, MeterRow.installed_on <= self.last)
        cols = _columns(self.session, select(
            AccessRefusal.premises_id, AccessRefusal.account_id, AccessRefusal.service,
            AccessRefusal.refused_on,
        ).where(AccessRefusal.premises_id.in_(premises_scope),
                AccessRefusal.cancelled_at.is_(None), AccessRefusal.refused_on <= self.last,
                ~installed_since)
            .order_by(AccessRefusal.premises_id, AccessRefusal.refused_on, AccessRefusal.id))
        out: dict[int, list[tuple[int | None, str, date]]] = defaultdict(list)
        for prem, account, service, day in _rows(cols):
            out[prem].append((account, service, day))
        return out

    def benefits(self, account_scope) -> dict[int, list[tuple[str, str, date, date | None]]]:
        """Benefit assignments of the period (see :func:`facts_extras.read_benefits`)."""
        return read_benefits(self.session, account_scope, self.first, self.last)

    def incidents(self, house_ids: Sequence[int], premises_scope
                  ) -> dict[int, list[StoredIncident]]:
        """Closed quality incidents of the period (see :func:`facts_extras.read_incidents`)."""
        return read_incidents(self.session, house_ids, premises_scope, self.first, self.last)

    def _owners(self, premises_scope) -> dict[int, int]:
        """Owners of each premises counted where nobody is registered (п. 56(2)): those in
        force on the month's first day, or on its last day when more — a sale inside the
        month counts one owner, not the seller and the buyer together; the month is not
        split by days for owners."""
        def on(day: date) -> Any:
            return func.count(func.distinct(case(
                (active_on(OwnershipShare.date_from, OwnershipShare.date_to, day),
                 OwnershipShare.person_id))))

        cols = _columns(self.session, select(
            OwnershipShare.premises_id, on(self.first).label("first"),
            on(self.last).label("last"),
        ).where(OwnershipShare.premises_id.in_(premises_scope),
                overlapping(OwnershipShare.date_from, OwnershipShare.date_to, self.first,
                            self.last))
            .group_by(OwnershipShare.premises_id))
        return {p: max(a, b) for p, a, b in _rows(cols)}

    def _meters(self, premises_scope) -> dict[tuple[int, str], list[Meter]]:
        cols = _columns(self.session, select(
            MeterRow.id, MeterRow.serial, MeterRow.premises_id, MeterRow.service,
            MeterRow.capacity_micro, MeterRow.verified_until, MeterRow.installed_on,
            MeterRow.removed_on,
        ).where(MeterRow.premises_id.in_(premises_scope), MeterRow.kind == "individual",
                overlapping(MeterRow.installed_on, MeterRow.removed_on, self.first, self.last))
            .order_by(MeterRow.id))
        ids = cols["id"]
        if not ids:
            return {}
        zones = self._zones(ids)
        readings = self._readings(ids, self.prev_first)
        lacking = [mid for mid, inst in zip(ids, cols["installed_on"], strict=True)
                   if inst < self.first and not _has_recent(readings.get(mid), zones[mid],
                                                             self.prev_first, self.first)]
        if lacking:
            older = self._readings(lacking, self.hist_first, before=self.prev_first)
            for mid, rows in older.items():
                readings[mid] = rows + readings.get(mid, [])
        out: dict[tuple[int, str], list[Meter]] = defaultdict(list)
        for mid, serial, prem, service, cap, verified, inst, removed in _rows(cols):
            out[(prem, service)].append(Meter.model_construct(
                id=serial, zones=zones[mid], capacity=_dec(cap) if cap else None,
                verified_until=verified, installed=inst, removed=removed,
                readings=readings.get(mid, [])))
        return out

    def _shared_meters(self, premises_scope) -> dict[tuple[int, str], SharedFlat]:
        """Shared meters of the communal flats of the scope's rooms: (flat, service) → the
        meter with its readings and every room of the flat (residents on the period's last
        day, area)."""
        flats = select(Premises.parent_id).where(Premises.id.in_(premises_scope),
                                                 Premises.parent_id.is_not(None))
        cols = _columns(self.session, select(
            MeterRow.id, MeterRow.serial, MeterRow.premises_id, MeterRow.service,
        ).where(MeterRow.premises_id.in_(flats), MeterRow.kind == "shared",
                overlapping(MeterRow.installed_on, MeterRow.removed_on, self.first, self.last))
            .order_by(MeterRow.id))
        if not cols["id"]:
            return {}
        readings = self._readings(cols["id"], self.prev_first)
        flat_ids = sorted(set(cols["premises_id"]))
        rooms: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
        persons = dict(self.session.execute(
            select(Registration.premises_id, func.count())
            .join(Premises, Premises.id == Registration.premises_id)
            .where(Premises.parent_id.in_(flat_ids), Registration.date_from <= self.last,
                   (Registration.date_to.is_(None)) | (Registration.date_to >= self.last))
            .group_by(Registration.premises_id)).all())
        for room, flat, area in self.session.execute(
                select(Premises.id, Premises.parent_id, Premises.area_micro)
                .where(Premises.parent_id.in_(flat_ids))):
            if flat is not None:
                rooms[flat][room] = (persons.get(room, 0), area)
        return {(flat, service): SharedFlat(serial, readings.get(mid, []), rooms[flat])
                for mid, serial, flat, service in _rows(cols)}

    def _zones(self, meter_ids: list[int]) -> dict[int, list[str]]:
        zones: dict[int, list[str]] = defaultdict(list)
        for chunk in _chunks(meter_ids):
            cols = _columns(self.session, select(MeterZone.meter_id, MeterZone.zone)
                            .where(MeterZone.meter_id.in_(chunk)))
            for mid, zone in _rows(cols):
                zones[mid].append(zone)
        order = {"single": 0, "day": 1, "peak": 1, "half_peak": 2, "night": 3}
        return {mid: sorted(zs, key=lambda z: order.get(z, 9)) for mid, zs in zones.items()}

    def _readings(self, meter_ids: list[int], since: date, *, before: date | None = None
                  ) -> dict[int, list[Reading]]:
        out: dict[int, list[Reading]] = defaultdict(list)
        upto = self.last if before is None else before
        for chunk in _chunks(meter_ids):
            stmt = (select(ReadingRow.meter_id, ReadingRow.zone, ReadingRow.taken_on,
                           ReadingRow.value_micro)
                    .where(ReadingRow.meter_id.in_(chunk), ReadingRow.taken_on >= since,
                           (ReadingRow.taken_on < upto) if before is not None
                           else (ReadingRow.taken_on <= upto),
                           is_current())
                    .order_by(ReadingRow.meter_id, ReadingRow.taken_on, ReadingRow.id))
            for mid, zone, taken, value in _rows(_columns(self.session, stmt)):
                out[mid].append(Reading.model_construct(date=taken, value=_dec(value), zone=zone))
        return out

    def _house_heating_volumes(self, house_ids: list[int]) -> dict[int, int]:
        """Heat used in the period by each house with a heat meter (Σ of its house heating
        meters); a meter without the month's reading: the average of the house's previous
        months (п. 59(1), up to ``HEATING_AVERAGE_MONTHS``); none without history."""
        out: dict[int, int] = {}
        for (hid, _service), v in house_volumes(self.session, self.period, house_ids,
                                               ["heating"]).items():
            volume = v.volume if v.volume is not None else average(v.history,
                                                                   HEATING_AVERAGE_MONTHS)
            if volume is not None:
                out[hid] = volume
        return out

@dataclass(slots=True)
class SharedFlat:
    """A communal flat's shared meter of a service and the flat's rooms (persons, area)."""

    serial: str
    readings: list[Reading]
    rooms: dict[int, tuple[int, int]]


def _shared_of(flat: SharedFlat | None, present: set[int]) -> SharedMeter | None:
    """The shared meter as a room's account gives it: the rooms whose accounts are not in
    ``present`` (premises ids) counted as outside the situation."""
    if flat is None:
        return None
    outside = [v for room, v in flat.rooms.items() if room not in present]
    return SharedMeter.model_construct(
        id=flat.serial, zones=["single"], capacity=None, verified_until=None, failed_on=None,
        installed=None, removed=None, readings=flat.readings,
        other_persons=sum(p for p, _a in outside), other_area=_dec(sum(a for _p, a in outside)))


def _has_recent(readings: list[Reading] | None, zones: list[str], prev_first: date,
                first: date) -> bool:
    """Every zone has a reading in the previous month and one in the period."""
    if not readings:
        return False
    prev = {r.zone for r in readings if prev_first <= r.date < first}
    cur = {r.zone for r in readings if r.date >= first}
    return set(zones) <= prev and set(zones) <= cur
