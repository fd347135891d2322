"""A meter's history starts at its installation reading, the base: the п. 59 average counts the
month of installation as a month of consumption whatever day the meter was installed (both
paths of the run, both databases), and the account card shows the monthly volumes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.billing.service import account_card
from zhkh.modules.meters.models import Meter, MeterZone, Reading
from zhkh.modules.passport.models import Person, Registration
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Account, AccountService, House, Premises, Provider

NUMBER = make_account_number(900101)
READINGS = (("2026-03-01", 0), ("2026-03-24", 3_000_000), ("2026-04-24", 6_200_000),
            ("2026-05-24", 9_100_000))


def _flat_with_new_meter(session, installed: date = date(2026, 3, 1), readings=READINGS) -> int:
    provider = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
    house = House(address="ул. Новая, 2", total_area_micro=45_000_000)
    session.add_all([provider, house])
    session.flush()
    flat = Premises(house_id=house.id, number="3", area_micro=45_000_000, amenities="full")
    person = Person()
    session.add_all([flat, person])
    session.flush()
    account = Account(number=NUMBER, premises_id=flat.id, opened_on=date(2016, 2, 1))
    session.add_all([account, Registration(person_id=person.id, premises_id=flat.id,
                                           kind="residence", date_from=date(2016, 2, 1))])
    session.flush()
    session.add(AccountService(account_id=account.id, service="cold_water",
                               provider_id=provider.id, date_from=date(2016, 2, 1)))
    meter = Meter(serial="ХВ-77", service="cold_water", kind="individual", premises_id=flat.id,
                  installed_on=installed, zones=[MeterZone(zone="single")])
    session.add(meter)
    session.flush()
    session.add_all(Reading(meter_id=meter.id, taken_on=date.fromisoformat(day), value_micro=v,
                            source="operator") for day, v in readings)
    session.flush()
    return house.id


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "per_situation"])
def test_the_month_of_installation_is_a_month_of_the_average(session, unit, calculator,
                                                              columnar):
    house = _flat_with_new_meter(session)
    run_period(unit, calculator, "2026-06", house_ids=[house], columnar=columnar)
    lines = session.execute(select(LedgerLine.method, LedgerLine.volume_micro,
                                   LedgerLine.amount_kopecks, LedgerLine.explain)
                            .where(LedgerLine.service == "cold_water")).all()
    # март 3 − 0 (база), апрель 3,2, май 2,9: 9,1 / 3 = 3,033333 м³ × 53,74 = 163,01
    assert [(m, v, a) for m, v, a, _ in lines] == [("average", 3_033_333, 16301)]
    assert "9,1 м³ / 3 мес" in lines[0].explain


def test_the_account_card_shows_the_monthly_volumes_and_the_average(session):
    _flat_with_new_meter(session)
    PeriodRepository(session).open("2026-06")
    (meter,) = account_card(session, NUMBER).meters
    (zone,) = meter.zones
    assert zone.base == "0" and meter.period == "2026-06"
    assert [(m.period, m.volume) for m in zone.months] == [
        ("2026-05", "2.9"), ("2026-04", "3.2"), ("2026-03", "3")]
    assert (zone.average, zone.average_months) == ("3.033333", 3)
    assert zone.summary == "среднее за 3 мес: 9,1 / 3 = 3,033333"


def test_an_installation_reading_alone_is_no_month_of_consumption(session):
    _flat_with_new_meter(session, date(2026, 5, 17), (("2026-05-17", 1_000_000),))
    PeriodRepository(session).open("2026-06")
    (zone,) = account_card(session, NUMBER).meters[0].zones
    assert (zone.base, zone.months, zone.summary) == ("1", [], "истории показаний нет")
