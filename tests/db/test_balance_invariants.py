"""The balance identities hold after every step of random histories (hypothesis state machine):
charges, recalculations (up and down), payments (some designated), stornos, period closes.

After each step, for the whole database:
* every payment's allocation rows sum to its amount; every payment's advance is ≥ 0;
* the turnover sheet of every period: opening + charged − paid = closing, and the closing of a
  period is the opening of the next; the total charged equals the ledger's lines of the period;
* payments posted in a period = paid in it + the advance's change;
* an account holding an advance has no open bill (advances are spent when a month closes and
  when a storno reopens a debt); no key is paid beyond its bill.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhkh.modules.audit import Actor
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance.balances import account_balance, turnover
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.finance.payments import NewPayment, post, reverse_payment, settle_all
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository

from .test_payments import BOOK, charge, provider

SERVICES = ("cold_water", "heating")
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")


class LedgerMachine(RuleBasedStateMachine):
    """Random histories of two accounts with two providers over half a year."""

    session: Session

    @initialize()
    def town(self) -> None:
        reg = RegistryRepository(self.session)
        self.providers = [provider(self.session, f"p{i}", f"П{i}", "7700000000").id
                          for i in range(2)]
        house = reg.add_house(address="ул. Проверки, 1")
        self.accounts = []
        for n in range(2):
            flat = reg.add_premises(house_id=house.id, number=str(n + 1), kind="flat")
            self.accounts.append(reg.add_account(number=make_account_number(900 + n),
                                                 premises_id=flat.id,
                                                 opened_on=date(2020, 1, 1)).id)
        self.month = 0
        PeriodRepository(self.session).open(MONTHS[0])
        self.payments: list[int] = []

    @property
    def open(self) -> str:
        return MONTHS[self.month]

    @rule(acc=st.integers(0, 1), svc=st.integers(0, 1), kopecks=st.integers(1, 500_000))
    def charge_the_open_month(self, acc: int, svc: int, kopecks: int) -> None:
        charge(self.session, self.accounts[acc], self.providers[svc], self.open, kopecks,
               service=SERVICES[svc])

    @rule(acc=st.integers(0, 1), svc=st.integers(0, 1), back=st.integers(1, 5),
          kopecks=st.integers(-300_000, 300_000).filter(bool))
    def recalculate_an_earlier_month(self, acc: int, svc: int, back: int, kopecks: int) -> None:
        if self.month == 0:
            return
        period_for = MONTHS[max(0, self.month - back)]
        charge(self.session, self.accounts[acc], self.providers[svc], period_for, kopecks,
               service=SERVICES[svc], booked=self.open, kind="recalculation")

    @rule(acc=st.integers(0, 1), kopecks=st.integers(1, 900_000),
          designated=st.booleans(), services=st.sampled_from([None, ("heating",)]))
    def pay(self, acc: int, kopecks: int, designated: bool, services) -> None:
        new = NewPayment(account_id=self.accounts[acc],
                         paid_on=date.fromisoformat(self.open + "-10"), amount_kopecks=kopecks,
                         channel="bank", designated_period=self.open if designated else None,
                         designated_services=services)
        self.payments.append(post(self.session, Actor("bank"), new, BOOK).payment.id)

    @rule(index=st.integers(0, 50))
    def reverse(self, index: int) -> None:
        if not self.payments:
            return
        pid = self.payments[index % len(self.payments)]
        repo = FinanceRepository(self.session)
        if repo.reversal_of(pid) is not None:
            return
        reverse_payment(self.session, Actor("senior", "проверка"), pid, BOOK,
                        on=date.fromisoformat(self.open + "-20"))

    @rule()
    def close_the_month(self) -> None:
        if self.month + 1 >= len(MONTHS):
            return
        periods = PeriodRepository(self.session)
        periods.close(self.open)
        self.month += 1
        periods.open(self.open)
        settle_all(self.session, BOOK, booked_on=date.fromisoformat(self.open + "-01"),
                   period=self.open)

    @invariant()
    def every_payment_is_allocated_whole(self) -> None:
        s = self.session
        rows = dict(s.execute(select(Allocation.payment_id, func.sum(Allocation.amount_kopecks))
                              .group_by(Allocation.payment_id)).all())
        for pid, amount in s.execute(select(Payment.id, Payment.amount_kopecks)):
            assert rows.get(pid, 0) == amount, pid
        for accounts in FinanceRepository(s).advances(self.accounts).values():
            assert all(amount >= 0 for _, amount in accounts)

    @invariant()
    def the_turnover_sheets_chain_and_reconcile(self) -> None:
        s = self.session
        previous_closing = 0
        for period in MONTHS[:self.month + 1]:
            sheet = turnover(s, period, "provider")
            t = sheet.total
            assert t.opening + t.charged_total - t.paid == t.closing
            assert t.opening == previous_closing
            previous_closing = t.closing
            booked = s.scalar(select(func.coalesce(func.sum(LedgerLine.amount_kopecks), 0))
                              .where(LedgerLine.period_booked == period))
            assert t.charged_total == booked
            assert sheet.posted == t.paid + sheet.advance_closing - sheet.advance_opening

    @invariant()
    def an_account_holds_no_advance_beside_an_open_bill(self) -> None:
        repo = FinanceRepository(self.session)
        open_keys = repo.open_keys(self.accounts)
        paid = repo.paid(self.accounts)
        charged = repo.charged(self.accounts)
        for account in self.accounts:
            if account_balance(self.session, account).advance > 0:
                assert all(v <= 0 for v in open_keys[account].values()), open_keys[account]
            for key, amount in paid.get(account, {}).items():
                assert amount <= max(0, charged.get(account, {}).get(key, 0)), key


def test_random_histories_keep_the_balance_identities(engine) -> None:
    examples = 25 if engine.dialect.name == "sqlite" else 8

    class Machine(LedgerMachine):
        def __init__(self) -> None:
            super().__init__()
            self.conn = engine.connect()
            self.tx = self.conn.begin()
            self.session = Session(bind=self.conn, join_transaction_mode="create_savepoint")

        def teardown(self) -> None:
            self.session.close()
            self.tx.rollback()
            self.conn.close()

    Machine.TestCase.settings = settings(
        max_examples=examples, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    Machine.TestCase().runTest()
