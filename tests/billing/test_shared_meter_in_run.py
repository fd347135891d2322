"""A communal flat's shared meter in the monthly run and online, on SQLite and PostgreSQL: the
flat's volume split among its rooms' accounts by residents (by area when nobody is registered),
the same on both paths and for one room alone (the other rooms read from the database).

Flat 60 m², rooms 18, 12 and 30 m²; shared cold-water meter 123,456 → 131,789 = 8,333 m³;
residents 2, 1, 0: 5,555333 m³ (298,54 ₽ at 53,74 … 59,06 from October: 328,10),
2,777667 m³ (164,05), 0 (0,00).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from zhkh.modules.billing.account_calc import recalculate_account
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Provider
from zhkh.modules.registry.repository import RegistryRepository

PERIOD = "2026-10"
EXPECTED = {"r1": (5_555_333, 32810), "r2": (2_777_667, 16405), "r3": (0, 0)}


def _flat(session) -> dict[str, tuple[int, str]]:
    reg, passport = RegistryRepository(session), PassportRepository(session)
    water = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
    session.add(water)
    session.flush()
    house = reg.add_house(address="ул. Коммунальная, д. 5", house_type="apartment_building",
                          heating_payment="season", total_area_micro=60_000_000)
    flat = reg.add_premises(house_id=house.id, number="7", kind="flat", area_micro=60_000_000)
    rooms = {}
    for i, (name, area, persons) in enumerate((("r1", 18, 2), ("r2", 12, 1), ("r3", 30, 0))):
        room = reg.add_premises(house_id=house.id, number=f"7-{i + 1}", kind="room",
                                parent_id=flat.id, area_micro=area * 10**6, amenities="full")
        number = make_account_number(8100 + i)
        account = reg.add_account(number=number, premises_id=room.id,
                                  opened_on=date(2020, 1, 1))
        reg.add_account_service(account_id=account.id, service="cold_water",
                                provider_id=water.id, date_from=date(2020, 1, 1))
        for k in range(persons):
            p = passport.add_person(full_name=f"{name}-{k}")
            passport.add_registration(person_id=p.id, premises_id=room.id, kind="residence",
                                      date_from=date(2015, 1, 1))
        rooms[name] = (account.id, number)
    meters = MeterRepository(session)
    meter = meters.add_meter(serial="КВ-7", service="cold_water", kind="shared",
                             premises_id=flat.id, installed_on=date(2020, 1, 1))
    for day, value in ((date(2026, 9, 24), 123_456_000), (date(2026, 10, 24), 131_789_000)):
        meters.add_reading(meter_id=meter.id, taken_on=day, value_micro=value,
                           source="operator")
    PeriodRepository(session).open(PERIOD)
    session.flush()
    return rooms


def _lines(session, rooms):
    names = {aid: name for name, (aid, _n) in rooms.items()}
    rows = session.execute(select(LedgerLine.account_id, LedgerLine.method,
                                  LedgerLine.volume_micro, LedgerLine.amount_kopecks,
                                  LedgerLine.explain)
                           .where(LedgerLine.period_booked == PERIOD)).all()
    return {names[a]: (m, v, k, e) for a, m, v, k, e in rows}


def test_the_run_splits_the_flats_volume_by_residents_on_both_paths(session, unit, calculator):
    rooms = _flat(session)
    got = {}
    for columnar in (False, True):
        report = run_period(unit, calculator, PERIOD, columnar=columnar, process_queue=False)
        assert report.errors == []
        got[columnar] = _lines(session, rooms)
    assert got[True] == got[False]
    lines = got[True]
    assert {n: (v, k) for n, (_m, v, k, _e) in lines.items()} == EXPECTED
    assert {m for m, _v, _k, _e in lines.values()} == {"shared_meter"}
    assert "(131,789 − 123,456) м³ × 2 чел / 3 чел = 5,555333 м³" in lines["r1"][3]


def test_one_room_recalculated_alone_reads_the_other_rooms_from_the_database(
        session, unit, calculator):
    rooms = _flat(session)
    run_period(unit, calculator, PERIOD, process_queue=False)
    lines = recalculate_account(session, rooms["r2"][1], PERIOD, calculator=calculator)
    (line,) = [ln for ln in lines if ln["service"] == "cold_water"]
    assert (line["volume"], line["amount"]) == ("2.777667", "164.05")
