"""Payment allocation: REFERENCE §3 examples and properties of the split."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.allocation import (
    AllocationLine,
    AllocationPolicy,
    OpenLine,
    Payment,
    allocate,
    allocate_between_periods,
    split_largest_remainder,
)
from zhkh.kernel.allocation.rulebook import allocation_policy_from_rules
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.kinds import allocation as kind
from zhkh.kernel.rulebook.yamlio import load_yaml

RULES = Path(__file__).resolve().parents[2] / "rules" / "allocation"
JAN, FEB, MAR = Period(2026, 1), Period(2026, 2), Period(2026, 3)


def rule_policy() -> AllocationPolicy:
    rules = []
    for path in sorted(RULES.glob("*.yaml")):
        data, issues = load_yaml(path.read_text(encoding="utf-8"))
        assert not issues
        rules += [kind.Rule.model_validate(raw) for raw in data[kind.LIST_KEY]]
    return allocation_policy_from_rules(rules)


POLICY = rule_policy()


def amounts(result) -> list[int]:
    return [line.amount for line in result.lines]


def test_the_rule_file_gives_designated_period_first_and_document_order_ties():
    assert POLICY.rule_id == "allocation.default"
    assert (POLICY.between_periods, POLICY.tie_break, POLICY.penalties) == (
        "by_payment_period", "document_order", "after_principal")


def test_2000_over_four_lines_of_3000_gives_1000_266_67_400_333_33():
    lines = [OpenLine(JAN, k, a) for k, a in
             [("maintenance", 150_000), ("cold_water", 40_000), ("hot_water", 60_000),
              ("electricity", 50_000)]]
    result = allocate(Payment(200_000), lines, POLICY)
    assert amounts(result) == [100_000, 26_667, 40_000, 33_333]
    assert result.advance == 0
    assert all(step.rule_id == "allocation.default" for step in result.trace)


def test_500_over_three_lines_of_333_33_gives_166_67_166_66_166_67():
    lines = [OpenLine(JAN, k, a) for k, a in [("a", 33_333), ("b", 33_333), ("c", 33_334)]]
    assert amounts(allocate(Payment(50_000), lines, POLICY)) == [16_667, 16_666, 16_667]


def test_fifo_over_january_february_march():
    lines = [OpenLine(JAN, "x", 100_000), OpenLine(FEB, "x", 120_000), OpenLine(MAR, "x", 110_000)]
    first = allocate(Payment(150_000), lines, POLICY)
    assert [(ln.period, ln.amount) for ln in first.lines] == [(JAN, 100_000), (FEB, 50_000)]
    full = allocate(Payment(400_000), lines, POLICY)
    assert full.advance == 70_000 and sum(amounts(full)) == 330_000
    assert "аванс" in full.trace[-1].text


def test_a_designated_period_is_paid_first_unless_the_mode_is_fifo():
    lines = [OpenLine(JAN, "x", 100_000), OpenLine(FEB, "x", 120_000)]
    paid = allocate(Payment(130_000, period=FEB), lines, POLICY)
    assert [(ln.period, ln.amount) for ln in paid.lines] == [(FEB, 120_000), (JAN, 10_000)]
    fifo = allocate(Payment(130_000, period=FEB), lines,
                    AllocationPolicy(between_periods="fifo"))
    assert [(ln.period, ln.amount) for ln in fifo.lines] == [(JAN, 100_000), (FEB, 30_000)]


def test_penalties_are_paid_after_all_principal_or_only_when_designated():
    lines = [OpenLine(JAN, "x", 10_000), OpenLine(JAN, "penalty", 500, "penalty"),
             OpenLine(FEB, "x", 10_000)]
    after = allocate(Payment(20_300), lines, POLICY)
    assert [(ln.kind, ln.amount) for ln in after.lines][-1] == ("penalty", 300)
    only = allocate(Payment(20_300), lines, AllocationPolicy(penalties="only_designated"))
    assert all(ln.kind == "principal" for ln in only.lines) and only.advance == 300
    designated = allocate(Payment(600, to_penalties=True), lines,
                          AllocationPolicy(penalties="only_designated"))
    assert [(ln.kind, ln.amount) for ln in designated.lines] == [("penalty", 500),
                                                                 ("principal", 100)]


def test_largest_line_tie_break_gives_the_kopeck_to_the_bigger_line():
    assert split_largest_remainder(1, [1, 1], "document_order") == [1, 0]
    assert split_largest_remainder(3, [2, 4], "largest_line") == [1, 2]
    assert split_largest_remainder(1, [2, 2, 4], "largest_line") == [0, 0, 1]


def test_a_negative_line_is_refused():
    with pytest.raises(ValueError, match="открытая сумма строки не может быть отрицательной"):
        allocate(Payment(100), [OpenLine(JAN, "x", -1)], POLICY)


def test_a_negative_payment_is_refused_before_anything_is_allocated():
    with pytest.raises(ValueError, match="сумма оплаты не может быть отрицательной: -1"):
        allocate(Payment(-1), [OpenLine(JAN, "x", 100)], POLICY)
    with pytest.raises(ValueError, match="сумма оплаты не может быть отрицательной"):
        allocate_between_periods(-1, [], None, "fifo")


def test_a_negative_open_amount_of_a_period_is_refused():
    with pytest.raises(ValueError, match="открытая задолженность периода не может быть"):
        allocate_between_periods(100, [(JAN, 50), (FEB, -1)], None, "fifo")


def test_between_periods_returns_the_moves_and_the_surplus():
    moves, rest = allocate_between_periods(250, [(FEB, 100), (JAN, 100), (MAR, 0)], FEB,
                                           "by_payment_period")
    assert moves == [(FEB, 100, True), (JAN, 100, False)] and rest == 50
    moves, rest = allocate_between_periods(50, [(FEB, 100), (JAN, 100)], FEB, "fifo")
    assert moves == [(JAN, 50, False)] and rest == 0
    moves, rest = allocate_between_periods(0, [(JAN, 100)], JAN, "by_payment_period")
    assert moves == [] and rest == 0
    moves, rest = allocate_between_periods(30, [(JAN, 100)], MAR, "by_payment_period")
    assert moves == [(JAN, 30, False)] and rest == 0


def test_a_period_with_one_kopeck_open_is_paid_and_the_last_kopeck_reaches_it():
    moves, rest = allocate_between_periods(101, [(JAN, 100), (FEB, 1)], None, "fifo")
    assert moves == [(JAN, 100, False), (FEB, 1, False)] and rest == 0
    moves, rest = allocate_between_periods(1, [(JAN, 1)], JAN, "by_payment_period")
    assert moves == [(JAN, 1, True)] and rest == 0


def test_the_tie_break_decides_which_line_gets_the_leftover_kopeck():
    # 3 kopecks over weights 1 and 5: exact shares 0.5 and 2.5 — an exact tie
    assert split_largest_remainder(3, [1, 5], "document_order") == [1, 2]
    assert split_largest_remainder(3, [1, 5], "largest_line") == [0, 3]
    assert split_largest_remainder(3, [5, 1], "largest_line") == [3, 0]
    assert split_largest_remainder(3, [1, 5]) == [1, 2]


def test_a_split_refuses_negatives_and_an_amount_with_nothing_to_weigh():
    with pytest.raises(ValueError, match="не могут быть отрицательными"):
        split_largest_remainder(-1, [1])
    with pytest.raises(ValueError, match="не могут быть отрицательными"):
        split_largest_remainder(1, [2, -1])
    with pytest.raises(ValueError, match="все доли нулевые"):
        split_largest_remainder(1, [0, 0])
    assert split_largest_remainder(0, [0, 0]) == [0, 0]
    assert split_largest_remainder(0, []) == []


class TestTheTraceTellsTheOperatorWhereEachRubleWent:
    """The trace is what an operator reads: each text is pinned word for word."""

    LINES = (OpenLine(JAN, "x", 10_000), OpenLine(JAN, "y", 5_000),
             OpenLine(JAN, "penalty", 500, "penalty"), OpenLine(FEB, "x", 10_000))

    def texts(self, payment, policy=POLICY):
        result = allocate(payment, self.LINES, policy)
        return [(step.rule_id, step.amount, step.text) for step in result.trace]

    def test_designated_period_then_the_oldest_debt_then_penalties_then_the_advance(self):
        nb = "\u00a0"
        assert self.texts(Payment(25_900, period=FEB)) == [
            ("allocation.default", 10_000,
             f"100,00{nb}₽ — в начисления за 2026-02: указанный плательщиком период"),
            ("allocation.default", 15_000,
             f"150,00{nb}₽ — в начисления за 2026-01: самый ранний долг"),
            ("allocation.default", 15_000,
             "за 2026-01 пропорционально строкам ЕПД (метод наибольших остатков): "
             f"x 100,00{nb}₽, y 50,00{nb}₽"),
            ("allocation.default", 500, f"5,00{nb}₽ — в пени за 2026-01: самый ранний долг"),
            ("allocation.default", 400, f"4,00{nb}₽ — переплата, учтена как аванс"),
        ]

    def test_a_payment_for_penalties_is_labelled_as_penalties_first(self):
        policy = AllocationPolicy(rule_id="allocation.designated", penalties="only_designated")
        texts = self.texts(Payment(700, to_penalties=True), policy)
        assert texts[0] == ("allocation.designated", 500,
                            "5,00\u00a0₽ — в пени за 2026-01: самый ранний долг")
        assert texts[1][2].startswith("2,00\u00a0₽ — в начисления за 2026-01")

    def test_a_part_of_a_period_is_shared_in_proportion_and_a_whole_payment_has_no_advance(self):
        texts = self.texts(Payment(3_000))
        assert texts == [
            ("allocation.default", 3_000,
             "30,00\u00a0₽ — в начисления за 2026-01: самый ранний долг"),
            ("allocation.default", 3_000,
             "за 2026-01 пропорционально строкам ЕПД (метод наибольших остатков): "
             "x 20,00\u00a0₽, y 10,00\u00a0₽"),
        ]
        assert allocate(Payment(3_000), self.LINES, POLICY).lines == (
            AllocationLine(JAN, "x", "principal", 2_000),
            AllocationLine(JAN, "y", "principal", 1_000))

    def test_a_single_line_period_has_no_proportion_step(self):
        texts = self.texts(Payment(1_000, period=FEB))
        assert [t[2] for t in texts] == ["10,00\u00a0₽ — в начисления за 2026-02: "
                                         "указанный плательщиком период"]


weights = st.lists(st.integers(0, 10**7), min_size=1, max_size=8).filter(lambda w: sum(w) > 0)


@settings(max_examples=300)
@given(weights, st.data(), st.sampled_from(["document_order", "largest_line"]))
def test_split_parts_sum_to_the_amount_stay_within_a_kopeck_and_never_exceed_a_line(w, data, tie):
    amount = data.draw(st.integers(0, sum(w)))
    parts = split_largest_remainder(amount, w, tie)
    assert sum(parts) == amount
    for part, weight in zip(parts, w, strict=True):
        assert 0 <= part <= weight
        assert abs(part - Fraction(amount * weight, sum(w))) < 1


@settings(max_examples=200)
@given(weights, st.data())
def test_split_does_not_depend_on_line_order_except_for_ties(w, data):
    amount = data.draw(st.integers(0, sum(w)))
    perm = data.draw(st.permutations(range(len(w))))
    parts = split_largest_remainder(amount, w)
    moved = split_largest_remainder(amount, [w[i] for i in perm])
    total = sum(w)
    remainders = [amount * x % total for x in w]
    for j, i in enumerate(perm):
        if remainders.count(remainders[i]) == 1:  # no tie on this line's remainder
            assert moved[j] == parts[i]


lines_st = st.lists(st.tuples(st.sampled_from([JAN, FEB, MAR]), st.sampled_from("abc"),
                              st.integers(0, 200_000), st.sampled_from(["principal", "penalty"])),
                    max_size=9)


@settings(max_examples=300)
@given(lines_st, st.integers(0, 1_500_000), st.none() | st.sampled_from([JAN, FEB, MAR]),
       st.booleans(), st.sampled_from(["after_principal", "only_designated"]))
def test_allocation_lines_plus_advance_equal_the_payment_and_no_line_is_overpaid(
        raw, amount, period, to_penalties, penalties):
    lines = [OpenLine(p, k, a, kd) for p, k, a, kd in raw]
    policy = AllocationPolicy(penalties=penalties)
    result = allocate(Payment(amount, period=period, to_penalties=to_penalties), lines, policy)
    assert sum(amounts(result)) + result.advance == amount
    for line in lines:
        paid = sum(x.amount for x in result.lines
                   if (x.period, x.key, x.kind) == (line.period, line.key, line.kind))
        same = sum(y.amount for y in lines if (y.period, y.key, y.kind) ==
                   (line.period, line.key, line.kind))
        assert paid <= same
    if penalties == "only_designated" and not to_penalties:
        assert all(x.kind == "principal" for x in result.lines)


@settings(max_examples=200)
@given(lines_st, st.integers(0, 1_500_000))
def test_the_order_of_periods_in_the_input_does_not_change_the_allocation(raw, amount):
    lines = [OpenLine(p, k, a, kd) for p, k, a, kd in raw]
    by_period = sorted(lines, key=lambda ln: ln.period, reverse=True)  # keeps order within
    a = allocate(Payment(amount), lines, POLICY)
    b = allocate(Payment(amount), by_period, POLICY)
    assert sorted(a.lines, key=repr) == sorted(b.lines, key=repr) and a.advance == b.advance
