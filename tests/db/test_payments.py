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
from zhkh.modules.errors import Conflict
from zhkh.modules.finance.allocating import Key
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.finance.payments import (
    Ledgerbook,
    NewPayment,
    post,
    reverse_payment,
    settle_all,
)
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.registry.models import Provider

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


def provider(session: Session, code: str, name: str, inn: str) -> Provider:
    """A provider as the finance service would create it (its ИНН is not checked here)."""
    found = Provider(code=code, name=name, inn=inn)
    session.add(found)
    session.flush()
    return found


def bill(session: Session, account_id: int, provider_id: int, period: str, kopecks: int,
         *, service: str = "cold_water") -> None:
    """A line on the bill of ``period``, which is then closed (a bill exists once its month
    is closed)."""
    periods = PeriodRepository(session)
    if periods.is_closed(period):
        raise AssertionError(f"{period} is closed already")
    periods.open(period)
    charge(session, account_id, provider_id, period, kopecks, service=service)


def close(session: Session, *periods: str) -> None:
    for period in periods:
        PeriodRepository(session).close(period)


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


class TestAPaymentGoesToTheOldestBillFirst:
    def test_august_is_paid_before_september_and_the_rest_stays_open(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        bill(session, acc, prov, "2026-08", 100_000)
        bill(session, acc, prov, "2026-09", 120_000)
        close(session, "2026-08", "2026-09")
        payment = pay(session, acc, 150_000)
        assert sums(session, payment.id) == {"principal": 150_000}
        assert open_of(session, acc) == {Key("2026-09", "cold_water", prov): 70_000}

    def test_a_designated_month_is_paid_first(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        bill(session, acc, prov, "2026-08", 100_000)
        bill(session, acc, prov, "2026-09", 120_000)
        close(session, "2026-08", "2026-09")
        pay(session, acc, 120_000, designated_period="2026-09")
        assert open_of(session, acc) == {Key("2026-08", "cold_water", prov): 100_000}

    def test_within_a_bill_the_lines_share_in_proportion(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        heat = provider(session, "teplo", "Тепло", "7700000001").id
        bill(session, acc, prov, "2026-09", 100_000)
        charge(session, acc, heat, "2026-09", 300_000, service="heating")
        close(session, "2026-09")
        pay(session, acc, 200_000)
        assert open_of(session, acc) == {Key("2026-09", "cold_water", prov): 50_000,
                                         Key("2026-09", "heating", heat): 150_000}

    def test_the_open_month_is_not_billed_yet_so_its_money_waits_as_an_advance(self, session,
                                                                              world):
        acc, prov = world.accounts[0].id, world.provider.id
        charge(session, acc, prov, "2026-10", 100_000)
        payment = pay(session, acc, 100_000)
        assert sums(session, payment.id) == {"advance": 100_000}


class TestOverpaymentIsAnAdvance:
    def test_the_surplus_is_held_and_the_next_bill_consumes_it(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        bill(session, acc, prov, "2026-09", 100_000)
        close(session, "2026-09")
        payment = pay(session, acc, 130_000)
        assert sums(session, payment.id) == {"principal": 100_000, "advance": 30_000}
        assert open_of(session, acc) == {}
        charge(session, acc, prov, "2026-10", 50_000)
        close(session, "2026-10")
        PeriodRepository(session).open("2026-11")
        settle_all(session, BOOK, booked_on=date(2026, 11, 1), period="2026-11")
        assert open_of(session, acc) == {Key("2026-10", "cold_water", prov): 20_000}
        assert sums(session, payment.id) == {"principal": 130_000}


class TestStorno:
    def test_a_reversed_payment_restores_the_debt_and_refuses_a_second_storno(self, session,
                                                                               world):
        acc, prov = world.accounts[0].id, world.provider.id
        bill(session, acc, prov, "2026-09", 100_000)
        close(session, "2026-09")
        payment = pay(session, acc, 130_000)
        storno = reverse_payment(session, Actor("senior", "ошибочный счёт"), payment.id, BOOK,
                                 on=date(2026, 10, 6)).payment
        assert storno.amount_kopecks == -130_000
        assert sums(session, storno.id) == {"principal": -100_000, "advance": -30_000}
        assert open_of(session, acc) == {Key("2026-09", "cold_water", prov): 100_000}
        with pytest.raises(Conflict):
            reverse_payment(session, Actor("senior", "ещё раз"), payment.id, BOOK,
                            on=date(2026, 10, 6))

    def test_a_storno_frees_the_debt_for_another_payments_advance(self, session, world):
        acc, prov = world.accounts[0].id, world.provider.id
        bill(session, acc, prov, "2026-09", 100_000)
        close(session, "2026-09")
        first = pay(session, acc, 100_000)
        second = pay(session, acc, 40_000)
        assert sums(session, second.id) == {"advance": 40_000}
        reverse_payment(session, Actor("senior", "чужой платёж"), first.id, BOOK,
                        on=date(2026, 10, 7))
        assert sums(session, second.id) == {"principal": 40_000}
        assert open_of(session, acc) == {Key("2026-09", "cold_water", prov): 60_000}


class TestTheDatabaseRefusesEdits:
    @pytest.mark.parametrize("statement", [
        "UPDATE payments SET amount_kopecks = 1",
        "DELETE FROM payments",
        "UPDATE payment_allocations SET amount_kopecks = 1",
        "DELETE FROM payment_allocations",
    ])
    def test_payments_and_allocations_are_append_only(self, session, world, statement):
        pay(session, world.accounts[0].id, 50_000)
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
