"""The penalty phase that skips final bills books exactly what the phase reading every bill
books: a small town lives fourteen months — bills of two providers, payments on time, late,
partial, dated before the month they are posted in, stornos, advances spent at each close, the
phase run in the middle of a month and again before it closes — once with the final months
(``penalty_finals``) and once reading whole histories; the penalty lines must be the same, line
for line, explain included."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from zhkh.kernel.penalties import policy_from_rulebook
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import load_rulebook
from zhkh.modules.audit import Actor
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance.models import Payment, PenaltyFinal
from zhkh.modules.finance.payments import NewPayment, post, reverse_payment, settle_all
from zhkh.modules.finance.penalties import replace_penalties
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.rules import RULES_DIR

from .test_payments import BOOK, charge, provider

POLICY = policy_from_rulebook(load_rulebook(RULES_DIR))
FIRST, MONTHS, ACCOUNTS = Period(2025, 1), 14, 24
CASHIER = Actor("cashier:test", "оплата")


def live(session, ids: list[int], providers: list[int], *, finals: bool) -> list[tuple]:
    """Fourteen months of the town (same random choices every time); its penalty lines."""
    rng = random.Random(42)
    periods = PeriodRepository(session)
    paid: list[int] = []
    habit = {a: rng.choice(("prompt", "prompt", "late", "partial", "never")) for a in ids}
    for index in range(MONTHS):
        month = FIRST.shift(index)
        periods.open(str(month))
        for a in ids:
            charge(session, a, providers[0], str(month), rng.randint(5_000, 90_000))
            charge(session, a, providers[1], str(month), rng.randint(30_000, 300_000),
                   service="heating")
        if index:
            settle_all(session, BOOK, booked_on=month.first_day, period=str(month))
        for half in (0, 1):
            for a in ids:
                if habit[a] == "never" or rng.random() < (0.7 if habit[a] == "late" else 0.2):
                    continue
                owed = sum(v for v in FinanceRepository(session).open_keys([a])[a].values()
                           if v > 0)
                share = rng.choice((100, 60, 130)) if habit[a] != "partial" else 40
                amount = max(100, owed * share // 100 if owed else rng.randint(100, 50_000))
                day = month.first_day + timedelta(days=rng.randint(0, 13) + 14 * half)
                if rng.random() < 0.1 and index:
                    day = month.first_day - timedelta(days=rng.randint(1, 20))  # backdated
                posted = post(session, CASHIER, NewPayment(
                    account_id=a, paid_on=day, amount_kopecks=amount, channel="cashdesk",
                    received_on=day), BOOK)
                paid.append(posted.payment.id)
            if half == 0 and index > 2 and rng.random() < 0.8:
                victim = paid.pop(rng.randrange(len(paid) // 2))
                reverse_payment(session, Actor("cashier:test", "ошибка кассира"), victim, BOOK,
                                on=month.first_day + timedelta(days=15))
            replace_penalties(session, ids, month, POLICY, version="v1",
                              run_id=f"{month}:{half}", finals=finals)
        periods.close(str(month))
    return penalty_lines(session)


def penalty_lines(session) -> list[tuple]:
    """Every penalty line in a stable order, with the fields a booking decides."""
    return session.execute(select(
        LedgerLine.account_id, LedgerLine.component, LedgerLine.provider_id,
        LedgerLine.period_for, LedgerLine.period_booked, LedgerLine.kind,
        LedgerLine.amount_kopecks, LedgerLine.explain, LedgerLine.run_id)
        .where(LedgerLine.service == "penalty")
        .order_by(LedgerLine.account_id, LedgerLine.period_booked, LedgerLine.component,
                  LedgerLine.provider_id, LedgerLine.kind)).all()


def test_skipping_final_bills_books_the_same_penalty_lines(session):
    reg = RegistryRepository(session)
    house = reg.add_house(address="ул. Пеней, 2")
    ids = [reg.add_account(number=make_account_number(900 + i),
                           premises_id=reg.add_premises(house_id=house.id, number=str(i + 1),
                                                        kind="flat").id,
                           opened_on=date(2020, 1, 1)).id for i in range(ACCOUNTS)]
    providers = [provider(session, "voda", "Водоканал", "7700000000").id,
                 provider(session, "teplo", "Теплосеть", "7700000001").id]
    session.flush()
    with session.begin_nested() as whole:
        reference = live(session, ids, providers, finals=False)
        assert session.scalar(select(PenaltyFinal.account_id).limit(1)) is None
        whole.rollback()
    with session.begin_nested() as skipping:
        optimised = live(session, ids, providers, finals=True)
        finals = dict(session.execute(select(PenaltyFinal.account_id,
                                             PenaltyFinal.final_before)).all())
        stornos = session.scalar(select(Payment.id).where(Payment.reverses_id.is_not(None))
                                 .limit(1))
        skipping.rollback()
    assert optimised == reference
    assert len(reference) > 500 and stornos is not None
    assert [r for r in reference if r.kind == "recalculation"]  # corrections happened too
    # the skipping did skip: most accounts have final bills well before the last month
    assert sum(1 for m in finals.values() if m > str(FIRST.shift(3))) > ACCOUNTS // 2
