"""A coefficient published with up to nine decimals: ``d_coef / d_cden`` in the kernel.

The amount is ⌊volume × price × coef / (10¹⁰ × cden)⌉ (cden absent: 10⁶, the fixed point
1e-6); a denominator outside 1…10⁹ is BAD_INPUT. The compiled kernel equals the twin over
that range and the int64 edges, and the amount equals the exact product rounded once.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhkh.kernel import _kernel, reference
from zhkh.kernel.money import INT64_MAX, INT64_MIN

E6, E9, E10 = 10**6, 10**9, 10**10
HEAVY = settings(max_examples=500, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
IMPLEMENTATIONS = [pytest.param(_kernel.compute, id="compiled"),
                   pytest.param(reference.compute, id="twin")]
EDGES = st.sampled_from([INT64_MIN, -1, 0, 1, E6, E9, E10, INT64_MAX])


def run(compute, decisions, rows, *, with_cden=True):
    n = len(rows)
    dec, a, b, c, num, den = (list(col) for col in zip(*rows, strict=True))
    method, factor, price, coef, cden = (list(col) for col in zip(*decisions, strict=True))
    out = [np.full(n, -7, np.int64) for _ in range(3)]
    status = np.full(n, -7, np.int8)
    extra = {"d_cden": np.array(cden, np.int64)} if with_cden else {}
    failed = compute(
        np.array(dec, np.int32), np.array(a, np.int64), np.array(b, np.int64),
        np.array(c, np.int64), np.array(num, np.int32), np.array(den, np.int32),
        np.array(method, np.int8), np.array(factor, np.int64), np.array(price, np.int64),
        np.array(coef, np.int64), *out, status, **extra)
    return failed, [col.tolist() for col in (*out, status)]


def half_up(value: Fraction) -> int:
    magnitude = (abs(value.numerator) * 2 + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude


@st.composite
def coefficient_rows(draw):
    cden = draw(st.one_of(st.just(E9), st.just(E6), st.integers(1, E9), EDGES,
                          st.integers(INT64_MIN, INT64_MAX)))
    coef = draw(st.one_of(st.integers(0, 10 * E9), EDGES, st.integers(INT64_MIN, INT64_MAX)))
    price = draw(st.one_of(st.integers(0, 10**10), EDGES))
    volume = draw(st.one_of(st.integers(0, 10**12), EDGES, st.integers(INT64_MIN, INT64_MAX)))
    return (3, E6, price, coef, cden), (0, volume, 0, 0, 1, 1)


@HEAVY
@given(st.lists(coefficient_rows(), min_size=1, max_size=8))
def test_compiled_kernel_equals_the_twin_with_coefficient_denominators(cases):
    decisions = [d for d, _ in cases]
    rows = [(i, *row[1:]) for i, (_, row) in enumerate(cases)]
    compiled = run(_kernel.compute, decisions, rows)
    assert compiled == run(reference.compute, decisions, rows)
    _, (volume, amount, _plain, status) = compiled
    for i, ((_, _, price, coef, cden), _) in enumerate(cases):
        if status[i] == 0:
            assert amount[i] == half_up(Fraction(volume[i] * price * coef, E10 * cden))


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
def test_a_coefficient_with_nine_decimals_is_not_rounded_before_the_amount(compute):
    # 10 000 м³ × 100 ₽ × 1,123456789 = 1 123 456,789 → 1 123 456,79 ₽ (the coefficient
    # rounded to 1,123457 first would give 1 123 457,00 ₽)
    _, (_v, amount, plain, status) = run(
        compute, [(3, E6, 100 * E6, 1_123_456_789, E9)], [(0, 10_000 * E6, 0, 0, 1, 1)])
    assert (amount, plain, status) == ([112_345_679], [100_000_000], [0])


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
@pytest.mark.parametrize("cden", [0, -1, E9 + 1])
def test_a_coefficient_denominator_outside_one_to_a_billion_is_bad_input(compute, cden):
    _, (*_out, status) = run(compute, [(3, E6, E6, E6, cden)], [(0, E6, 0, 0, 1, 1)])
    assert status == [reference.BAD_INPUT]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**8), st.integers(0, 10**10),
                          st.integers(0, 10**12)), min_size=1, max_size=6))
def test_without_coefficient_denominators_every_coefficient_is_in_millionths(cases):
    decisions = [(3, E6, p, c, E6) for c, p, _ in cases]
    rows = [(i, v, 0, 0, 1, 1) for i, (*_, v) in enumerate(cases)]
    for compute in (_kernel.compute, reference.compute):
        assert run(compute, decisions, rows) == run(compute, decisions, rows, with_cden=False)
