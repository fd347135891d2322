"""Common property (СОИ) in the monthly run, on SQLite and PostgreSQL, the same on the columnar
and the situation path; the house's figures stored; a missing house reading never blanks an
account (п. 59(1)).

The house: flats A 60 m² (cold-water meter, 8,333 m³), B 40 m² (meter, 9 m³), C 50 m² (no
meter, 2 residents × 4,9 = 9,8 m³), S_об 150 m², common area 200 m², cold-water norm on common
property 0,025 m³/m² → cap 5 m³; tariff 59,06 from 2026-10-01.
House meter 1 000 → 1 030: V = 30 − 27,133 = 2,867 m³ (under the cap).
A: 2,867 × 60 / 150 = 1,1468 × 59,06 = 67,73; B: × 40 / 150 = 0,764533 → 45,15;
C: × 50 / 150 = 0,955667 → 56,44. Electricity on common property without a house meter:
0,9 × 200 = 180 kWh × 60 / 150 = 72 × 7,96 = 573,12.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from zhkh.modules.billing.models import HouseMonthTotal, LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import HouseCommonDecision, Provider
from zhkh.modules.registry.repository import RegistryRepository

PERIOD = "2026-10"
COMMON = ("cold_water_common", "electricity_common", "wastewater_common")


class House:
    def __init__(self, session, *, house_reading: bool = True, history: bool = True,
                 october: int = 1030):
        self.session = session
        reg, self.meters = RegistryRepository(session), MeterRepository(session)
        passport = PassportRepository(session)
        water = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
        uk = Provider(code="uk", name="УК", inn="7700000003")
        session.add_all([water, uk])
        self.house = reg.add_house(address="ул. Общая, д. 1", house_type="apartment_building",
                                   heating_payment="season", total_area_micro=150_000_000,
                                   common_area_micro=200_000_000)
        self.accounts: dict[str, int] = {}
        for name, area, volume in (("A", 60, "8.333"), ("B", 40, "9"), ("C", 50, None)):
            flat = reg.add_premises(house_id=self.house.id, number=name, kind="flat",
                                    area_micro=area * 10**6, amenities="full")
            account = reg.add_account(number=make_account_number(7000 + len(self.accounts)),
                                      premises_id=flat.id, opened_on=date(2020, 1, 1))
            self.accounts[name] = account.id
            services = [("cold_water", water), ("cold_water_common", uk)]
            if name == "A":
                services += [("electricity_common", uk), ("wastewater_common", uk)]
            for code, provider in services:
                reg.add_account_service(account_id=account.id, service=code,
                                        provider_id=provider.id, date_from=date(2020, 1, 1))
            if volume is None:
                for person in ("a", "b"):
                    p = passport.add_person(full_name=f"{name}-{person}")
                    passport.add_registration(person_id=p.id, premises_id=flat.id,
                                              kind="residence", date_from=date(2010, 1, 1))
                continue
            meter = self.meters.add_meter(serial=f"В-{name}", service="cold_water",
                                          kind="individual", premises_id=flat.id,
                                          installed_on=date(2020, 1, 1))
            self._read(meter.id, date(2026, 9, 24), 100)
            self._read(meter.id, date(2026, 10, 24), 100 * 10**6 + int(float(volume) * 10**6),
                       raw=True)
        house_meter = self.meters.add_meter(serial="ОДПУ-1", service="cold_water", kind="house",
                                            house_id=self.house.id, installed_on=date(2020, 1, 1))
        if history:  # 2026-06 … 2026-09: 31 m³ a month
            for month, value in ((5, 876), (6, 907), (7, 938), (8, 969), (9, 1000)):
                self._read(house_meter.id, date(2026, month, 24), value)
        if house_reading:
            self._read(house_meter.id, date(2026, 10, 24), october)
        PeriodRepository(session).open(PERIOD)
        session.flush()

    def _read(self, meter_id: int, day: date, value: int, *, raw: bool = False) -> None:
        self.meters.add_reading(meter_id=meter_id, taken_on=day, source="operator",
                                value_micro=value if raw else value * 10**6)

    def common_lines(self) -> dict[tuple[str, str, str | None], tuple[int, int, str]]:
        names = {v: k for k, v in self.accounts.items()}
        rows = self.session.execute(select(
            LedgerLine.account_id, LedgerLine.service, LedgerLine.component,
            LedgerLine.amount_kopecks, LedgerLine.volume_micro, LedgerLine.explain)
            .where(LedgerLine.period_booked == PERIOD, LedgerLine.service.in_(COMMON))).all()
        return {(names[a], s, c): (k, v, e) for a, s, c, k, v, e in rows}

    def totals(self) -> dict[str, HouseMonthTotal]:
        return {t.service: t for t in self.session.scalars(
            select(HouseMonthTotal).where(HouseMonthTotal.period == PERIOD))}


def test_the_run_bills_common_property_by_the_house_meter_on_both_paths(session, unit,
                                                                        calculator):
    house = House(session)
    got = {}
    for columnar in (False, True):
        report = run_period(unit, calculator, PERIOD, columnar=columnar, process_queue=False)
        assert report.errors == []
        got[columnar] = house.common_lines()
    assert got[True] == got[False]
    lines = got[True]
    assert {k: v[0] for k, v in lines.items()} == {
        ("A", "cold_water_common", None): 6773, ("B", "cold_water_common", None): 4515,
        ("C", "cold_water_common", None): 5644, ("A", "electricity_common", None): 57312,
        # wastewater on common property: the cold water's 1,1468 m³ × 46,50
        ("A", "wastewater_common", None): 5333}
    explain = lines[("A", "cold_water_common", None)][2]
    assert "(30 − 27,133) м³ × 60 м² / 150 м² = 1,1468 м³ × 59,06 ₽/м³ = 67,73" in explain
    assert "[правила: common.resources" in explain
    totals = house.totals()
    cold = totals["cold_water_common"]
    assert (cold.source, cold.house_volume_micro, cold.individual_micro, cold.cap_micro,
            cold.common_volume_micro, cold.outcome) == (
        "meter", 30 * 10**6, 27_133_000, 5 * 10**6, 2_867_000, "difference")
    assert (totals["electricity_common"].source,
            totals["electricity_common"].common_volume_micro) == ("norm", 180 * 10**6)


@pytest.mark.parametrize("decided, lifted", [(None, False), (date(2026, 10, 1), True),
                                              (date(2026, 11, 1), False)])
def test_the_cap_holds_unless_a_decision_in_force_lifts_it(session, unit, calculator, decided,
                                                           lifted):
    house = House(session, october=1040)  # 40 − 27,133 = 12,867 > 0,025 × 200 = 5
    if decided is not None:
        session.add(HouseCommonDecision(house_id=house.house.id, date_from=decided,
                                        cap_lifted=True, document="протокол №3"))
        session.flush()
    run_period(unit, calculator, PERIOD, process_queue=False)
    cold = house.totals()["cold_water_common"]
    assert (cold.cap_lifted, cold.outcome, cold.common_volume_micro) == (
        (True, "difference", 12_867_000) if lifted else (False, "capped", 5 * 10**6))


@pytest.mark.parametrize("history, source", [(True, "average"), (False, "norm")])
def test_a_missing_house_reading_falls_back_and_never_blanks_an_account(
        session, unit, calculator, history, source):
    house = House(session, house_reading=False, history=history)
    for columnar in (False, True):
        report = run_period(unit, calculator, PERIOD, columnar=columnar, process_queue=False)
        assert report.errors == []
        lines = house.common_lines()
        assert {k[0] for k in lines} == {"A", "B", "C"}
    cold = house.totals()["cold_water_common"]
    assert cold.source == source
    if history:  # average of 4 months of 31 m³: 31 − 27,133 = 3,867
        assert (cold.house_volume_micro, cold.common_volume_micro) == (31 * 10**6, 3_867_000)
        assert "среднее ОДПУ за 4 мес. 31 − 27,133" in lines[("A", "cold_water_common", None)][2]
    else:  # the norm: 0,025 × 200 = 5
        assert cold.common_volume_micro == 5 * 10**6


@pytest.mark.parametrize("history, method", [(True, "house_share"), (False, "area_norm")])
def test_heating_by_the_house_meter_without_its_reading_never_blanks_the_house(
        session, unit, calculator, history, method):
    """Formula 3 without the month's house reading: the average of the house meter's previous
    months (п. 59(1)); without history, by the norm (formula 2) — every account keeps all its
    lines."""
    house = House(session)
    reg = RegistryRepository(session)
    heat = Provider(code="teploset", name="Теплосеть", inn="7700000004")
    session.add(heat)
    session.flush()
    house.house.house_heat_meter = True
    for account_id in house.accounts.values():
        reg.add_account_service(account_id=account_id, service="heating",
                                provider_id=heat.id, date_from=date(2020, 1, 1))
    meter = house.meters.add_meter(serial="Т-1", service="heating", kind="house",
                                   house_id=house.house.id, installed_on=date(2020, 1, 1))
    if history:  # 2026-04: 10 Гкал, 2026-05: 20 Гкал → average 15
        for month, value in ((3, 100), (4, 110), (5, 130)):
            house._read(meter.id, date(2026, month, 24), value)
    session.flush()
    for columnar in (False, True):
        report = run_period(unit, calculator, PERIOD, columnar=columnar, process_queue=False)
        assert report.errors == []
        rows = session.execute(select(LedgerLine.account_id, LedgerLine.method,
                                      LedgerLine.volume_micro)
                               .where(LedgerLine.period_booked == PERIOD,
                                      LedgerLine.service == "heating")).all()
        assert {a for a, _m, _v in rows} == set(house.accounts.values())
        assert {m for _a, m, _v in rows} == {method}
        if history:  # 15 × 60 / 150 = 6 Гкал for flat A
            assert (house.accounts["A"], method, 6 * 10**6) in rows


def test_the_pre_close_check_warns_of_the_houses_on_a_fallback(session, unit, calculator):
    from zhkh.modules.billing.periods import pre_close_checks

    house = House(session, house_reading=False)
    run_period(unit, calculator, PERIOD, process_queue=False)
    (check,) = [c for c in pre_close_checks(session, PERIOD)
                if c.code == "house_meter_fallback"]
    assert not check.blocking
    assert check.examples == [
        f"дом {house.house.id}: cold_water_common — среднемесячный объём ОДПУ (п. 59(1))"]


def test_no_warning_for_a_house_read_in_the_month_or_without_a_meter(session, unit, calculator):
    from zhkh.modules.billing.periods import pre_close_checks

    House(session)
    run_period(unit, calculator, PERIOD, process_queue=False)
    (check,) = [c for c in pre_close_checks(session, PERIOD)
                if c.code == "house_meter_fallback"]
    assert check.count == 0  # electricity on common property by norm: the house has no meter
