"""Penalty examples from REFERENCE §2 and one test per setting of rules/penalties/."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from zhkh.kernel.allocation import Payment
from zhkh.kernel.penalties import (
    Debt,
    Moratorium,
    PenaltyPolicy,
    PenaltyPolicyError,
    Scale,
    Steps,
    Tier,
    compute_penalties,
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


def one(debt: Debt, calc: date, policy: PenaltyPolicy = POLICY, payments=()):
    (line,) = compute_penalties([debt], list(payments), calc, policy)
    return line


def test_published_formula_5000_rubles_15_days_one_300th_of_7_5_percent_is_18_75():
    flat = PenaltyPolicy(scales=(Scale(date(2000, 1, 1), 0, (Tier(1, 300),)),),
                         due_days=((date(2000, 1, 1), 10),),
                         rates=Steps(((date(2000, 1, 1), Decimal("7.5")),)))
    line = one(Debt(Period(2024, 1), 500_000, date(2024, 2, 10)), date(2024, 2, 25), flat)
    assert line.penalty == 1875
    assert line.tier_days == ((300, 15),)


def test_moratorium_2020_read_as_in_s1_covers_271_days_from_6_april_2020_to_1_january_2021():
    m = replace(POLICY.moratoria[0], end=date(2021, 1, 1))
    policy = replace(POLICY, moratoria=(m,))
    line = one(Debt(Period(2019, 12), 100_000), date(2021, 3, 1), policy)
    assert line.moratorium_days == 271


def test_moratorium_2020_by_default_ends_on_31_december_2020():
    line = one(Debt(Period(2019, 12), 100_000), date(2021, 3, 1))
    assert line.moratorium_days == 270


def test_moratorium_2022_read_as_in_s1_covers_185_days_from_31_march_to_1_october_2022():
    m = Moratorium("s1", date(2022, 3, 31), date(2022, 10, 1))
    line = one(Debt(Period(2021, 12), 100_000), date(2022, 12, 1), replace(POLICY, moratoria=(m,)))
    assert line.moratorium_days == 185


def test_the_one_300th_window_is_60_days_and_the_explain_shows_the_formula():
    line = one(Debt(Period(2026, 1), 120_000), date(2026, 5, 11))
    assert line.due_date == date(2026, 2, 10)
    assert line.grace_days == 30 and line.tier_days == ((300, 60), (130, 0))
    assert line.penalty == 2280  # 1 200 × 60 × 9,5 % / 300
    assert line.explain == ("Пени за 2026-01: 1\u00a0200,00\u00a0₽ × 60 дн. × 1/300 × 9,5 % = "
                            "22,80\u00a0₽ (ЖК РФ ст. 155 ч. 14)")
    later = one(Debt(Period(2026, 1), 120_000), date(2026, 5, 12))
    assert later.tier_days == ((300, 60), (130, 1))


def test_day_30_carries_no_penalty_and_day_31_does():
    due = date(2026, 2, 10)
    assert one(Debt(Period(2026, 1), 120_000), date(2026, 3, 12)).penalty == 0
    assert one(Debt(Period(2026, 1), 120_000), date(2026, 3, 13)).tier_days[0] == (300, 1)
    assert (date(2026, 3, 13) - due).days == 31


def test_february_2026_bill_is_due_on_the_10th_and_march_2026_bill_on_the_15th():
    assert POLICY.due_date(Period(2026, 2)) == date(2026, 3, 10)
    assert POLICY.due_date(Period(2026, 3)) == date(2026, 4, 15)


def test_due_month_axis_moves_the_february_2026_bill_to_the_15th_of_march():
    assert replace(POLICY, due_axis="due_month").due_date(Period(2026, 2)) == date(2026, 3, 15)


def test_a_due_date_on_a_weekend_moves_to_monday_only_when_the_setting_is_on():
    assert POLICY.due_date(Period(2025, 4)) == date(2025, 5, 10)  # Saturday
    moved = replace(POLICY, move_due_off_weekend=True)
    assert moved.due_date(Period(2025, 4)) == date(2025, 5, 12)


@pytest.mark.parametrize(("accrues", "days"), [(True, 10), (False, 9)])
def test_the_payment_day_accrues_or_not_by_the_setting(accrues, days):
    policy = replace(POLICY, payment_day_accrues=accrues)
    pay = Payment(120_000, date(2026, 3, 22))  # day 40 after 10.02.2026
    line = one(Debt(Period(2026, 1), 120_000), date(2026, 6, 1), policy, [pay])
    assert line.tier_days[0] == (300, days)


def test_the_2022_moratorium_protects_the_march_bill_but_not_the_april_bill_by_default():
    march = one(Debt(Period(2022, 3), 100_000), date(2022, 12, 1))
    april = one(Debt(Period(2022, 4), 100_000), date(2022, 12, 1))
    assert march.moratorium_days > 0 and april.moratorium_days == 0
    everyone = replace(POLICY, moratoria=tuple(replace(m, only_debts_arisen_before=None)
                                               for m in POLICY.moratoria))
    assert one(Debt(Period(2022, 4), 100_000), date(2022, 12, 1), everyone).moratorium_days > 0


def test_the_cap_limits_the_rate_to_9_5_percent_inside_its_window_only():
    # Key rate 16 % on 30.12.2025: the cap gives 9,5 %; from 2027 the real rate applies.
    inside = one(Debt(Period(2025, 9), 100_000), date(2025, 12, 30))
    assert inside.rates == (Decimal("9.5"),)
    outside = one(Debt(Period(2026, 11), 100_000), date(2027, 3, 1))
    assert outside.rates == (Decimal("14.25"),)


def test_a_partly_paid_debt_uses_the_payment_date_rate_for_the_paid_part():
    pay = Payment(50_000, date(2023, 8, 1))  # key rate 8,5 % on 01.08.2023, cap 9,5 %
    line = one(Debt(Period(2023, 1), 100_000), date(2023, 10, 2), payments=[pay])
    assert set(line.rates) == {Decimal("8.50"), Decimal("9.5")}


def test_a_designated_payment_goes_to_its_period_before_older_debts():
    debts = [Debt(Period(2025, 1), 100_000), Debt(Period(2025, 2), 100_000)]
    pay = [Payment(100_000, date(2025, 3, 1), Period(2025, 2))]
    jan, feb = compute_penalties(debts, pay, date(2025, 6, 1), POLICY)
    assert feb.penalty == 0 and jan.penalty > 0
    fifo = compute_penalties(debts, pay, date(2025, 6, 1), replace(POLICY, allocation_mode="fifo"))
    assert fifo[0].penalty == 0 and fifo[1].penalty > 0


def test_rule_files_give_the_whole_key_rate_table_and_the_refinancing_rate_before_2016():
    assert POLICY.rate_at(date(2015, 12, 31)) == Decimal("8.25")
    assert POLICY.rate_at(date(2016, 1, 1)) == Decimal("11.00")
    assert POLICY.rate_at(date(2022, 2, 28)) == Decimal("20.00")
    assert POLICY.rate_at(date(2026, 6, 22)) == Decimal("14.25")


def test_two_rules_giving_one_section_with_equal_priority_are_refused():
    rules = read_rules()
    clone = next(r for r in rules if r.id == "penalties.cap_9_5").model_copy(
        update={"id": "penalties.cap_other"})
    with pytest.raises(PenaltyPolicyError, match=r"penalties\.cap_9_5, penalties\.cap_other"):
        policy_from_rules([*rules, clone])


def test_a_penalty_rule_with_two_sections_is_refused():
    with pytest.raises(ValueError, match="ровно один раздел"):
        kind.Rule.model_validate({
            "id": "penalties.x", "title": "x", "source": "x",
            "cap": {"values": {date(2022, 2, 28): "9.5"}},
            "accrual": {"payment_day_accrues": False},
        })


def test_the_loaded_rulebook_gives_the_same_policy_as_the_penalty_rule_files():
    from zhkh.kernel.penalties import policy_from_rulebook
    from zhkh.kernel.rulebook import load_rulebook

    book = load_rulebook(RULES.parent)
    assert policy_from_rulebook(book) == POLICY


@pytest.mark.parametrize("value", ["9,5", "abc", "NaN", True, [1]])
def test_a_cap_that_is_not_a_finite_decimal_is_a_named_problem_not_a_crash(value):
    # found by fuzz/fuzz_rule_files.py: Decimal(str(value)) raised InvalidOperation
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=r"предел пишется строкой «9\.5» или null"):
        kind.Rule.model_validate({"id": "penalties.x", "title": "x", "source": "x",
                                  "cap": {"values": {date(2022, 2, 28): value}}})
    assert kind.Rule.model_validate({"id": "penalties.x", "title": "x", "source": "x", "cap": {
        "values": {date(2022, 2, 28): "9.5"}}}).cap.values == ((date(2022, 2, 28),
                                                                 Decimal("9.5")),)
