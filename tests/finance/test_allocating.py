"""Allocation bookkeeping on generated open keys: money is never created or lost."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel.allocation import AllocationPolicy
from zhkh.modules.finance.allocating import (
    Key,
    consume,
    document_order,
    reverse,
    split,
    split_rows,
)

SERVICES = ("cold_water", "heating", "penalty")
keys = st.builds(Key, st.sampled_from(["2026-07", "2026-08", "2026-09"]),
                 st.sampled_from(SERVICES), st.integers(1, 3))
open_keys = st.dictionaries(keys, st.integers(-50_000, 500_000), max_size=8)
policies = st.builds(AllocationPolicy,
                     between_periods=st.sampled_from(["by_payment_period", "fifo"]),
                     tie_break=st.sampled_from(["document_order", "largest_line"]),
                     penalties=st.sampled_from(["after_principal", "only_designated"]))


@given(open_keys, st.integers(1, 2_000_000), policies,
       st.sampled_from([None, "2026-08"]), st.sampled_from([None, ("heating",)]))
def test_a_payment_is_split_whole_and_no_key_gets_more_than_it_owes(owed, amount, policy,
                                                                    period, services):
    parts = split(7, amount, owed, SERVICES, policy, designated_period=period,
                  designated_services=services)
    assert sum(p.amount for p in parts) == amount
    got: dict[Key, int] = defaultdict(int)
    for p in parts:
        if p.key is None:
            assert p.amount > 0
        else:
            assert p.amount > 0
            got[p.key] += p.amount
    for key, paid in got.items():
        assert paid <= owed[key]
    reachable = sum(v for k, v in owed.items() if v > 0 and (
        k.kind == "principal" or policy.penalties == "after_principal"))
    if reachable == 0:
        assert [p.key for p in parts] == [None]
    else:
        assert sum(got.values()) == min(amount, reachable)


@given(open_keys, st.lists(st.tuples(st.integers(1, 9), st.integers(1, 300_000)), max_size=4,
                          unique_by=lambda advance: advance[0]), policies)
def test_consuming_advances_moves_money_without_changing_any_payments_total(owed, advances,
                                                                            policy):
    parts = consume(advances, owed, SERVICES, policy)
    per_payment: dict[int, int] = defaultdict(int)
    spent: dict[Key, int] = defaultdict(int)
    for p in parts:
        per_payment[p.payment_id] += p.amount
        if p.key is not None:
            spent[p.key] += p.amount
    assert all(total == 0 for total in per_payment.values())
    for key, amount in spent.items():
        assert 0 < amount <= owed[key]
    for pid, available in advances:
        taken = -sum(p.amount for p in parts if p.payment_id == pid and p.key is None)
        assert 0 <= taken <= available


@given(st.lists(st.tuples(st.one_of(st.none(), keys), st.dates(), st.integers(-10**6, 10**6)),
                max_size=10))
def test_a_storno_cancels_every_key_on_every_day(rows):
    parts = reverse(9, rows)
    net: dict[tuple, int] = defaultdict(int)
    for key, day, amount in rows:
        net[(key, day)] += amount
    for p in parts:
        net[(p.key, p.paid_on)] += p.amount
    assert all(v == 0 for v in net.values())


def test_bills_are_paid_in_the_order_of_the_payment_document():
    ks = [Key("2026-09", "penalty", 1), Key("2026-08", "heating", 2),
          Key("2026-09", "cold_water", 5), Key("2026-09", "cold_water", 1)]
    assert document_order(ks, SERVICES) == [
        Key("2026-08", "heating", 2), Key("2026-09", "cold_water", 1),
        Key("2026-09", "cold_water", 5), Key("2026-09", "penalty", 1)]


@given(open_keys, st.integers(1, 2_000_000), policies,
       st.sampled_from([None, "2026-07", "2026-08", "2026-09", "2026-11"]))
def test_the_bulk_split_gives_what_the_split_gives_to_the_kopeck_and_the_note(owed, amount,
                                                                              policy, period):
    """``split_rows`` (a registry's million payments) is held to ``split`` (one payment)."""
    parts = split(7, amount, owed, SERVICES, policy, designated_period=period)
    rows = split_rows(amount, owed, SERVICES, policy, designated_period=period)
    assert rows == [(p.key, p.amount, p.note) for p in parts]


def test_the_bulk_split_refuses_what_the_split_refuses():
    with pytest.raises(ValueError, match="положительная"):
        split_rows(0, {}, SERVICES, AllocationPolicy())
