"""The array steps of the penalty phase equal their one-key definitions: the split over
providers equals ``split_largest_remainder`` key by key, and netting payments equals
``net_days`` key by key (whole-phase equality on both databases is in
``tests/db/test_penalty_finals.py`` and ``tests/db/test_penalties_from_ledger.py``)."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.allocation import split_largest_remainder
from zhkh.modules.finance.penalty_columns import (
    Columns,
    K,
    _split,
    debts_of,
    month_of,
    month_text,
    net_days,
    net_payments,
)

I64 = np.int64
bills = st.dictionaries(
    st.tuples(st.integers(1, 4), st.integers(24_300, 24_303)),
    st.dictionaries(st.integers(1, 4), st.integers(-500, 50_000), min_size=1, max_size=4),
    min_size=1, max_size=8)


def _columns(charged: dict, paid: dict | None = None) -> Columns:
    c = sorted((a * K + m, p, v) for (a, m), shares in charged.items()
               for p, v in shares.items())
    p_rows = sorted((a * K + m, d, v) for (a, m), days in (paid or {}).items()
                    for d, v in days.items())
    z = np.zeros(0, I64)
    return Columns(np.array([r[0] for r in c], I64), np.array([r[1] for r in c], I64),
                   np.array([r[2] for r in c], I64), np.array([r[0] for r in p_rows], I64),
                   np.array([r[1] for r in p_rows], I64), np.array([r[2] for r in p_rows], I64),
                   z, z, set())


@settings(max_examples=200, deadline=None)
@given(bills, st.lists(st.integers(-100_000, 100_000), min_size=8, max_size=8))
def test_the_split_over_providers_equals_the_largest_remainder_key_by_key(charged, amounts):
    cols = _columns(charged)
    debts = debts_of(cols)
    keys = np.array(sorted(k for k, shares in zip(
        debts.key.tolist(), [charged[(k // K, k % K)] for k in debts.key.tolist()], strict=True)
        if any(v > 0 for v in shares.values())), I64)
    wanted = np.array(amounts[:keys.size], I64)
    owner, provider, part = _split(cols, debts, keys, wanted)
    got: dict[int, list[tuple[int, int]]] = {}
    for o, p, x in zip(owner.tolist(), provider.tolist(), part.tolist(), strict=True):
        got.setdefault(o, []).append((p, x))
    for i, (k, amount) in enumerate(zip(keys.tolist(), wanted.tolist(), strict=True)):
        shares = {p: v for p, v in sorted(charged[(k // K, k % K)].items()) if v > 0}
        parts = split_largest_remainder(abs(amount), list(shares.values()))
        sign = 1 if amount > 0 else -1
        expected = [(p, sign * x) for p, x in zip(shares, parts, strict=True) if x]
        assert got.get(i, []) == expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(1, 3), st.integers(24_300, 24_302)),
                       st.dictionaries(st.integers(739_000, 739_060),
                                       st.integers(-30_000, 30_000), min_size=1, max_size=6),
                       min_size=1, max_size=5))
def test_netting_payments_equals_net_days_key_by_key(paid):
    net = net_payments(_columns({(1, 24_300): {1: 1}}, paid))
    got: dict[int, list[tuple[date, int]]] = {}
    for k, d, x in zip(net.key.tolist(), net.day.tolist(), net.amount.tolist(), strict=True):
        got.setdefault(k, []).append((date.fromordinal(d), x))
    for (a, m), days in paid.items():
        expected = net_days({date.fromordinal(d): v for d, v in days.items()})
        assert got.get(a * K + m, []) == expected


def test_month_index_round_trip():
    assert month_of("2026-03") == 2026 * 12 + 2
    assert month_text(month_of("2026-12")) == "2026-12"
