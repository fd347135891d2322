"""Payments posted, allocated, reversed and settled against the ledger, on both databases.

Stories told the way a cashier or an accountant would: money goes to the oldest debt, within a
month in proportion to its lines; an overpayment becomes an advance that the next month's
charges consume; a storno takes everything back; a recalculation that lowers a paid charge
returns the overpaid part to the advance.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from zhkh.kernel.allocation import AllocationPolicy
from zhkh.modules.audit import Actor
from zhkh.modules.billing.repository import LedgerRepository, LedgerRow, PeriodRepository
from zhkh.modules.finance.allocating import Key
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.finance.payments import Ledgerbook, NewPayment, post, reverse_payment
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.registry.repository import RegistryRepository

BOOK = Ledgerbook(AllocationPolicy(), ("cold_water", "heating"))
CASHIER = Actor("cashier:test", "оплата в кассе")


def charge(session: Session, account_id: int, provider_id: int, period_for: str, kopecks: int,
           *, service: str = "cold_water", booked: str | None = None,
           kind: str = "charge") -> None:
    LedgerRepository(session).write_lines([LedgerRow(
        account_id=account_id, service=service, component=None, zone=None,
        provider_id=provider_id, period_for=period_for, period_booked=booked or period_for,
        kind=kind, method=None, volume_micro=None, tariff_micro=None,
        amount_kopecks=kopecks, rulebook_version="test", explain=None, run_id=None)])


def pay(session: Session, account_id: int, kopecks: int, **kw) -> Payment:
    new = NewPayment(account_id=account_id, paid_on=kw.pop("on", date(2026, 10, 5)),
                     amount_kopecks=kopecks, channel="cashdesk", **kw)
    return post(session, CASHIER, new, BOOK).payment


def sums(session: Session, payment_id: int) -> dict[str, int]:
    rows = session.execute(select(Allocation.kind, func.sum(Allocation.amount_kopecks))
                           .where(Allocation.payment_id == payment_id)
                           .group_by(Allocation.kind)).all()
    return {kind: int(total) for kind, total in rows if total}


def open_of(session: Session, account_id: int) -> dict[Key, int]:
    return FinanceRepository(session).open_keys([account_id])[account_id]


class TestAPaymentGoesToTheOldestDebtFirst:
    def test_september_is_paid_before_october_and_the_rest_stays_open(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        PeriodRepository(session).open("2026-09")
        charge(session, acc, prov, "2026-09", 100_000)
        charge(session, acc, prov, "2026-10", 120_000)
        payment = pay(session, acc, 150_000)
        assert sums(session, payment.id) == {"principal": 150_000}
        assert open_of(session, acc) == {Key("2026-10", "cold_water", prov): 70_000}

    def test_a_designated_month_is_paid_first(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        PeriodRepository(session).open("2026-09")
        charge(session, acc, prov, "2026-09", 100_000)
        charge(session, acc, prov, "2026-10", 120_000)
        pay(session, acc, 120_000, designated_period="2026-10")
        assert open_of(session, acc) == {Key("2026-09", "cold_water", prov): 100_000}

    def test_within_a_month_the_lines_share_in_proportion(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        heat = RegistryRepository(session).add_provider(code="teplo", name="Тепло",
                                                        inn="7700000001").id
        charge(session, acc, prov, "2026-10", 100_000)
        charge(session, acc, heat, "2026-10", 300_000, service="heating")
        pay(session, acc, 200_000)
        assert open_of(session, acc) == {Key("2026-10", "cold_water", prov): 50_000,
                                         Key("2026-10", "heating", heat): 150_000}


class TestOverpaymentIsAnAdvance:
    def test_the_surplus_is_held_and_next_charges_consume_it(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        charge(session, acc, prov, "2026-10", 100_000)
        payment = pay(session, acc, 130_000)
        assert sums(session, payment.id) == {"principal": 100_000, "advance": 30_000}
        assert open_of(session, acc) == {}
        PeriodRepository(session).close("2026-10")
        PeriodRepository(session).open("2026-11")
        charge(session, acc, prov, "2026-11", 50_000)
        from zhkh.modules.finance.payments import settle

        settle(session, [acc], BOOK, booked_on=date(2026, 11, 30), period="2026-11")
        assert open_of(session, acc) == {Key("2026-11", "cold_water", prov): 20_000}
        assert sums(session, payment.id) == {"principal": 130_000}


class TestStorno:
    def test_a_reversed_payment_restores_the_debt_and_refuses_a_second_storno(self, session,
                                                                               world):
        acc, prov = world.accounts[0].id, world.provider.id
        charge(session, acc, prov, "2026-10", 100_000)
        payment = pay(session, acc, 130_000)
        storno = reverse_payment(session, Actor("senior", "ошибочный счёт"), payment.id, BOOK,
                                 on=date(2026, 10, 6)).payment
        assert storno.amount_kopecks == -130_000
        assert sums(session, storno.id) == {"principal": -100_000, "advance": -30_000}
        assert open_of(session, acc) == {Key("2026-10", "cold_water", prov): 100_000}
        from zhkh.modules.errors import Conflict

        with pytest.raises(Conflict):
            reverse_payment(session, Actor("senior", "ещё раз"), payment.id, BOOK,
                            on=date(2026, 10, 6))


class TestRecalculationAfterPayment:
    def test_a_lowered_paid_charge_returns_the_excess_to_the_advance(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        charge(session, acc, prov, "2026-10", 100_000)
        payment = pay(session, acc, 100_000)
        charge(session, acc, prov, "2026-10", -20_000, kind="recalculation")
        from zhkh.modules.finance.payments import settle

        settle(session, [acc], BOOK, booked_on=date(2026, 10, 20), period="2026-10")
        assert open_of(session, acc) == {}
        assert sums(session, payment.id) == {"principal": 80_000, "advance": 20_000}


class TestTheDatabaseRefusesEdits:
    @pytest.mark.parametrize("statement", [
        "UPDATE payments SET amount_kopecks = 1",
        "DELETE FROM payments",
        "UPDATE payment_allocations SET amount_kopecks = 1",
        "DELETE FROM payment_allocations",
    ])
    def test_payments_and_allocations_are_append_only(self, session, world, statement):
        acc, prov = world.accounts[0].id, world.provider.id
        charge(session, acc, prov, "2026-10", 100_000)
        pay(session, acc, 50_000)
        session.flush()
        with pytest.raises(DBAPIError), session.begin_nested():
            session.connection().exec_driver_sql(statement)

    def test_a_storno_with_another_amount_is_refused(self, session, world):
        acc = world.accounts[0].id
        payment = pay(session, acc, 50_000)
        with pytest.raises(DBAPIError), session.begin_nested():
            FinanceRepository(session).add_payment(
                account_id=acc, paid_on=date(2026, 10, 6), amount_kopecks=-40_000,
                channel="cashdesk", reverses_id=payment.id, posted_period="2026-10",
                actor="x")
