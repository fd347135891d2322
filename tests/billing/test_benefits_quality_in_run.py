"""Benefits stored by the passport office and quality incidents stored by the dispatcher are
booked by the monthly run (on both paths, on SQLite and PostgreSQL), replaced by a rerun, and
recorded late for a closed month they land as recalculations in the open one.

The town, June 2026 (tariffs: содержание 35,20 ₽/м², ХВС 53,74 ₽/м³; norm ХВС 4,9 м³/чел):

* flat 3, 45 м², account A: V (veteran_combat since 2020) and S; ХВС by norm (no meter can
  be installed), содержание;
* flat 4, 60 м², account B: W alone; the same services;
* the whole house: no cold water from 10.06 00:00 to 11.06 08:00 — 32 h, 8 h a month are
  allowed, so 24 h × 0,15 % = 3,6 % of the month's ХВС fee.

By hand:

* A содержание 45 × 35,20 = 1 584,00; ХВС 2 × 4,9 × 53,74 = 526,652 → 526,65;
  quality 526,65 × 3,6 % = 18,9594 → 18,96;
  benefit on содержание: 50 % × min(45; 42 м² for two) / 2 / 45 × 1 584,00 = 369,60;
  benefit on ХВС (by norm, so V's share is 1/2): 50 % × 1/2 × 526,65 × (526,65 − 18,96)/526,65
  = 0,25 × 507,69 = 126,9225 → 126,92;
* B содержание 60 × 35,20 = 2 112,00; ХВС 4,9 × 53,74 = 263,326 → 263,33;
  quality 263,33 × 3,6 % = 9,47988 → 9,48.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from zhkh.modules.billing.account_calc import recalculate_account
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.periods import close_period
from zhkh.modules.billing.repository import PeriodRepository, RecalculationQueueRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.complaints.repository import ComplaintsRepository
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Provider
from zhkh.modules.registry.repository import RegistryRepository

JUNE, JULY = "2026-06", "2026-07"
A, B = make_account_number(301), make_account_number(302)

EXPECTED_JUNE = {
    A: sorted([("charge", "maintenance", 158400), ("charge", "cold_water", 52665),
               ("quality_reduction", "cold_water", -1896), ("benefit", "maintenance", -36960),
               ("benefit", "cold_water", -12692)]),
    B: sorted([("charge", "maintenance", 211200), ("charge", "cold_water", 26333),
               ("quality_reduction", "cold_water", -948)]),
}


class Town:
    def __init__(self, session):
        reg, passport = RegistryRepository(session), PassportRepository(session)
        vodokanal = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
        session.add(vodokanal)
        uk = Provider(code="uk_dom", name="УК", inn="7700000002")
        session.add(uk)
        session.flush()
        self.provider_id = uk.id
        self.house = reg.add_house(address="ул. Мира, д. 7", house_type="apartment_building",
                                   heating_payment="season", total_area_micro=105_000_000)
        self.flats, self.accounts, self.people = [], {}, {}
        for number, flat, area, names in ((A, "3", 45, ("V", "S")), (B, "4", 60, ("W",))):
            premises = reg.add_premises(house_id=self.house.id, number=flat, kind="flat",
                                        area_micro=area * 1_000_000, amenities="full",
                                        meter_installable={"cold_water": False})
            account = reg.add_account(number=number, premises_id=premises.id,
                                      opened_on=date(2020, 1, 1))
            for service, provider in (("cold_water", vodokanal), ("maintenance", uk)):
                reg.add_account_service(account_id=account.id, service=service,
                                        provider_id=provider.id, date_from=date(2020, 1, 1))
            for name in names:
                person = passport.add_person(full_name=name)
                passport.add_registration(person_id=person.id, premises_id=premises.id,
                                          kind="residence", date_from=date(2010, 1, 1))
                self.people[name] = person.id
            self.flats.append(premises)
            self.accounts[number] = account.id
        passport.add_benefit(person_id=self.people["V"], account_id=self.accounts[A],
                             category="veteran_combat", date_from=date(2020, 1, 1),
                             document="удостоверение ветерана боевых действий")
        ComplaintsRepository(session).add_incident(
            house_id=self.house.id, service="cold_water", kind="interruption",
            started_at=datetime(2026, 6, 10, 0, 0), ended_at=datetime(2026, 6, 11, 8, 0),
            reference="акт №12")
        PeriodRepository(session).open(JUNE)
        session.flush()


@pytest.fixture
def town(session):
    return Town(session)


def _lines(session, town, **where):
    stmt = select(LedgerLine.account_id, LedgerLine.kind, LedgerLine.service,
                  LedgerLine.amount_kopecks)
    for column, value in where.items():
        stmt = stmt.where(getattr(LedgerLine, column) == value)
    numbers = {v: k for k, v in town.accounts.items()}
    out: dict[str, list] = {}
    for account_id, kind, service, amount in session.execute(stmt):
        out.setdefault(numbers[account_id], []).append((kind, service, amount))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "situations"])
def test_the_run_books_the_stored_benefit_and_incident_and_a_rerun_replaces_them(
        session, unit, calculator, town, columnar):
    for _ in range(2):
        report = run_period(unit, calculator, JUNE, columnar=columnar, process_queue=False)
        assert report.errors == []
        assert _lines(session, town, period_booked=JUNE) == EXPECTED_JUNE
    assert report.by_service["cold_water"][2] == 52665 - 1896 - 12692 + 26333 - 948
    assert report.by_kind == {"cold_water": {"benefit": -12692, "quality_reduction": -2844},
                              "maintenance": {"benefit": -36960}}
    explains = session.scalars(select(LedgerLine.explain).where(
        LedgerLine.kind.in_(("benefit", "quality_reduction")))).all()
    assert any("категория veteran_combat" in e for e in explains)
    assert any("перерыв" in e and "quality.cold_water.interruption" in e for e in explains)


def test_an_incident_without_an_end_reduces_nothing_yet(session, unit, calculator, town):
    ComplaintsRepository(session).add_incident(
        house_id=town.house.id, service="cold_water", kind="unsafe",
        started_at=datetime(2026, 6, 20, 0, 0))
    run_period(unit, calculator, JUNE, process_queue=False)
    assert _lines(session, town, period_booked=JUNE) == EXPECTED_JUNE


def _close_june(session, unit, calculator):
    run_period(unit, calculator, JUNE)
    assert close_period(session, JUNE).closed
    run_period(unit, calculator, JULY)


def test_a_benefit_recorded_after_june_closed_books_its_june_part_in_july(
        session, unit, calculator, town):
    """W gets a benefit (veteran_labour, 50 %) from 1 June, entered in July online.

    June for B, by hand: содержание 50 % × min(60; 33 м² alone) / 60 × 2 112,00 = 580,80;
    ХВС 50 % × 263,33 × (263,33 − 9,48)/263,33 = 0,5 × 253,85 = 126,925 → 126,93 (half up).
    July (no incident): содержание 580,80; ХВС 50 % × 263,33 = 131,665 → 131,67.
    """
    _close_june(session, unit, calculator)
    PassportRepository(session).add_benefit(
        person_id=town.people["W"], account_id=town.accounts[B], category="veteran_labour",
        date_from=date(2026, 6, 1), document="удостоверение ветерана труда")
    session.flush()
    returned = recalculate_account(session, B, JUNE, calculator=calculator,
                                   reason="льгота назначена задним числом")
    june_in_july = _lines(session, town, period_for=JUNE, period_booked=JULY)
    assert june_in_july == {B: sorted([("recalculation", "maintenance", -58080),
                                       ("recalculation", "cold_water", -12693)])}
    july = _lines(session, town, period_for=JULY, kind="benefit")
    assert july == {A: sorted([("benefit", "maintenance", -36960),
                               ("benefit", "cold_water", -13166)]),
                    B: sorted([("benefit", "maintenance", -58080),
                               ("benefit", "cold_water", -13167)])}
    assert {(x["kind"], x["service"], x["amount"]) for x in returned} >= {
        ("recalculation", "maintenance", "-580.80"), ("benefit", "cold_water", "-131.67")}
    # booking again finds nothing new
    assert recalculate_account(session, B, JUNE, calculator=calculator)[-1]["kind"] != (
        "recalculation")


def test_an_incident_recorded_after_june_closed_is_booked_in_july_through_the_queue(
        session, unit, calculator, town):
    """Flat 4 only: the water was unsafe on 20 June (one day of 30 — its fee is removed).

    B's ХВС: 100 % × 1/30 × 263,33 = 8,777… → 8,78, on top of the 9,48 already taken.
    """
    _close_june(session, unit, calculator)
    ComplaintsRepository(session).add_incident(
        house_id=town.house.id, premises_id=town.flats[1].id, service="cold_water",
        kind="unsafe", started_at=datetime(2026, 6, 20), ended_at=datetime(2026, 6, 21))
    RecalculationQueueRepository(session).enqueue(
        account_id=town.accounts[B], period_for=JUNE, reason="акт о качестве воды")
    session.flush()
    report = run_period(unit, calculator, JULY)
    assert report.recalculation_kopecks == -878
    assert _lines(session, town, period_for=JUNE, period_booked=JULY) == {
        B: [("recalculation", "cold_water", -878)]}
    again = run_period(unit, calculator, JULY)
    assert again.recalculation_lines == 0
    assert _lines(session, town, period_for=JUNE, period_booked=JULY) == {
        B: [("recalculation", "cold_water", -878)]}


def test_an_account_that_cannot_be_calculated_leaves_its_neighbours_lines(
        session, unit, calculator, town):
    """B has a benefit too, and a service no rule knows: B fails alone; A keeps its lines."""
    from zhkh.modules.registry.models import AccountService

    PassportRepository(session).add_benefit(
        person_id=town.people["W"], account_id=town.accounts[B], category="veteran_labour",
        date_from=date(2020, 1, 1), document="удостоверение ветерана труда")
    session.add(AccountService(account_id=town.accounts[B], service="sauna",
                               provider_id=town.provider_id, date_from=date(2020, 1, 1)))
    session.flush()
    report = run_period(unit, calculator, JUNE, columnar=False, process_queue=False)
    assert {e.account for e in report.errors} == {B}
    assert _lines(session, town, period_booked=JUNE) == {A: EXPECTED_JUNE[A]}


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "situations"])
def test_an_incident_of_a_communal_flat_reduces_the_fee_of_each_of_its_rooms(
        session, unit, calculator, town, columnar):
    """House 9 (no whole-house incident): a communal flat 5 of two rooms, one resident in
    each, and flat 6 next door; no cold water in flat 5 from 10.06 00:00 to 11.06 08:00.
    Each room: ХВС 4,9 × 53,74 = 263,33, reduced by 3,6 % = 9,48; flat 6 is not reduced."""
    from zhkh.modules.complaints.repository import ComplaintsRepository

    reg, passport = RegistryRepository(session), PassportRepository(session)
    vodokanal = session.scalar(select(Provider.id).where(Provider.code == "vodokanal"))
    house = reg.add_house(address="ул. Мира, д. 9", house_type="apartment_building",
                          heating_payment="season", total_area_micro=90_000_000)
    flat = reg.add_premises(house_id=house.id, number="5", kind="flat", area_micro=50_000_000,
                            amenities="full", meter_installable={"cold_water": False})
    numbers = {}
    for n, (number, kind, parent) in enumerate((("5-1", "room", flat.id),
                                                ("5-2", "room", flat.id),
                                                ("6", "flat", None))):
        premises = reg.add_premises(house_id=house.id, number=number, kind=kind,
                                    parent_id=parent, area_micro=20_000_000, amenities="full",
                                    meter_installable={"cold_water": False})
        account = reg.add_account(number=make_account_number(310 + n),
                                  premises_id=premises.id, opened_on=date(2020, 1, 1))
        reg.add_account_service(account_id=account.id, service="cold_water",
                                provider_id=vodokanal, date_from=date(2020, 1, 1))
        person = passport.add_person(full_name=f"R{n}")
        passport.add_registration(person_id=person.id, premises_id=premises.id,
                                  kind="residence", date_from=date(2010, 1, 1))
        numbers[account.id] = number
    incident = ComplaintsRepository(session).add_incident(
        house_id=house.id, premises_id=flat.id, service="cold_water", kind="interruption",
        started_at=datetime(2026, 6, 10, 0, 0), ended_at=datetime(2026, 6, 11, 8, 0))
    session.flush()
    concerned = ComplaintsRepository(session).accounts_concerned(incident)
    assert [numbers[a.id] for a in concerned] == ["5-1", "5-2"]
    report = run_period(unit, calculator, JUNE, columnar=columnar, process_queue=False)
    assert report.errors == []
    lines = session.execute(select(LedgerLine.account_id, LedgerLine.kind,
                                   LedgerLine.amount_kopecks)
                            .where(LedgerLine.account_id.in_(list(numbers)))).all()
    assert sorted((numbers[a], k, m) for a, k, m in lines) == [
        ("5-1", "charge", 26333), ("5-1", "quality_reduction", -948),
        ("5-2", "charge", 26333), ("5-2", "quality_reduction", -948),
        ("6", "charge", 26333)]
