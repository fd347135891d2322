"""The penalty phase served by the penalty state books exactly what the phase reading every
bill books, and the state it keeps month by month equals the state rebuilt from the ledger.

A small town lives twelve months of random history (hypothesis draws the seed and the mix of
habits): bills of two providers, recalculations of old months booked on the open month's
bill, payments on time, late, partial, over, dated before the month they are posted in,
stornos, advances spent at each close, the phase run in the middle of a month and again before
it closes — once with the state (``incremental=True``) and once reading whole histories
(``finals=False``, the oracle); the penalty lines must be the same, line for line, explain
included."""

from __future__ import annotations

import random
from contextlib import nullcontext
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from zhkh.kernel.penalties import policy_from_rulebook
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import load_rulebook
from zhkh.modules.audit import Actor
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance.models import Payment, PenaltyState
from zhkh.modules.finance.payments import NewPayment, post, reverse_payment, settle_all
from zhkh.modules.finance.penalties import rebuild_penalty_state, replace_penalties
from zhkh.modules.finance.penalty_state import (
    ledger_columns,
    read_heads,
    read_state,
    rebuild_state,
)
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.rules import RULES_DIR

from .test_payments import BOOK, charge, provider
from .test_penalty_finals import penalty_lines

POLICY = policy_from_rulebook(load_rulebook(RULES_DIR))
FIRST, MONTHS, ACCOUNTS = Period(2025, 1), 12, 16
CASHIER = Actor("cashier:test", "оплата")
HABITS = ("prompt", "late", "partial", "never", "over")


def live(session, ids: list[int], providers: list[int], seed: int, habits: list[str], *,
         incremental: bool) -> list[tuple]:
    """Twelve months of the town (the same random choices for a seed); its penalty lines."""
    rng = random.Random(seed)
    periods = PeriodRepository(session)
    paid: list[int] = []
    habit = {a: habits[i % len(habits)] for i, a in enumerate(ids)}
    for index in range(MONTHS):
        month = FIRST.shift(index)
        periods.open(str(month))
        for a in ids:
            charge(session, a, providers[0], str(month), rng.randint(5_000, 90_000))
            charge(session, a, providers[1], str(month), rng.randint(30_000, 300_000),
                   service="heating")
            if index > 1 and rng.random() < 0.1:  # a recalculation of an old month
                charge(session, a, providers[rng.randrange(2)],
                       str(month.shift(-rng.randint(1, index))), rng.randint(-40_000, 20_000),
                       booked=str(month), kind="recalculation")
        if index:
            settle_all(session, BOOK, booked_on=month.first_day, period=str(month))
        for half in (0, 1):
            for a in ids:
                if habit[a] == "never" and rng.random() < 0.9:
                    continue
                if rng.random() < (0.7 if habit[a] == "late" else 0.2):
                    continue
                owed = sum(v for v in FinanceRepository(session).open_keys([a])[a].values()
                           if v > 0)
                share = {"partial": 40, "over": 150}.get(habit[a], rng.choice((100, 60, 130)))
                amount = max(100, owed * share // 100 if owed else rng.randint(100, 50_000))
                day = month.first_day + timedelta(days=rng.randint(0, 13) + 14 * half)
                if rng.random() < 0.08 and index:
                    day = month.first_day - timedelta(days=rng.randint(1, 40))  # backdated
                posted = post(session, CASHIER, NewPayment(
                    account_id=a, paid_on=day, amount_kopecks=amount, channel="cashdesk",
                    received_on=day), BOOK)
                paid.append(posted.payment.id)
            if half == 0 and index > 2 and rng.random() < 0.7:
                victim = paid.pop(rng.randrange(len(paid)))
                reverse_payment(session, Actor("cashier:test", "ошибка кассира"), victim, BOOK,
                                on=month.first_day + timedelta(days=15))
            if incremental:
                replace_penalties(session, ids, month, POLICY, version="v1",
                                  run_id=f"{month}:{half}", incremental=True)
            else:
                replace_penalties(session, ids, month, POLICY, version="v1",
                                  run_id=f"{month}:{half}", finals=False)
        periods.close(str(month))
    return penalty_lines(session)


def _town(session) -> tuple[list[int], list[int]]:
    reg = RegistryRepository(session)
    house = reg.add_house(address="ул. Пеней, 3")
    ids = [reg.add_account(number=make_account_number(700 + i),
                           premises_id=reg.add_premises(house_id=house.id, number=str(i + 1),
                                                        kind="flat").id,
                           opened_on=date(2020, 1, 1)).id for i in range(ACCOUNTS)]
    providers = [provider(session, "voda", "Водоканал", "7700000000").id,
                 provider(session, "teplo", "Теплосеть", "7700000001").id]
    session.flush()
    return ids, providers


def _as_dict(cols) -> dict:
    return {name: getattr(cols, name).tolist() for name in (
        "c_key", "c_provider", "c_amount", "p_key", "p_day", "p_amount", "b_key", "b_amount")}


@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000),
       habits=st.lists(st.sampled_from(HABITS), min_size=1, max_size=5))
