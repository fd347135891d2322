"""Money to the providers: what a day collected, minus the agent fee by the contract, sent
once, and reconciled to the kopeck (the accountant's daily split)."""

from __future__ import annotations

from datetime import date

import pytest

from zhkh.modules.audit import Actor
from zhkh.modules.errors import Conflict
from zhkh.modules.finance import transfers
from zhkh.modules.finance.contracts import create_contract
from zhkh.modules.finance.payments import NewPayment, post, reverse_payment
from zhkh.modules.finance.schemas import ContractIn

from .test_payments import BOOK, bill, charge, close

ADMIN = Actor("admin", "договор с Водоканалом")
BANK_DETAILS = {"bank_name": "ПАО СБЕРБАНК", "bik": "044525225",
                "settlement_account": "40702810938000000001",
                "corr_account": "30101810400000000225"}


def contract(session, world, **terms):
    return create_contract(session, ADMIN, ContractIn(
        provider_id=world.provider.id, number="В-1", date_from=date(2026, 1, 1),
        scope=[{"house_id": world.house.id, "service": "cold_water"}],
        terms={**BANK_DETAILS, **terms}))


def pay(session, world, kopecks, day, account=0):
    return post(session, Actor("bank"), NewPayment(
        account_id=world.accounts[account].id, paid_on=day, amount_kopecks=kopecks,
        channel="bank", received_on=day), BOOK).payment


class TestADailySplitWithAPercentFee:
    def test_the_provider_is_owed_the_days_money_less_one_and_a_half_percent(self, session,
                                                                             world):
        contract(session, world, fee_kind="percent", fee="1.5")
        bill(session, world.accounts[0].id, world.provider.id, "2026-09", 100_000)
        charge(session, world.accounts[1].id, world.provider.id, "2026-09", 100_000)
        close(session, "2026-09")
        pay(session, world, 33_333, date(2026, 10, 5))
        pay(session, world, 50_000, date(2026, 10, 5), account=1)
        pay(session, world, 10_000, date(2026, 10, 6))
        money = transfers.owed(session, date(2026, 10, 5), date(2026, 10, 6))[world.provider.id]
        # 5th: 833,33 ₽ × 1,5 % = 12,49995 → 12,50; 6th: 100,00 × 1,5 % = 1,50
        assert (money.collected, money.fee, money.to_transfer) == (93_333, 1_400, 91_933)

    def test_a_transfer_is_recorded_once_and_the_range_reconciles(self, session, world):
        contract(session, world, fee_kind="percent", fee="1.5")
        bill(session, world.accounts[0].id, world.provider.id, "2026-09", 100_000)
        close(session, "2026-09")
        pay(session, world, 40_000, date(2026, 10, 5))
        due = transfers.due_on(session, date(2026, 10, 5))
        assert [(p.id, m.collected, m.fee) for p, m, _, _ in due] == [
            (world.provider.id, 40_000, 600)]
        sent = transfers.record(session, Actor("accountant"), world.provider.id,
                                date(2026, 10, 1), date(2026, 10, 5), reference="п/п 17")
        assert (sent.collected_kopecks, sent.fee_kopecks, sent.amount_kopecks) == (
            40_000, 600, 39_400)
        with pytest.raises(Conflict):
            transfers.record(session, Actor("accountant"), world.provider.id,
                             date(2026, 10, 5), date(2026, 10, 6), reference="п/п 18")
        late = pay(session, world, 20_000, date(2026, 10, 7))
        reverse_payment(session, Actor("senior", "ошибка"), late.id, BOOK,
                        on=date(2026, 10, 8))
        pay(session, world, 10_000, date(2026, 10, 9))
        [row] = transfers.reconcile(session, date(2026, 10, 1), date(2026, 10, 31))
        assert row.collected == 40_000 + 20_000 - 20_000 + 10_000
        assert row.collected == row.transferred + row.fees + row.pending
        assert (row.transferred, row.pending) == (39_400, 10_000 - 150)


def test_a_fixed_fee_per_payment(session, world):
    contract(session, world, fee_kind="fixed", fee="5.00")
    bill(session, world.accounts[0].id, world.provider.id, "2026-09", 100_000)
    close(session, "2026-09")
    pay(session, world, 30_000, date(2026, 10, 5))
    pay(session, world, 30_000, date(2026, 10, 5))
    money = transfers.owed(session, date(2026, 10, 5), date(2026, 10, 5))[world.provider.id]
    assert (money.collected, money.fee) == (60_000, 1_000)
