"""Owners counted where nobody is registered (ПП РФ №354, п. 56(2)) in the monthly run — both of
its paths, both databases — and the billing start: facts dated before it are history, never
new periods; a wrongly opened empty period can be dropped."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from zhkh.modules.audit import Actor
from zhkh.modules.billing.account_calc import recalculate_account
from zhkh.modules.billing.models import BillingPeriod, LedgerLine
from zhkh.modules.billing.repository import (
    PeriodBeforeStartError,
    PeriodNotEmptyError,
    PeriodRepository,
)
from zhkh.modules.billing.run import run_period
from zhkh.modules.errors import Invalid
from zhkh.modules.passport import owners
from zhkh.modules.passport.models import Person
from zhkh.modules.passport.schemas import OwnershipCreate, OwnershipUpdate
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import (
    Account,
    AccountService,
    House,
    MeterInstallability,
    Premises,
    Provider,
)
from zhkh.modules.seams import Seams

ACTOR = Actor("test", None)
NUMBER = make_account_number(900001)


class NoRecalculation:
    """The seam without recalculation: these tests run the month themselves."""

    def recalculate_account(self, session, number, period):
        return []


SEAMS = Seams(recalculation=NoRecalculation(), vocabulary=SimpleNamespace())


def _flat_nobody_registered(session) -> SimpleNamespace:
    provider = Provider(code="vodokanal", name="Водоканал", inn="7700000001")
    house = House(address="ул. Собственников, 1", total_area_micro=54_300_000)
    session.add_all([provider, house])
    session.flush()
    flat = Premises(house_id=house.id, number="1", area_micro=54_300_000, amenities="full")
    session.add(flat)
    session.flush()
    session.add(MeterInstallability(premises_id=flat.id, service="cold_water",
                                    installable=False))
    account = Account(number=NUMBER, premises_id=flat.id, opened_on=date(2020, 1, 1))
    session.add(account)
    session.flush()
    session.add(AccountService(account_id=account.id, service="cold_water",
                               provider_id=provider.id, date_from=date(2020, 1, 1)))
    people = [Person(), Person()]
    session.add_all(people)
    session.flush()
    return SimpleNamespace(flat=flat, account=account, people=people, house=house)


def _cold_water(session, period: str) -> list[tuple[int, int]]:
    return sorted(session.execute(select(LedgerLine.volume_micro, LedgerLine.amount_kopecks)
                                  .where(LedgerLine.period_booked == period,
                                         LedgerLine.service == "cold_water")).all())


class TestTwoOwnersAndNobodyRegistered:
    """Two owners of halves, nobody registered: the norm is counted on two persons."""

    @pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "per_situation"])
    def test_the_run_counts_the_owners_entered(self, session, unit, calculator, columnar):
        w = _flat_nobody_registered(session)
        for person in w.people:
            owners.create_ownership(session, SEAMS, ACTOR, OwnershipCreate(
                person_id=person.id, premises_id=w.flat.id, share="1/2",
                date_from=date(2015, 3, 1)))
        run_period(unit, calculator, "2026-09", house_ids=[w.house.id], columnar=columnar)
        # 2 собственника × 4,9 м³ = 9,8 м³ × 53,74 = 526,652 → 526,65
        assert _cold_water(session, "2026-09") == [(9_800_000, 52665)]

    @pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "per_situation"])
    def test_a_sale_inside_the_month_counts_one_owner_not_two(self, session, unit,
                                                              calculator, columnar):
        w = _flat_nobody_registered(session)
        seller, _ = owners.create_ownership(session, SEAMS, ACTOR, OwnershipCreate(
            person_id=w.people[0].id, premises_id=w.flat.id, date_from=date(2015, 3, 1)))
        owners.update_ownership(session, SEAMS, ACTOR, seller.id,
                                OwnershipUpdate(date_to=date(2026, 9, 15)))
        owners.create_ownership(session, SEAMS, ACTOR, OwnershipCreate(
            person_id=w.people[1].id, premises_id=w.flat.id, date_from=date(2026, 9, 16)))
        run_period(unit, calculator, "2026-09", house_ids=[w.house.id], columnar=columnar)
        # 1 собственник × 4,9 м³ × 53,74 = 263,326 → 263,33
        assert _cold_water(session, "2026-09") == [(4_900_000, 26333)]


def test_shares_above_the_whole_are_refused_naming_the_day(session):
    w = _flat_nobody_registered(session)
    owners.create_ownership(session, SEAMS, ACTOR, OwnershipCreate(
        person_id=w.people[0].id, premises_id=w.flat.id, share="2/3",
        date_from=date(2015, 3, 1)))
    with pytest.raises(Invalid) as refused:
        owners.create_ownership(session, SEAMS, ACTOR, OwnershipCreate(
            person_id=w.people[1].id, premises_id=w.flat.id, share="1/2",
            date_from=date(2020, 1, 1)))
    assert refused.value.code == "ownership_shares_exceed"
    assert "01.01.2020" in refused.value.message and "7/6" in refused.value.message


class TestBillingStart:
    def test_the_first_period_opened_is_the_start_and_earlier_ones_are_refused(self, session):
        periods = PeriodRepository(session)
        assert periods.start() is None
        periods.open("2026-01")
        assert periods.start() == "2026-01"
        with pytest.raises(PeriodBeforeStartError) as refused:
            periods.open("2020-01", after_start=True)
        assert refused.value.code == "period_before_start"
        assert session.get(BillingPeriod, "2020-01") is None

    def test_a_run_of_a_month_before_the_start_is_refused(self, session, unit, calculator):
        PeriodRepository(session).open("2026-01")
        with pytest.raises(PeriodBeforeStartError):
            run_period(unit, calculator, "2025-12")

    def test_a_2020_registration_on_a_new_database_opens_no_period(self, session, calculator):
        _flat_nobody_registered(session)
        assert recalculate_account(session, NUMBER, "2020-03", calculator=calculator) == []
        assert session.scalars(select(BillingPeriod.period)).all() == []

    def test_a_2020_change_after_the_start_is_booked_in_the_open_period(self, session,
                                                                        calculator):
        _flat_nobody_registered(session)
        PeriodRepository(session).open("2026-01")
        recalculate_account(session, NUMBER, "2020-03", calculator=calculator)
        assert session.scalars(select(BillingPeriod.period)).all() == ["2026-01"]

    def test_a_wrongly_opened_empty_period_is_dropped_and_the_start_moves(self, session):
        periods = PeriodRepository(session)
        periods.open("2020-01")
        periods.drop("2020-01")
        assert periods.start() is None
        periods.open("2026-01")
        assert periods.start() == "2026-01"

    def test_a_period_with_lines_is_not_dropped(self, session, unit, calculator):
        w = _flat_nobody_registered(session)
        owners.create_ownership(session, SEAMS, ACTOR, OwnershipCreate(
            person_id=w.people[0].id, premises_id=w.flat.id, date_from=date(2015, 3, 1)))
        run_period(unit, calculator, "2026-09", house_ids=[w.house.id])
        with pytest.raises(PeriodNotEmptyError) as refused:
            PeriodRepository(session).drop("2026-09")
        assert refused.value.code == "period_not_empty" and "строк начислений" in str(
            refused.value.message)
