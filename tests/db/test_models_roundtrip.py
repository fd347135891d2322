"""Every module's models round-trip through both databases exactly (integers stay exact)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from zhkh.modules.billing.models import LedgerLine, RunError
from zhkh.modules.billing.repository import (
    LedgerRow,
    PeriodRepository,
    RecalculationQueueRepository,
    RunErrorRepository,
)
from zhkh.modules.meters.models import Meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.passport.models import (
    Absence,
    OwnershipShare,
    Person,
    PersonData,
    Registration,
)
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.models import House, ManagementCompany, Premises
from zhkh.modules.registry.repository import RegistryRepository

BIG = 2**62 + 12_345


def test_registry_objects_round_trip(session):
    reg = RegistryRepository(session)
    company = ManagementCompany(name="УК «Дом»", inn="7701234567")
    session.add(company)
    session.flush()
    house = reg.add_house(address="пр. Мира, 5", management_company_id=company.id,
                          house_type="apartment", house_heat_meter=True,
                          heating_payment="season", total_area_micro=BIG,
                          common_area_micro=123_456_789)
    flat = reg.add_premises(house_id=house.id, number="7", kind="flat", area_micro=54_300_000,
                            rooms=3, amenities="full",
                            meter_installable={"hot_water": False, "cold_water": True})
    room = reg.add_premises(house_id=house.id, number="7-1", kind="room", parent_id=flat.id,
                            area_micro=18_100_000)
    session.expunge_all()
    got = session.get(House, house.id)
    assert (got.address, got.house_heat_meter, got.heating_payment, got.total_area_micro) == (
        "пр. Мира, 5", True, "season", BIG)
    got_flat = session.get(Premises, flat.id)
    assert {i.service: i.installable for i in got_flat.installability} == {
        "hot_water": False, "cold_water": True}
    assert session.get(Premises, room.id).parent_id == flat.id
    assert session.scalars(select(Premises.number).where(Premises.house_id == house.id)
                           .order_by(Premises.id)).all() == ["7", "7-1"]


def test_passport_keeps_personal_data_apart_and_round_trips(session, world):
    pas = PassportRepository(session)
    person = pas.add_person(birth_date=date(1980, 5, 17), full_name="Иванов Иван Иванович",
                            document_kind="passport", document_number="4510 123456")
    pas.add_registration(person_id=person.id, premises_id=world.flats[0].id, kind="residence",
                         date_from=date(2020, 1, 1))
    session.add(OwnershipShare(person_id=person.id, premises_id=world.flats[0].id,
                               numerator=1, denominator=3, date_from=date(2020, 1, 1)))
    pas.add_absence(person_id=person.id, date_from=date(2026, 10, 5),
                    date_to=date(2026, 10, 20), document="справка № 5")
    session.expunge_all()
    got = session.get(Person, person.id)
    assert got.birth_date == date(1980, 5, 17)
    assert got.data.full_name == "Иванов Иван Иванович"
    assert session.get(PersonData, person.id).document_number == "4510 123456"
    regs = session.scalars(select(Registration).where(
        Registration.premises_id == world.flats[0].id)).all()
    assert [(r.person_id, r.kind) for r in regs] == [(person.id, "residence")]
    owners = session.scalars(select(OwnershipShare).where(
        OwnershipShare.premises_id == world.flats[0].id)).all()
    assert [(o.numerator, o.denominator) for o in owners] == [(1, 3)]
    absences = session.scalars(select(Absence).where(Absence.person_id == person.id)).all()
    assert [(a.date_to, a.document) for a in absences] == [(date(2026, 10, 20), "справка № 5")]


def test_meters_and_their_zones_round_trip(session, world):
    meter = MeterRepository(session).add_meter(
        serial="Меркурий-201", service="electricity", kind="individual",
        premises_id=world.flats[1].id, installed_on=date(2023, 3, 1), zones=("day", "night"),
        capacity_micro=10**5 * 10**6)
    session.expunge_all()
    got = session.get(Meter, meter.id)
    assert [z.zone for z in got.zones] == ["day", "night"]
    assert got.capacity_micro == 10**11


def test_billing_objects_round_trip(session, world):
    row = LedgerRow(world.accounts[0].id, "heating", "heat", None, world.provider.id,
                    "2026-10", "2026-10", "charge", "area_norm", 1_234_567, 2_890_123_456,
                    -BIG, "v1", "Отопление: 54,3 м² × 0,0213 Гкал/м²", "run-9")
    line = LedgerLine(**row._asdict())
    session.add(line)
    session.flush()
    queued = RecalculationQueueRepository(session).enqueue(
        account_id=world.accounts[0].id, period_for="2026-09", reason="позднее показание")
    RunErrorRepository(session).add_many("run-9", [(world.accounts[1].id, "heating", "no_rule",
                                                     "нет правила для подписи …")])
    session.expunge_all()
    got = session.scalar(select(LedgerLine).where(LedgerLine.id == line.id))
    assert tuple(getattr(got, c) for c in LedgerRow._fields) == tuple(row)
    assert got.created_at is not None
    assert [q.id for q in RecalculationQueueRepository(session).pending()] == [queued.id]
    assert RecalculationQueueRepository(session).mark_processed([queued.id]) == 1
    assert RecalculationQueueRepository(session).pending() == []
    errors = session.scalars(select(RunError).where(RunError.run_id == "run-9")).all()
    assert [(e.account_id, e.code) for e in errors] == [(world.accounts[1].id, "no_rule")]
    assert PeriodRepository(session).latest_open() == "2026-10"
