"""A synthetic town for the demo and the benchmarks: houses, flats, accounts, services,
residents, owners, meters and monthly readings, written in bulk with explicit ids.

Everything comes from one ``random.Random(seed)``, so the same arguments give the same town.
Shares are rough but realistic: most flats have water and electricity meters (a third of the
electricity ones two-zone), some have none (most of those could install one → ×1.5), some
readings are missing, half of the houses have a heat meter. Every ``common_every``-th house
(none by default) bills common property (СОИ): its accounts have the common-property services
and the house has meters of cold and hot water and electricity, whose volume is the premises'
expected use plus a common part (so months differ: under the cap, capped, now and then
negative); once in a while a house meter's reading is missing (п. 59(1)). ``write_benefits``
gives a few percent of the households a benefit holder (veterans of labour, disabled persons, combat
veterans, large families), as the ``benefits`` rules name them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period
from zhkh.modules.db.base import Base
from zhkh.modules.db.bulk import insert_rows
from zhkh.modules.registry.account_number import make_account_number

PROVIDERS = (  # code, name, INN (fictional, with valid check digits)
    ("vodokanal", "МУП «Водоканал»", "7701000001"),
    ("teploset", "АО «Теплосеть»", "7701000026"),
    ("energosbyt", "АО «Энергосбыт»", "7701000033"),
    ("gorgaz", "АО «Горгаз»", "7701000040"),
    ("regoperator", "ООО «Региональный оператор ТКО»", "7701000058"),
    ("uk_dom", "ООО «УК Наш дом»", "7701000065"),
    ("fond_kr", "Фонд капитального ремонта", "7701000072"),
)
BASE_SERVICES = {
    "cold_water": "vodokanal", "hot_water": "teploset", "wastewater": "vodokanal",
    "electricity": "energosbyt", "heating": "teploset", "maintenance": "uk_dom",
    "capital_repair": "fond_kr", "solid_waste": "regoperator",
}
STREETS = ("ул. Ленина", "ул. Мира", "пр. Победы", "ул. Садовая", "ул. Школьная",
           "ул. Гагарина", "ул. Советская", "ул. Молодёжная", "ул. Лесная", "наб. Речная")
METERED = ("cold_water", "hot_water", "electricity", "gas")
MONTHLY_USE = {  # per person per month, in 1e-6 units: mean of the random use
    "cold_water": 3_300_000, "hot_water": 2_300_000, "electricity": 75_000_000,
    "gas": 9_000_000,
}
VERIFIED = date(2031, 12, 31)
COMMON_SERVICES = {"cold_water_common": "uk_dom", "hot_water_common": "uk_dom",
                   "electricity_common": "uk_dom", "wastewater_common": "uk_dom"}
"""Services of common property (СОИ) of a house that bills it (paid to the management company,
ЖК РФ ст. 154 ч. 2)."""
COMMON_METERS = ("cold_water", "hot_water", "electricity")
COMMON_NORM = {"cold_water": 25_000, "hot_water": 20_000, "electricity": 900_000}
"""About the shipped norms on common property per m² (1e-6), for the house meters' volumes."""
MISSING_HOUSE_READING = 17
"""A house meter whose id plus the month number divides by this sends no reading (п. 59(1))."""


@dataclass(slots=True)
class ZoneState:
    """Where a meter's register of one zone stands, and how fast it moves."""

    meter_id: int
    zone: str
    value: int
    use: int
    expires: date | None = None


