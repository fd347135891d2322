"""The penalty twin (the specification) pinned where the differential test cannot see:
half-up at an exact half kopeck, its refusals, and the explain text word for word."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import floor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.allocation import Payment
from zhkh.kernel.penalties import Debt, compute_penalties_reference, policy_from_rules
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.kinds import penalties as kind
from zhkh.kernel.rulebook.yamlio import load_yaml

RULES = Path(__file__).resolve().parents[2] / "rules" / "penalties"
NB = "\u00a0"
SOURCE = "ЖК РФ ст. 155 ч. 14"


def read_rules() -> list[kind.Rule]:
    rules = []
    for path in sorted(RULES.glob("*.yaml")):
        data, issues = load_yaml(path.read_text(encoding="utf-8"))
        assert not issues, (path, issues)
        rules += [kind.Rule.model_validate(raw) for raw in data[kind.LIST_KEY]]
    return rules


POLICY = policy_from_rules(read_rules())
JAN_2025 = Period(2025, 1)


def exact(line) -> Fraction:
    """The unrounded penalty in kopecks, from the terms the line itself reports."""
    return sum((Fraction(t.amount) * t.days * Fraction(t.rate) / (t.denominator * 100)
                for t in line.terms), Fraction(0))


def one(amount: int, calc: date, payments=(), period: Period = JAN_2025):
    (line,) = compute_penalties_reference([Debt(period, amount)], list(payments), calc, POLICY)
    return line


class TestAnExactHalfKopeckRoundsUp:
    """30,00 ₽ for January 2025 on 22.03.2025: 10 days × 1/300 × 9,5 % = exactly 9,5 kopecks."""

    def test_thirty_rubles_give_nine_and_a_half_kopecks_rounded_to_ten(self):
        line = one(3_000, date(2025, 3, 22))
        assert exact(line) == Fraction(19, 2)
        assert line.penalty == 10

    def test_ninety_rubles_give_28_5_kopecks_rounded_to_29_where_half_even_gives_28(self):
        line = one(9_000, date(2025, 3, 22))
        assert exact(line) == Fraction(57, 2)
        assert line.penalty == 29

    def test_one_kopeck_less_than_the_tie_rounds_down(self):
        line = one(2_999, date(2025, 3, 22))
        assert exact(line) < Fraction(19, 2) and line.penalty == 9

    @settings(max_examples=60, deadline=None)
    @given(st.integers(0, 2_000), st.integers(31, 200))
    def test_every_odd_multiple_of_the_tie_rounds_half_up(self, k, day):
        calc = POLICY.due_date(JAN_2025).toordinal() + day
        line = one(3_000 * (2 * k + 1), date.fromordinal(calc))
        value = exact(line)
        assert line.penalty == floor(value + Fraction(1, 2))

    def test_the_sum_over_parts_is_rounded_once_not_per_part(self):
        pays = [Payment(1_500, date(2025, 3, 17))]  # 5 days on 15 ₽, 10 days on 15 ₽
        line = one(3_000, date(2025, 3, 22), pays)
        assert exact(line) == Fraction(1_500 * 5 * 19, 2 * 300 * 100) + \
            Fraction(1_500 * 10 * 19, 2 * 300 * 100)
        assert line.penalty == floor(exact(line) + Fraction(1, 2)) == 7


class TestTheTwinRefusesWhatIsNotADebtOrAPayment:
    def test_the_same_period_twice_is_refused(self):
        with pytest.raises(ValueError, match="период 2025-01 указан в долгах дважды"):
            compute_penalties_reference([Debt(JAN_2025, 100), Debt(JAN_2025, 200)], [],
                                        date(2025, 6, 1), POLICY)

    def test_a_negative_debt_is_refused(self):
        with pytest.raises(ValueError, match="долг за 2025-01 отрицательный: -1"):
            compute_penalties_reference([Debt(JAN_2025, -1)], [], date(2025, 6, 1), POLICY)

    def test_a_zero_debt_is_accepted_and_gives_nothing(self):
        assert one(0, date(2025, 6, 1)).penalty == 0

    @pytest.mark.parametrize("payment", [Payment(-1, date(2025, 3, 1)), Payment(100, None)])
    def test_a_negative_or_undated_payment_is_refused(self, payment):
        with pytest.raises(ValueError, match="оплате нужна дата и неотрицательная сумма"):
            compute_penalties_reference([Debt(JAN_2025, 100)], [payment], date(2025, 6, 1),
                                        POLICY)

    def test_a_payment_after_the_calculation_date_is_not_applied(self):
        late = one(100_000, date(2025, 6, 1), [Payment(100_000, date(2025, 6, 2))])
        assert late == one(100_000, date(2025, 6, 1))
        policy = replace(POLICY, payment_day_accrues=False)
        (same_day,) = compute_penalties_reference(
            [Debt(JAN_2025, 100_000)], [Payment(100_000, date(2025, 6, 1))], date(2025, 6, 1),
            policy)
        assert same_day.tier_days == ((300, 60), (130, 20))  # the payment day does not accrue


class TestTheExplainSaysHowThePenaltyWasMade:
    def test_a_debt_inside_the_grace_days_says_there_is_nothing_past_them(self):
        assert one(100_000, date(2025, 3, 5)).explain == (
            f"Пени за 2025-01: 0,00{NB}₽ (нет дней просрочки сверх льготных) ({SOURCE})")

    def test_each_part_is_a_term_joined_with_plus(self):
        pays = [Payment(40_000, date(2025, 4, 1)), Payment(10_000, date(2025, 7, 1))]
        line = one(100_000, date(2025, 6, 1), pays)
        assert line.penalty == 2314
        assert line.explain == (
            f"Пени за 2025-01: 400,00{NB}₽ × 20 дн. × 1/300 × 9,5 % + "
            f"600,00{NB}₽ × 60 дн. × 1/300 × 9,5 % + 600,00{NB}₽ × 21 дн. × 1/130 × 9,5 % = "
            f"23,14{NB}₽ ({SOURCE})")

    def test_moratorium_days_are_named_after_the_amount(self):
        line = one(100_000, date(2022, 12, 1), period=Period(2022, 1))
        assert (line.grace_days, line.tier_days, line.moratorium_days) == (
            30, ((300, 19), (130, 61)), 184)
        assert line.rates == (Decimal("7.50"),)
        assert line.explain == (
            f"Пени за 2022-01: 1{NB}000,00{NB}₽ × 19 дн. × 1/300 × 7,5 % + "
            f"1{NB}000,00{NB}₽ × 61 дн. × 1/130 × 7,5 % = 39,94{NB}₽; "
            f"мораторий: 184 дн. без пеней ({SOURCE})")

    def test_the_source_of_the_policy_closes_the_explain(self):
        line = compute_penalties_reference([Debt(JAN_2025, 3_000)], [], date(2025, 3, 22),
                                           replace(POLICY, source="тест"))[0]
        assert line.source == "тест" and line.explain.endswith("= 0,10\u00a0₽ (тест)")