def test_the_state_books_what_the_whole_history_books(session, seed, habits):
    with session.begin_nested() as town:
        ids, providers = _town(session)
        with session.begin_nested() as whole:
            reference = live(session, ids, providers, seed, habits, incremental=False)
            whole.rollback()
        with session.begin_nested() as kept:
            served = live(session, ids, providers, seed, habits, incremental=True)
            last = FIRST.shift(MONTHS - 1)
            assert set(read_heads(session, ids, "v1").values()) == {str(last)}
            state = _as_dict(read_state(session, ids))
            stored = sum(len(d) for d in session.scalars(select(PenaltyState.data))) // 32
            everything = ledger_columns(session, ids, last)
            rebuilt = _as_dict(rebuild_state(session, ids, last, POLICY, version="v1"))
            assert _as_dict(read_state(session, ids)) == rebuilt
            stornos = session.scalar(select(Payment.id).where(Payment.reverses_id.is_not(None))
                                     .limit(1))
            kept.rollback()
        town.rollback()
    assert served == reference
    assert reference and stornos is not None
    # the state kept month by month is the state rebuilt from the ledger
    assert state == rebuilt
    # and it is smaller than the history: settled bills are dropped
    assert stored < everything.c_key.size + everything.p_key.size + everything.b_key.size


def test_a_run_without_state_builds_it_and_the_next_month_moves_it(session):
    """No state: the phase reads whole and builds it; a month later it is moved, not rebuilt
    (heads as of the new month), and a rerun within the month reads it as is."""
    ids, providers = _town(session)
    periods = PeriodRepository(session)
    first, second = FIRST, FIRST.shift(1)
    periods.open(str(first))
    for a in ids:
        charge(session, a, providers[0], str(first), 50_000)
    periods.close(str(first))
    periods.open(str(second))
    replace_penalties(session, ids, second, POLICY, version="v1", run_id="a",
                      incremental=True)
    assert set(read_heads(session, ids, "v1").values()) == {str(second)}
    before = _as_dict(read_state(session, ids))
    replace_penalties(session, ids, second, POLICY, version="v1", run_id="b",
                      incremental=True)
    assert _as_dict(read_state(session, ids)) == before
    # the batch rebuild gives the same state back
    kept = rebuild_penalty_state(lambda: nullcontext(session), ids, second, POLICY,
                                 version="v1", batch=5)
    assert _as_dict(read_state(session, ids)) == before
    assert kept == len(ids)  # each account's unpaid first bill
    assert read_heads(session, ids, "v2") == {}
    assert np.unique(read_state(session, ids).c_key // 1_000_000).size == len(ids)
    assert session.scalar(select(func.count()).select_from(PenaltyState)) == len(ids)