@dataclass(slots=True)
class Town:
    """Ids and live state the scenario needs after the town is written."""

    houses: list[int] = field(default_factory=list)
    accounts: list[tuple[int, int]] = field(default_factory=list)
    """(account id, premises id)."""
    zones: list[ZoneState] = field(default_factory=list)
    house_meters: list[ZoneState] = field(default_factory=list)
    common_meters: list[ZoneState] = field(default_factory=list)
    """House meters of the resources of common property (read every month)."""
    premises_persons: dict[int, int] = field(default_factory=dict)
    residents: dict[int, list[tuple[int, date, date | None]]] = field(default_factory=dict)
    """Premises id → registered persons (person id, first day, last day or None)."""
    next_person: int = 1
    reading_seq: int = 0


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _put(session: Session, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
    if rows:
        insert_rows(session, _table(name), columns, rows)


class _Buffer:
    """Rows waiting to be written, per table, flushed in large bulk writes (parents first)."""

    def __init__(self, session: Session, limit: int = 50_000):
        self.session, self.limit = session, limit
        self.rows: dict[str, tuple[Sequence[str], list[tuple]]] = {}
        self.count = 0

    def put(self, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        known, pending = self.rows.get(name, ((), []))
        self.rows[name] = (known or columns, pending)
        pending.extend(rows)
        self.count += len(rows)

    def maybe_flush(self) -> None:
        """Flush when enough rows wait (call only where every child's parent is buffered)."""
        if self.count >= self.limit:
            self.flush()

    def flush(self) -> None:
        for name, (columns, rows) in self.rows.items():  # insertion order = parents first
            _put(self.session, name, columns, rows)
            rows.clear()
        self.count = 0


class TownBuilder:
    """Generates the town into ``session`` (the caller commits)."""

    def __init__(self, session: Session, rng: random.Random, *, accounts: int, houses: int,
                 start: Period, common_every: int = 0):
        self.s, self.rng = session, rng
        self.common_every = common_every
        self.n_accounts, self.n_houses = max(accounts, 1), max(1, min(houses, accounts))
        self.start = start
        self.opened = start.shift(-6).first_day
        self.town = Town()
        self.buf = _Buffer(session)
        for name in ("persons", "houses", "premises", "accounts", "account_services",
                     "premises_meter_installable", "meters", "meter_zones", "registrations",
                     "ownership_shares"):
            self.buf.rows[name] = ((), [])  # fixes the flush order: parents before children

    def build(self) -> Town:
        """Write providers, houses, premises, accounts, services, people and meters."""
        _put(self.s, "providers", ("id", "code", "name", "inn"),
             [(i, c, n, inn) for i, (c, n, inn) in enumerate(PROVIDERS, start=1)])
        _put(self.s, "management_companies", ("id", "name", "inn", "address", "phone"),
             [(1, "ООО «УК Наш дом»", "7701000065", "ул. Мира, д. 1, офис 1",
               "+7 (495) 123-45-67")])
        providers = {c: i for i, (c, _n, _inn) in enumerate(PROVIDERS, start=1)}
        per_house = [self.n_accounts // self.n_houses] * self.n_houses
        for i in range(self.n_accounts % self.n_houses):
            per_house[i] += 1
        account_id = meter_id = 0
        for h, flats in enumerate(per_house, start=1):
            rows = self._house(h, flats, account_id, meter_id, providers)
            account_id += flats
            meter_id = rows
        self.buf.flush()
        return self.town

    def _house(self, h: int, flats: int, first_account: int, first_meter: int,
               providers: dict[str, int]) -> int:
        rng, t = self.rng, self.town
        gas = rng.random() < 0.3
        intercom = rng.random() < 0.5
        areas = [rng.randint(30_000_000, 120_000_000) for _ in range(flats)]
        heat_meter = rng.random() < 0.5
        self.buf.put("houses",
             ("id", "management_company_id", "address", "house_type", "house_heat_meter",
              "heating_payment", "total_area_micro", "common_area_micro"),
             [(h, 1, f"{STREETS[h % len(STREETS)]}, д. {h}", "apartment_building", heat_meter,
               "season", sum(areas), sum(areas) // 10)])
        t.houses.append(h)
        premises, accounts, services, install, mzones = [], [], [], [], []
        meters: list[tuple[Any, ...]] = []
        meter_id = first_meter
        common = self.common_every > 0 and h % self.common_every == 0
        expected = dict.fromkeys(COMMON_METERS, 0)
        for f, area in enumerate(areas):
            pid = aid = first_account + f + 1
            amenities = "no_bath" if rng.random() < 0.05 else "full"
            premises.append((pid, h, str(f + 1), "flat", area, rng.randint(1, 4), amenities))
            accounts.append((aid, make_account_number(aid), pid, self.opened))
            t.accounts.append((aid, pid))
            codes = dict(BASE_SERVICES)
            if gas:
                codes["gas"] = "gorgaz"
            if intercom:
                codes["intercom"] = "uk_dom"
            if common:
                codes.update(COMMON_SERVICES)
            services += [(aid, code, providers[p], self.opened) for code, p in codes.items()]
            persons = self._people(pid)
            for service in COMMON_METERS:
                expected[service] += MONTHLY_USE[service] * max(persons, 1)
            for service in METERED:
                if service not in codes:
                    continue
                chance = {"electricity": 0.95, "gas": 0.7}.get(service, 0.85)
                if rng.random() >= chance:
                    if service != "electricity":
                        install.append((pid, service, rng.random() < 0.6))
                    continue
                meter_id += 1
                zones = ("day", "night") if service == "electricity" and rng.random() < 0.3 \
                    else ("single",)
                expires = (self.start.shift(rng.randint(1, 8)).first_day - timedelta(days=1)
                           if rng.random() < 0.01 else None)
                meters.append((meter_id, f"{service[:2].upper()}-{meter_id:07d}", service,
                               "individual", pid, 100_000_000_000 if service != "electricity"
                               else 1_000_000_000_000, expires or VERIFIED, self.opened))
                for z in zones:
                    mzones.append((meter_id, z))
                    use = MONTHLY_USE[service] * max(persons, 1)
                    if z == "night":
                        use //= 3
                    t.zones.append(ZoneState(meter_id, z, rng.randint(0, 900) * 1_000_000, use,
                                             expires))
        if heat_meter:
            meter_id += 1
            meters.append((meter_id, f"ОДПУ-{h:05d}", "heating", "house", None,
                           None, VERIFIED, self.opened))
            mzones.append((meter_id, "single"))
            # about 0.016 Gcal per m² in a heating month
            t.house_meters.append(ZoneState(meter_id, "single", 0, sum(areas) * 16 // 1000))
        if common:
            for service, use in expected.items():
                meter_id += 1
                meters.append((meter_id, f"ОДПУ-{service[:2].upper()}-{h:05d}", service, "house",
                               None, None, VERIFIED, self.opened))
                mzones.append((meter_id, "single"))
                # the premises' use and a common part of about half the norm on common area
                part = sum(areas) // 10 * COMMON_NORM[service] // 2_000_000
                t.common_meters.append(ZoneState(meter_id, "single", 0, use + part))
        self._write_house(premises, accounts, services, install, meters, mzones, h)
        self.buf.maybe_flush()
        return meter_id

    def _write_house(self, premises, accounts, services, install, meters, mzones, h) -> None:
        self.buf.put("premises", ("id", "house_id", "number", "kind", "area_micro", "rooms",
                                  "amenities"), premises)
        self.buf.put("accounts", ("id", "number", "premises_id", "opened_on"), accounts)
        self.buf.put("account_services", ("account_id", "service", "provider_id", "date_from"),
             services)
        self.buf.put("premises_meter_installable", ("premises_id", "service", "installable"),
             install)
        self.buf.put("meters", ("id", "serial", "service", "kind", "premises_id", "house_id",
                                "capacity_micro", "verified_until", "installed_on"),
             [(m[0], m[1], m[2], m[3], m[4], h if m[3] == "house" else None, m[5], m[6], m[7])
              for m in meters])
        self.buf.put("meter_zones", ("meter_id", "zone"), mzones)

    def _people(self, pid: int) -> int:
        """Registrations (0–5 persons, some moving in or out during the year) and owners."""
        rng, t = self.rng, self.town
        count = rng.choices((0, 1, 2, 3, 4, 5), weights=(8, 25, 30, 22, 10, 5))[0]
        persons, regs, owners = [], [], []
        for _ in range(count):
            person = t.next_person
            t.next_person += 1
            persons.append((person,))
            start = date(rng.randint(1960, 2024), rng.randint(1, 12), rng.randint(1, 28))
            end = None
            if rng.random() < 0.08:  # moves out during the demo year
                end = self.start.shift(rng.randint(0, 11)).first_day + timedelta(
                    days=rng.randint(0, 27))
            elif rng.random() < 0.06:  # moves in during the demo year
                start = self.start.shift(rng.randint(0, 11)).first_day + timedelta(
                    days=rng.randint(0, 27))
            regs.append((person, pid, "residence" if rng.random() < 0.95 else "stay", start,
                         end))
            t.residents.setdefault(pid, []).append((person, start, end))
        owner = t.next_person
        t.next_person += 1
        persons.append((owner,))
        owners.append((owner, pid, 1, 1, date(2010, 1, 1)))
        self.buf.put("persons", ("id",), persons)
        self.buf.put("registrations", ("person_id", "premises_id", "kind", "date_from",
                                       "date_to"), regs)
        self.buf.put("ownership_shares", ("person_id", "premises_id", "numerator",
                                          "denominator", "date_from"), owners)
        t.premises_persons[pid] = count
        return count


BENEFIT_CATEGORIES = (("veteran_labour", 45), ("disabled", 30), ("veteran_combat", 15),
                      ("large_family", 10))
"""Categories of the ``benefits`` rules and their weights among the demo's holders."""
BENEFIT_DOCUMENTS = {
    "veteran_labour": "удостоверение ветерана труда", "disabled": "справка МСЭ",
    "veteran_combat": "удостоверение ветерана боевых действий",
    "large_family": "удостоверение многодетной семьи"}


def write_benefits(session: Session, town: Town, rng: random.Random, *, share: float,
                   start: Period) -> int:
    """Benefit assignments for about ``share`` of the accounts with residents: one holder per
    household (every member of a large family of three or more); most hold the category from
    before ``start``, a tenth from a day of the year after it. Returns the rows written."""
    categories = [c for c, _w in BENEFIT_CATEGORIES]
    weights = [w for _c, w in BENEFIT_CATEGORIES]
    rows = []
    for account_id, premises_id in town.accounts:
        residents = town.residents.get(premises_id, [])
        if not residents or rng.random() >= share:
            continue
        category = rng.choices(categories, weights)[0]
        if category == "large_family" and len(residents) < 3:
            category = "veteran_labour"
        holders = residents if category == "large_family" else [rng.choice(residents)]
        since = (start.shift(rng.randint(0, 11)).first_day + timedelta(days=rng.randint(0, 27))
                 if rng.random() < 0.1 else date(rng.randint(2005, 2024), 1, 1))
        rows += [(person, account_id, category, max(since, first), BENEFIT_DOCUMENTS[category])
                 for person, first, _last in holders]
    _put(session, "benefit_assignments",
         ("person_id", "account_id", "category", "date_from", "document"), rows)
    return len(rows)


def write_readings(session: Session, town: Town, rng: random.Random, month: Period, *,
                   missing: float = 0.05) -> int:
    """Readings of every meter zone taken between the 18th and the 25th of ``month``
    (a share ``missing`` of them not sent; none after a meter's verification ran out);
    house heat meters read on the last day. Returns the number written."""
    rows = []
    heating = month.month in (1, 2, 3, 4, 10, 11, 12)
    for z in town.zones:
        day = month.first_day + timedelta(days=rng.randint(17, 24))
        z.value += rng.randint(z.use * 6 // 10, z.use * 14 // 10)
        if rng.random() < missing or (z.expires is not None and day > z.expires):
            continue
        town.reading_seq += 1
        rows.append((z.meter_id, z.zone, day, z.value, "portal", f"demo-{town.reading_seq}"))
    for z in town.common_meters:
        z.value += z.use
        if (z.meter_id + month.month) % MISSING_HOUSE_READING == 0:
            continue
        town.reading_seq += 1
        rows.append((z.meter_id, "single", month.last_day, z.value, "controller",
                     f"demo-{town.reading_seq}"))
    for z in town.house_meters:
        z.value += z.use if heating else 0
        town.reading_seq += 1
        rows.append((z.meter_id, "single", month.last_day, z.value, "controller",
                     f"demo-{town.reading_seq}"))
    _put(session, "meter_readings", ("meter_id", "zone", "taken_on", "value_micro", "source",
                                     "source_id"), rows)
    return len(rows)


def fix_sequences(session: Session) -> None:
    """After inserts with explicit ids, move PostgreSQL sequences past the largest id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("providers", "management_companies", "houses", "premises", "accounts",
                  "persons", "meters"):
        session.execute(_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _sql(text: str):
    from sqlalchemy import text as sql_text

    return sql_text(text)
