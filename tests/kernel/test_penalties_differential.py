"""The compiled batch kernel equals the day-by-day Decimal twin to the kopeck (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zhkh.kernel.allocation import Payment
from zhkh.kernel.penalties import (
    Debt,
    Moratorium,
    PenaltyBatch,
    compute_penalties_batch,
    compute_penalties_reference,
    month_index,
    policy_from_rules,
)
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.kinds import penalties as kind
from zhkh.kernel.rulebook.yamlio import load_yaml

RULES = Path(__file__).resolve().parents[2] / "rules" / "penalties"


def read_rules() -> list[kind.Rule]:
    rules = []
    for path in sorted(RULES.glob("*.yaml")):
        data, issues = load_yaml(path.read_text(encoding="utf-8"))
        assert not issues, (path, issues)
        rules += [kind.Rule.model_validate(raw) for raw in data[kind.LIST_KEY]]
    return rules


POLICY = policy_from_rules(read_rules())
EDGES = [date(2020, 4, 6), date(2020, 12, 31), date(2021, 1, 1), date(2022, 2, 28),
         date(2022, 3, 31), date(2022, 4, 1), date(2022, 10, 1), date(2023, 8, 15),
         date(2016, 1, 1), date(2026, 3, 10), date(2026, 4, 15), date(2027, 1, 1)]
S1_MORATORIA = (Moratorium("m2020", date(2020, 4, 6), date(2021, 1, 1)),
                Moratorium("m2022", date(2022, 3, 31), date(2022, 10, 1)))

policies = st.builds(
    lambda accrues, paid, unpaid, cap_axis, due_axis, weekend, mode, arises, s1: replace(
        POLICY, payment_day_accrues=accrues, rate_for_paid=paid, rate_for_unpaid=unpaid,
        cap_axis=cap_axis, due_axis=due_axis, move_due_off_weekend=weekend,
        allocation_mode=mode, debt_arises=arises,
        moratoria=S1_MORATORIA if s1 else POLICY.moratoria),
    st.booleans(), st.sampled_from(["payment_date", "calculation_date", "accrual_day"]),
    st.sampled_from(["calculation_date", "accrual_day"]),
    st.sampled_from(["accrual_day", "rate_date"]), st.sampled_from(["bill_period", "due_month"]),
    st.booleans(), st.sampled_from(["by_payment_period", "fifo"]),
    st.sampled_from(["period_end", "due_date"]), st.booleans(),
)
months = st.integers(month_index(Period(2015, 9)), month_index(Period(2027, 2)))
amounts = st.one_of(st.integers(0, 600_000), st.sampled_from([1, 33_333, 100_000]))


def near(day: date, spread: int = 2):
    return st.integers(-spread, spread).map(lambda k: day + timedelta(days=k))


@st.composite
def accounts(draw, max_debts: int = 5):
    periods = draw(st.lists(months, min_size=1, max_size=max_debts, unique=True))
    debts = []
    for m in periods:
        period = Period(m // 12, m % 12 + 1)
        own_due = draw(st.none() | st.just(period.shift(1).first_day + timedelta(days=19)))
        debts.append(Debt(period, draw(amounts), own_due))
    base = min(d.period for d in debts).shift(1).first_day + timedelta(days=9)
    anchors = [base + timedelta(days=k) for k in (30, 31, 90, 91)]
    day = st.one_of(st.sampled_from(EDGES).flatmap(near),
                    st.sampled_from(anchors).flatmap(near),
                    st.dates(date(2015, 10, 1), date(2027, 6, 30)))
    payments = draw(st.lists(st.builds(
        Payment, amounts, day,
        st.none() | st.sampled_from([d.period for d in debts] + [Period(2030, 1)])),
        max_size=6))
    return debts, payments, draw(day)


def batch_of(accs, shuffle: np.random.Generator | None = None) -> PenaltyBatch:
    rows = [(i, month_index(d.period), d.amount, d.due_date.toordinal() if d.due_date else -1)
            for i, (debts, _, _) in enumerate(accs) for d in debts]
    pays = [(i, p.date.toordinal(), p.amount, month_index(p.period) if p.period else -1)
            for i, (_, payments, _) in enumerate(accs) for p in payments]
    d = np.array(rows, dtype=np.int64).reshape(-1, 4)
    p = np.array(pays, dtype=np.int64).reshape(-1, 4)
    if shuffle is not None:
        d = d[shuffle.permutation(len(d))]
    return PenaltyBatch(len(accs), d[:, 0], d[:, 1], d[:, 2], p[:, 0], p[:, 1], p[:, 2],
                        p[:, 3], d[:, 3]), d


def assert_equal(accs, calc: date, policy, seed: int | None = None) -> None:
    rng = np.random.default_rng(seed) if seed is not None else None
    batch, rows = batch_of(accs, rng)
    got = compute_penalties_batch(batch, calc, policy)
    assert (got.status == 0).all()
    expected = {}
    for i, (debts, payments, _) in enumerate(accs):
        for line in compute_penalties_reference(debts, payments, calc, policy):
            expected[(i, month_index(line.period))] = line
    for r, (acc, per) in enumerate(rows[:, :2].tolist()):
        line = expected[(acc, per)]
        assert got.penalty[r] == line.penalty, (acc, per, line.explain)
        assert got.due[r] == line.due_date.toordinal()
        assert got.grace_days[r] == line.grace_days
        assert tuple(zip(got.denominators, got.tier_days[r].tolist(), strict=True)) == \
            line.tier_days
        assert got.moratorium_days[r] == line.moratorium_days


SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(accounts(), policies)
def test_fast_kernel_equals_the_twin_on_one_account(acc, policy):
    assert_equal([acc], acc[2], policy)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(accounts(max_debts=3), min_size=1, max_size=4), policies,
       st.dates(date(2016, 1, 1), date(2027, 6, 30)), st.integers(0, 2**32 - 1))
def test_fast_kernel_equals_the_twin_on_shuffled_accounts_with_one_calculation_date(
        accs, policy, calc, seed):
    assert_equal(accs, calc, policy, seed)


def _weight(period: Period, calc: date, policy) -> Fraction:
    """Unrounded penalty of one kopeck of debt (no payments): Σ days × rate / (den × 100)."""
    (line,) = compute_penalties_reference([Debt(period, 1)], [], calc, policy)
    return sum((Fraction(t.rate) * t.days / (t.denominator * 100) for t in line.terms),
               Fraction(0))


@st.composite
def ties(draw):
    """Accounts whose every debt gives an exact half kopeck: A × p/q = k + ½ needs q even and
    p odd, and then A = q/2 × (odd). 30,00 ₽ for 2025-01 on 22.03.2025 (9,5 kop.) is one."""
    policy = draw(policies)
    calc = draw(st.one_of(st.just(date(2025, 3, 22)), st.dates(date(2016, 3, 1),
                                                               date(2027, 6, 30))))
    debts = []
    for m in draw(st.lists(st.integers(1, 30), min_size=1, max_size=3, unique=True)):
        period = Period.of(calc).shift(-m - 1)
        w = _weight(period, calc, policy)
        if w.denominator % 2 == 0 and w.numerator % 2 == 1:
            odd = draw(st.integers(0, 3)) * 2 + 1
            amount = w.denominator // 2 * odd
            if amount <= 10**9:
                debts.append(Debt(period, amount))
    assume(debts)
    return (debts, [], calc), policy


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.filter_too_much])
@given(ties())
def test_fast_kernel_rounds_an_exact_half_kopeck_up_like_the_twin(tie):
    acc, policy = tie
    assert_equal([acc], acc[2], policy)
    for line in compute_penalties_reference(acc[0], [], acc[2], policy):
        value = sum((Fraction(t.amount) * t.days * Fraction(t.rate) / (t.denominator * 100)
                     for t in line.terms), Fraction(0))
        assert value.denominator == 2 and line.penalty == value + Fraction(1, 2)


def test_fast_kernel_rounds_nine_and_a_half_kopecks_to_ten():
    """30,00 ₽ for January 2025 on 22.03.2025: 30 × 10/300 × 9,5 % = 9,5 kopecks exactly."""
    for amount, expected in ((3_000, 10), (9_000, 29), (15_000, 48)):
        acc = ([Debt(Period(2025, 1), amount)], [], date(2025, 3, 22))
        batch, _ = batch_of([acc])
        assert compute_penalties_batch(batch, acc[2], POLICY).penalty.tolist() == [expected]
        assert_equal([acc], acc[2], POLICY)


def test_fast_kernel_equals_the_twin_around_days_30_31_90_91_for_every_payment_day_setting():
    debts = [Debt(Period(2025, 1), 123_457)]
    due = POLICY.due_date(Period(2025, 1))
    for accrues in (True, False):
        policy = replace(POLICY, payment_day_accrues=accrues)
        for k in (29, 30, 31, 32, 89, 90, 91, 92):
            pays = [Payment(50_000, due + timedelta(days=k))]
            assert_equal([(debts, pays, None)], due + timedelta(days=k), policy)
            assert_equal([(debts, pays, None)], due + timedelta(days=200), policy)


def test_fast_kernel_equals_the_twin_for_a_payment_on_each_moratorium_edge():
    debts = [Debt(Period(2019, 11), 250_000), Debt(Period(2022, 1), 90_001)]
    for edge in (date(2020, 4, 5), date(2020, 4, 6), date(2020, 12, 31), date(2021, 1, 1),
                 date(2022, 3, 31), date(2022, 4, 1), date(2022, 10, 1), date(2022, 10, 2)):
        for policy in (POLICY, replace(POLICY, moratoria=S1_MORATORIA)):
            assert_equal([(debts, [Payment(100_000, edge)], None)], date(2023, 1, 1), policy)
