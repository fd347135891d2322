"""The kernel's factor as a fraction ``d_factor / d_fden``: compiled kernel equals the twin.

A published norm with up to nine decimals is a factor in 1e-9 (``d_fden`` = 10⁹), and heating
paid evenly takes it × months of the season / 12 (``d_factor`` = norm × months,
``d_fden`` = 12 × 10⁹, reduced). These properties hold the compiled kernel and the Decimal twin
equal over that range and its int64 edges, the volume equal to the exact product rounded half
up once, and ``d_fden`` absent equal to 10⁶ for every decision.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhkh.kernel import _kernel, reference
from zhkh.kernel.money import INT64_MAX, INT64_MIN

E6, E9 = 10**6, 10**9
HEAVY = settings(max_examples=500, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
IMPLEMENTATIONS = [pytest.param(_kernel.compute, id="compiled"),
                   pytest.param(reference.compute, id="twin")]

NORM9 = st.integers(0, 10**6 * E9 - 1)  # a norm below 10⁶ with nine decimals, in 1e-9
MONTHS = st.integers(1, 12)
AREA = st.one_of(st.integers(0, 10**5 * E6), st.integers(0, 10**12 * E6))  # m², 1e-6
EDGES = st.sampled_from([INT64_MIN, -1, 0, 1, E6, E9, 12 * E9, INT64_MAX])
ANY64 = st.integers(INT64_MIN, INT64_MAX)
PRICE = st.one_of(st.integers(0, 10**10), EDGES)
COEF = st.one_of(st.just(E6), st.sampled_from([1_500_000, 3_000_000]), EDGES)


def season_factor(norm: int, months: int) -> tuple[int, int]:
    """(d_factor, d_fden) of norm (1e-9) × months / 12, reduced as the rows are."""
    num, den = norm * months, E9 * 12
    g = gcd(num, den) or 1
    return num // g, den // g


def run(compute, decisions, rows, with_fden=True):
    n = len(rows)
    dec, a, b, c, num, den = (list(col) for col in zip(*rows, strict=True))
    method, factor, fden, price, coef = (list(col) for col in zip(*decisions, strict=True))
    out = [np.full(n, -7, np.int64) for _ in range(3)]
    status = np.full(n, -7, np.int8)
    extra = (np.array(fden, np.int64),) if with_fden else ()
    failed = compute(
        np.array(dec, np.int32), np.array(a, np.int64), np.array(b, np.int64),
        np.array(c, np.int64), np.array(num, np.int32), np.array(den, np.int32),
        np.array(method, np.int8), np.array(factor, np.int64), np.array(price, np.int64),
        np.array(coef, np.int64), *out, status, *extra)
    return failed, [col.tolist() for col in (*out, status)]


def agree(decisions, rows):
    compiled = run(_kernel.compute, decisions, rows)
    assert compiled == run(reference.compute, decisions, rows)
    return compiled


def half_up(value: Fraction) -> int:
    magnitude = (abs(value.numerator) * 2 + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude


@st.composite
def season_rows(draw):
    """Heating rows: area × (norm × months / 12), whole or part of the month."""
    norm, months = draw(NORM9), draw(MONTHS)
    factor, fden = season_factor(norm, months)
    share = draw(st.one_of(st.just((1, 1)), st.tuples(st.integers(0, 31), st.integers(28, 31))))
    return (3, factor, fden, draw(PRICE), draw(COEF)), (0, draw(AREA), 0, 0, *share)


@st.composite
def any_fraction_rows(draw):
    """Any method, any factor over any denominator, int64 edges included."""
    fden = draw(st.one_of(st.integers(1, 12 * E9), EDGES, ANY64))
    factor = draw(st.one_of(st.integers(0, 12 * E9), EDGES, ANY64))
    method = draw(st.one_of(st.integers(1, 4), st.integers(-2, 6)))
    value = st.one_of(st.integers(-(10**12), 10**12), EDGES, ANY64)
    return ((method, factor, fden, draw(PRICE), draw(COEF)),
            (0, draw(value), draw(value), draw(value), draw(st.integers(0, 31)),
             draw(st.integers(-1, 31))))


@HEAVY
@given(st.lists(st.one_of(season_rows(), any_fraction_rows()), min_size=1, max_size=8))
def test_compiled_kernel_equals_the_twin_with_factor_denominators(cases):
    decisions = [d for d, _ in cases]
    rows = [(i, *row[1:]) for i, (_, row) in enumerate(cases)]
    failed, (*_outputs, status) = agree(decisions, rows)
    assert failed == sum(s != 0 for s in status)


@HEAVY
@given(st.lists(season_rows(), min_size=1, max_size=6))
def test_a_season_row_volume_is_the_exact_product_rounded_half_up_once(cases):
    decisions = [d for d, _ in cases]
    rows = [(i, *row[1:]) for i, (_, row) in enumerate(cases)]
    _, (volume, _amount, _plain, status) = agree(decisions, rows)
    for i, ((_, factor, fden, _, _), (_, area, _, _, num, den)) in enumerate(cases):
        if status[i] == 0:
            vol1 = half_up(Fraction(area * factor, fden))
            assert volume[i] == half_up(Fraction(vol1 * num, den))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 10**8), PRICE, COEF,
                          st.integers(0, 10**12)), min_size=1, max_size=6))
def test_without_denominators_every_factor_is_in_millionths(cases):
    decisions = [(m, f, E6, p, c) for m, f, p, c, _ in cases]
    rows = [(i, a, a + 1, a + 2, 1, 1) for i, (*_, a) in enumerate(cases)]
    for compute in (_kernel.compute, reference.compute):
        assert run(compute, decisions, rows) == run(compute, decisions, rows, with_fden=False)


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
def test_reference_heating_example_evenly_seven_of_twelve(compute):
    # 54,3 м² × 0,0187 × 7/12 = 0,5923225 → 0,592323 Гкал × 2 345,67 = 1 389,39 (REFERENCE 1.2)
    factor, fden = season_factor(18_700_000, 7)
    _, (volume, amount, plain, status) = run(
        compute, [(3, factor, fden, 2_345_670_000, E6)], [(0, 54_300_000, 0, 0, 1, 1)])
    assert (volume, amount, plain, status) == ([592_323], [138_939], [138_939], [0])


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
def test_a_norm_with_nine_decimals_is_not_rounded_before_the_volume(compute):
    # 1 000 м² × 0,020612345 = 20,612345 Гкал; rounded to 6 decimals first it would be 20,612
    _, (volume, *_rest) = run(compute, [(3, 20_612_345, E9, 0, E6)],
                              [(0, 1000 * E6, 0, 0, 1, 1)])
    assert volume == [20_612_345]


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
def test_a_denominator_not_above_zero_is_bad_input(compute):
    _, (_v, _a, _p, status) = run(compute, [(3, 1, 0, 0, E6), (3, 1, -5, 0, E6)],
                                  [(0, 1, 0, 0, 1, 1), (1, 1, 0, 0, 1, 1)])
    assert status == [reference.BAD_INPUT] * 2


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
def test_a_denominator_array_of_another_length_is_refused_by_name(compute):
    one32, one8 = np.ones(1, np.int32), np.full(1, 3, np.int8)
    rows = [np.zeros(1, np.int32), *(np.zeros(1, np.int64) for _ in range(3)), one32, one32]
    table = [one8, *(np.ones(1, np.int64) for _ in range(3))]
    out = [*(np.zeros(1, np.int64) for _ in range(3)), np.zeros(1, np.int8)]
    with pytest.raises(ValueError, match="d_fden"):
        compute(*rows, *table, *out, np.ones(2, np.int64))
