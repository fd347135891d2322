"""Penalties booked from the ledger and the payments, the way an accountant checks them by hand.

The shipped rules: due by the 10th of the next month (bills before March 2026), days 1–30 free,
31–90 at 1/300, from 91 at 1/130, the rate capped at 9,5 % through 2026, the payment day
accrues (REFERENCE §2).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from zhkh.kernel.penalties import policy_from_rulebook
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import load_rulebook
from zhkh.modules.audit import Actor
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance.payments import NewPayment, post
from zhkh.modules.finance.penalties import replace_penalties
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.rules import RULES_DIR

from .test_payments import BOOK, charge, provider

POLICY = policy_from_rulebook(load_rulebook(RULES_DIR))


@pytest.fixture
def world(session):
    """One account of one flat and a water provider; no billing period open yet (the shared
    world opens October, which would become the posting month)."""
    reg = RegistryRepository(session)
    house = reg.add_house(address="ул. Пеней, 1")
    flat = reg.add_premises(house_id=house.id, number="1", kind="flat")
    return SimpleNamespace(
        provider=provider(session, "voda", "Водоканал", "7700000000"),
        accounts=[reg.add_account(number=make_account_number(700), premises_id=flat.id,
                                  opened_on=date(2020, 1, 1))])


def penalty_lines(session, account_id):
    return session.execute(select(LedgerLine.period_booked, LedgerLine.period_for,
                                  LedgerLine.kind, LedgerLine.component,
                                  LedgerLine.amount_kopecks, LedgerLine.explain)
                           .where(LedgerLine.account_id == account_id,
                                  LedgerLine.service == "penalty")
                           .order_by(LedgerLine.id)).all()


def january(session, account_id, provider_id, kopecks, heating=None) -> None:
    """The January 2026 bill of an account, in a closed January."""
    periods = PeriodRepository(session)
    periods.open("2026-01")
    charge(session, account_id, provider_id, "2026-01", kopecks)
    if heating:
        charge(session, account_id, heating[0], "2026-01", heating[1], service="heating")
    periods.close("2026-01")


def test_a_recalculation_of_january_booked_in_june_is_due_with_the_june_bill(session, world):
    acc, prov = world.accounts[0].id, world.provider.id
    PeriodRepository(session).open("2026-06")
    charge(session, acc, prov, "2026-01", 300_000, booked="2026-06", kind="recalculation")
    assert replace_penalties(session, [acc], Period(2026, 6), POLICY, version="t",
                             run_id="r") == []


class TestAnUnpaidJanuaryBill:
    """3 000,00 ₽ for January 2026, due 10.02.2026, never paid."""

    def test_by_the_end_of_june_it_carries_60_days_at_1_300_and_50_at_1_130(self, session,
                                                                           world):
        acc, prov = world.accounts[0].id, world.provider.id
        january(session, acc, prov, 300_000)
        PeriodRepository(session).open("2026-06")
        rows = replace_penalties(session, [acc], Period(2026, 6), POLICY, version="t",
                                 run_id="r")
        # 11.02–12.03 free; 13.03–11.05: 60 × 1/300; 12.05–30.06: 50 × 1/130; rate 9,5 %
        # 3 000 × 0,095 × (60/300 + 50/130) = 57,00 + 109,615… = 166,615… → 166,62
        assert [(r.kind, r.period_for, r.component, r.amount_kopecks) for r in rows] == [
            ("penalty", "2026-06", "2026-01", 16_662)]
        assert "60 дн. × 1/300, 50 дн. × 1/130" in rows[0].explain
        assert "ставка 9,5 %" in rows[0].explain
        again = replace_penalties(session, [acc], Period(2026, 6), POLICY, version="t",
                                  run_id="r2")
        assert [r.amount_kopecks for r in again] == [16_662]
        assert len(penalty_lines(session, acc)) == 1

    def test_a_late_posted_payment_corrects_the_closed_month_by_recalculation(self, session,
                                                                            world):
        acc, prov = world.accounts[0].id, world.provider.id
        january(session, acc, prov, 300_000)
        periods = PeriodRepository(session)
        periods.open("2026-05")
        may = replace_penalties(session, [acc], Period(2026, 5), POLICY, version="t",
                                run_id="may")
        # by 31.05: 60 × 1/300 + 20 × 1/130 → 57,00 + 43,846… = 100,85
        assert [r.amount_kopecks for r in may] == [10_085]
        periods.close("2026-05")
        periods.open("2026-06")
        post(session, Actor("bank"), NewPayment(account_id=acc, paid_on=date(2026, 5, 1),
                                                amount_kopecks=300_000, channel="bank"), BOOK)
        june = replace_penalties(session, [acc], Period(2026, 6), POLICY, version="t",
                                 run_id="june")
        # paid 01.05 (the day accrues): 13.03–01.05 = 50 × 1/300 at 9,5 % → 47,50;
        # May had booked 100,85, so May is corrected by −53,35 and June accrues nothing
        assert [(r.kind, r.period_for, r.amount_kopecks) for r in june] == [
            ("recalculation", "2026-05", -5_335)]


def test_a_penalty_is_split_over_the_providers_of_the_debt(session, world):
    acc, prov = world.accounts[0].id, world.provider.id
    heat = provider(session, "t2", "Т", "7700000002").id
    january(session, acc, prov, 100_000, heating=(heat, 200_000))
    PeriodRepository(session).open("2026-06")
    rows = replace_penalties(session, [acc], Period(2026, 6), POLICY, version="t", run_id="r")
    assert sorted((r.provider_id, r.amount_kopecks) for r in rows) == sorted(
        [(prov, 5_554), (heat, 11_108)])
    assert sum(r.amount_kopecks for r in rows) == 16_662
