"""Payments, their allocation rows and registry lines point at rows that exist, and what they
point at is not deleted: foreign keys on SQLite; on PostgreSQL one statement-level trigger per
table plus guards on accounts, providers and periods (migration 0126). Every refusal here goes
through raw SQL, so it is the database that refuses, not the service."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.db.bulk import insert_rows
from zhkh.modules.finance.models import Allocation, Payment

REFUSED = "FOREIGN KEY|несуществующую запись"
GUARDED = "FOREIGN KEY|ссылаются оплаты"
PAYMENT = ("account_id", "paid_on", "amount_kopecks", "channel", "posted_period", "actor",
           "commission_kopecks")
ROW = ("payment_id", "account_id", "service", "provider_id", "bill_period", "kind",
       "amount_kopecks", "paid_on", "booked_on", "period_booked", "rule_id")


def _payment(session, account_id: int, period: str = "2026-10", amount: int = 1000) -> int:
    return session.execute(text(
        "INSERT INTO payments (account_id, paid_on, amount_kopecks, commission_kopecks, "
        "channel, posted_period, actor) VALUES (:a, :d, :m, 0, 'cashdesk', :p, 'test') "
        "RETURNING id"), {"a": account_id, "d": date(2026, 10, 5), "m": amount,
                          "p": period}).scalar_one()


def _row(payment_id: int, account_id: int, provider_id: int | None,
         period: str = "2026-10") -> tuple:
    service, bill = ("cold_water", "2026-09") if provider_id else (None, None)
    kind = "principal" if provider_id else "advance"
    day = date(2026, 10, 5)
    return (payment_id, account_id, service, provider_id, bill, kind, 1000, day, day, period,
            "test")


def _count(session, table: str) -> int:
    return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


class TestReferencesOfPayments:
    @pytest.mark.parametrize("column, value", [("account_id", 987_654),
                                               ("posted_period", "2031-01")])
    def test_a_payment_pointing_at_nothing_is_refused(self, session, world, column, value):
        fields = {"account_id": world.accounts[0].id, "paid_on": date(2026, 10, 5),
                  "amount_kopecks": 1000, "channel": "cashdesk", "posted_period": "2026-10",
                  "actor": "test", "commission_kopecks": 0, column: value}
        with pytest.raises(IntegrityError, match=REFUSED), session.begin_nested():
            insert_rows(session, Payment.__table__, PAYMENT, [tuple(fields[c] for c in PAYMENT)])
        assert _count(session, "payments") == 0

    def test_a_payment_of_a_registry_line_that_does_not_exist_is_refused(self, session, world):
        with pytest.raises(IntegrityError, match=REFUSED), session.begin_nested():
            insert_rows(session, Payment.__table__, (*PAYMENT, "registry_line_id"), [
                (world.accounts[0].id, date(2026, 10, 5), 1000, "bank", "2026-10", "test", 0,
                 987_654)])

    def test_a_storno_of_a_payment_that_does_not_exist_is_refused(self, session, world):
        with pytest.raises(IntegrityError, match=REFUSED + "|сторно"), session.begin_nested():
            insert_rows(session, Payment.__table__, (*PAYMENT, "reverses_id"), [
                (world.accounts[0].id, date(2026, 10, 5), -1000, "cashdesk", "2026-10",
                 "test", 0, 987_654)])

    def test_the_bulk_writer_refuses_the_whole_batch_naming_the_account(self, session, world,
                                                                        backend):
        good = (world.accounts[0].id, date(2026, 10, 5), 1000, "bank", "2026-10", "test", 0)
        rows = [good, good, (987_654, *good[1:]), (987_655, *good[1:])]
        expected = "FOREIGN KEY" if backend == "sqlite" else "лицевой счёт id 987654"
        with pytest.raises(IntegrityError, match=expected), session.begin_nested():
            insert_rows(session, Payment.__table__, PAYMENT, rows)
        assert _count(session, "payments") == 0


class TestReferencesOfAllocationRows:
    @pytest.mark.parametrize("field", ["payment", "account", "provider", "period"])
    def test_a_row_pointing_at_nothing_is_refused(self, session, world, field):
        paid = _payment(session, world.accounts[0].id)
        row = list(_row(paid, world.accounts[0].id, world.provider.id))
        where = {"payment": 0, "account": 1, "provider": 3, "period": 9}[field]
        row[where] = "2031-01" if field == "period" else 987_654
        with pytest.raises(IntegrityError, match=REFUSED), session.begin_nested():
            insert_rows(session, Allocation.__table__, ROW, [_row(paid, world.accounts[0].id,
                                                                  world.provider.id),
                                                             tuple(row)])
        assert _count(session, "payment_allocations") == 0

    def test_rows_of_existing_rows_are_accepted_in_bulk(self, session, world):
        paid = [_payment(session, a.id) for a in world.accounts]
        rows = [_row(p, a.id, world.provider.id) for p, a in zip(paid, world.accounts,
                                                                  strict=True)]
        rows += [_row(p, a.id, None) for p, a in zip(paid, world.accounts, strict=True)]
        assert insert_rows(session, Allocation.__table__, ROW, rows * 2) == 8


class TestWhatMoneyPointsAtIsKept:
    @pytest.mark.parametrize("target", ["account", "provider", "period"])
    def test_it_cannot_be_deleted(self, session, world, target):
        PeriodRepository(session).open("2026-11")
        account = world.accounts[1].id
        paid = _payment(session, account, "2026-11")
        insert_rows(session, Allocation.__table__, ROW,
                    [_row(paid, account, world.provider.id, "2026-11")])
        statement, key = {
            "account": ("DELETE FROM accounts WHERE id = :id", account),
            "provider": ("DELETE FROM providers WHERE id = :id", world.provider.id),
            "period": ("DELETE FROM billing_periods WHERE period = :id", "2026-11"),
        }[target]
        with pytest.raises(IntegrityError, match=GUARDED + "|ссылаются строки журнала"), \
                session.begin_nested():
            session.execute(text(statement), {"id": key})
        assert _count(session, "payments") == 1

    def test_an_account_without_money_can_still_be_deleted(self, session, world):
        PeriodRepository(session).open("2026-12")
        gone = session.execute(text("DELETE FROM billing_periods WHERE period = '2026-12'"))
        assert gone.rowcount == 1
        gone = session.execute(text("DELETE FROM accounts WHERE id = :id"),
                               {"id": world.accounts[1].id})
        assert gone.rowcount == 1
