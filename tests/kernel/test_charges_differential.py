"""Differential property tests: the compiled kernel equals the Decimal twin on every row.

Inputs cover realistic magnitudes, int64 edges, rows built to land exactly on a half-kopeck
(or half-unit) tie at each rounding step, and rows built to land next to the int64 boundary
of each stage. The two heavy properties run 1 000 examples each in every profile, so any run
(CI included) executes at least 2 000 differential examples.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhkh.kernel import _kernel, reference
from zhkh.kernel.money import INT64_MAX, INT64_MIN

I32_MIN, I32_MAX = -(2**31), 2**31 - 1
E6, E10, E16 = 10**6, 10**10, 10**16
HEAVY = settings(max_examples=1000, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EDGES64 = st.sampled_from([INT64_MIN, INT64_MIN + 1, -(2**62), -E16, -1, 0, 1, E6, E10, E16,
                           2**62, INT64_MAX - 1, INT64_MAX])
ANY64 = st.integers(INT64_MIN, INT64_MAX)
REALISTIC = st.integers(-(10**12), 10**12)
VALUE = st.one_of(REALISTIC, st.integers(0, 24), EDGES64, ANY64)
FACTOR = st.one_of(st.just(E6), st.integers(0, 10**8), EDGES64, ANY64)
PRICE = st.one_of(st.integers(0, 10**10), EDGES64, ANY64)
COEF = st.one_of(st.just(E6), st.sampled_from([0, 1_500_000, 500_000]), EDGES64, ANY64)
VALID_METHOD = st.integers(1, 4)
METHOD = st.one_of(VALID_METHOD, VALID_METHOD, VALID_METHOD, st.integers(-128, 127))
SHARE = st.one_of(
    st.just((1, 1)),
    st.tuples(st.integers(0, 31), st.integers(28, 31)),
    st.tuples(st.sampled_from([I32_MIN, -1, 0, 1, I32_MAX]),
              st.sampled_from([I32_MIN, -1, 0, 1, 2, I32_MAX])),
    st.tuples(st.integers(I32_MIN, I32_MAX), st.integers(I32_MIN, I32_MAX)),
)


def run(compute, decisions, rows):
    """(failed, columns volume/amount/plain/status as lists) for ``rows`` over ``decisions``."""
    n = len(rows)
    dec, a, b, c, num, den = (list(col) for col in zip(*rows, strict=True))
    method, factor, price, coef = (list(col) for col in zip(*decisions, strict=True))
    out = [np.full(n, -7, np.int64) for _ in range(3)]
    status = np.full(n, -7, np.int8)
    failed = compute(
        np.array(dec, np.int32), np.array(a, np.int64), np.array(b, np.int64),
        np.array(c, np.int64), np.array(num, np.int32), np.array(den, np.int32),
        np.array(method, np.int8), np.array(factor, np.int64), np.array(price, np.int64),
        np.array(coef, np.int64), *out, status,
    )
    return failed, [col.tolist() for col in (*out, status)]


def assert_twins_agree(decisions, rows):
    """Kernel and twin give identical outputs, statuses and failure counts; returns them."""
    compiled = run(_kernel.compute, decisions, rows)
    twin = run(reference.compute, decisions, rows)
    assert compiled == twin
    failed, (volume, amount, plain, status) = compiled
    assert failed == sum(s != 0 for s in status)
    assert all((v, am, p) == (0, 0, 0)
               for v, am, p, s in zip(volume, amount, plain, status, strict=True) if s != 0)
    return compiled


@st.composite
def tables_and_rows(draw, max_rows=12):
    decisions = draw(st.lists(st.tuples(METHOD, FACTOR, PRICE, COEF), min_size=1, max_size=4))
    valid = st.integers(0, len(decisions) - 1)
    index = st.one_of(valid, valid, valid, st.sampled_from([-1, len(decisions), I32_MIN, I32_MAX]))
    rows = draw(st.lists(st.tuples(index, VALUE, VALUE, VALUE, SHARE).map(
        lambda r: (*r[:4], *r[4])), min_size=1, max_size=max_rows))
    return decisions, rows


@HEAVY
@given(tables_and_rows())
def test_kernel_equals_twin_on_generated_tables_and_rows(case):
    assert_twins_agree(*case)


# --- rows built to hit a tie or an int64 boundary at one chosen stage ------------------------

SIGN = st.sampled_from([1, -1])
ODD = st.integers(0, 499).map(lambda j: 2 * j + 1)


@st.composite
def split_half(draw, scale_exp, parts):
    """``parts`` integers whose product is ± (10**scale_exp / 2) × odd: a tie at that scale."""
    twos, fives = scale_exp - 1, scale_exp
    factors = []
    for i in range(parts):
        last = i == parts - 1
        t = twos if last else draw(st.integers(0, twos))
        f = fives if last else draw(st.integers(0, fives))
        twos, fives = twos - t, fives - f
        factors.append(draw(SIGN) * 2**t * 5**f * draw(ODD))
    return factors


@st.composite
def tie_rows(draw):
    """(decision, row, exact, output): ``exact`` is k + 1/2, the unrounded value of ``output``
    (the stage's rounding is the last one before that output)."""
    stage = draw(st.sampled_from(["vol1", "share", "plain", "amount", "average", "share_base"]))
    if stage == "vol1":
        base, factor = draw(split_half(6, 2))
        return (3, factor, 0, E6), (0, base, 0, 0, 1, 1), Fraction(base * factor, E6), "volume"
    if stage == "share":
        m, num, vol = draw(st.integers(1, 10**6)), draw(ODD), draw(SIGN) * draw(ODD)
        return ((3, E6, 0, E6), (0, m * vol, 0, 0, num, 2 * m),
                Fraction(m * vol * num, 2 * m), "volume")
    if stage == "plain":
        volume, price = draw(split_half(10, 2))
        return ((3, E6, price, E6), (0, volume, 0, 0, 1, 1), Fraction(volume * price, E10),
                "plain")
    if stage == "amount":
        volume, price, coef = draw(split_half(16, 3))
        return ((3, E6, price, coef), (0, volume, 0, 0, 1, 1),
                Fraction(volume * price * coef, E16), "amount")
    if stage == "average":
        months = draw(st.integers(1, 12))
        odd = draw(SIGN) * (2 * draw(st.integers(0, 10**9)) + 1)
        return (2, E6, 0, E6), (0, months * odd, 2 * months, 0, 1, 1), Fraction(odd, 2), "volume"
    m1, m2 = draw(st.integers(1, 10**4)), draw(st.integers(1, 10**4))
    a, b = m1 * draw(SIGN) * draw(ODD), m2 * draw(ODD)
    return ((4, E6, 0, E6), (0, a, b, 2 * m1 * m2, 1, 1), Fraction(a * b, 2 * m1 * m2),
            "volume")


def half_away_from_zero(value: Fraction) -> int:
    magnitude = (abs(value.numerator) * 2 + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude


@settings(max_examples=300, deadline=None)
@given(st.lists(tie_rows(), min_size=1, max_size=6))
def test_exact_half_ties_round_away_from_zero_in_both_twins(cases):
    decisions = [d for d, _, _, _ in cases]
    rows = [(i, *row[1:]) for i, (_, row, _, _) in enumerate(cases)]
    _, (volume, amount, plain, status) = assert_twins_agree(decisions, rows)
    outputs = {"volume": volume, "amount": amount, "plain": plain}
    for i, (_, _, exact, output) in enumerate(cases):
        assert exact.denominator == 2, "the strategy must build an exact half"
        if status[i] == 0:
            assert outputs[output][i] == half_away_from_zero(exact)


@st.composite
def boundary_rows(draw):
    """(decision, row): the chosen stage lands within a few units of ±2**63."""
    stage = draw(st.sampled_from(["meter", "share_base", "vol1", "volume", "plain", "amount"]))
    edge = draw(SIGN) * (2**63 + draw(st.integers(-3, 2)))  # includes INT64_MAX, INT64_MIN
    if stage == "meter":
        a = draw(st.integers(INT64_MIN, 0))
        return (1, E6, 0, E6), (0, a, edge + a, 0, 1, 1)
    if stage == "share_base":
        c = draw(st.integers(1, 10**12))
        a = draw(st.integers(1, 4)) * c + draw(st.integers(0, c - 1))
        b = (edge * c + draw(st.integers(0, c - 1))) // a
        return (4, E6, 0, E6), (0, a, b, c, 1, 1)
    if stage == "vol1":
        factor = draw(st.one_of(st.integers(E6 + 1, 4 * E6), st.integers(E6 + 1, 2**40)))
        base = (edge * E6 + draw(st.integers(0, E6 - 1))) // factor
        return (3, factor, 0, E6), (0, base, 0, 0, 1, 1)
    if stage == "volume":
        den = draw(st.integers(1, 2**30 - 1))
        num = draw(st.integers(den + 1, 2 * den))
        vol1 = (edge * den + draw(st.integers(0, den - 1))) // num
        return (3, E6, 0, E6), (0, vol1, 0, 0, num, den)
    volume = draw(st.one_of(st.integers(E10, 4 * E10), st.integers(E10, 2**62)))
    if stage == "plain":
        price = (edge * E10 + draw(st.integers(-E10, E10))) // volume
        return (3, E6, price, E6), (0, volume, 0, 0, 1, 1)
    coef = draw(st.integers(E6 + 1, 4 * E6))
    price = (edge * E16 + draw(st.integers(-E16, E16))) // (volume * coef)
    return (3, E6, price, coef), (0, volume, 0, 0, 1, 1)


@st.composite
def rollover_rows(draw):
    """(decision, row): METER readings at and around 0 and the register capacity."""
    c = draw(st.one_of(st.integers(1, 10**12), st.sampled_from([-1, 0, 1, INT64_MAX])))
    reading = st.one_of(st.sampled_from([-1, 0, 1, c - 1, c, c + 1]), st.integers(-1, c + 1))
    return (1, E6, E10, E6), (0, draw(reading), draw(reading), c, 1, 1)


def clamp64(value: int) -> int:
    return max(min(value, INT64_MAX), INT64_MIN)


@HEAVY
@given(st.lists(st.one_of(boundary_rows(), rollover_rows(), tie_rows().map(lambda t: t[:2])),
                min_size=1, max_size=8))
def test_kernel_equals_twin_next_to_every_stage_boundary_and_tie(cases):
    decisions = [tuple(clamp64(v) for v in d) for d, _ in cases]
    rows = [(i, *(clamp64(v) for v in row[1:4]), *row[4:]) for i, (_, row) in enumerate(cases)]
    assert_twins_agree(decisions, rows)


@settings(max_examples=60, deadline=None)
@given(tables_and_rows(max_rows=200))
def test_one_batch_of_many_rows_equals_the_rows_computed_one_by_one(case):
    decisions, rows = case
    _, batch = run(_kernel.compute, decisions, rows)
    singles = [run(_kernel.compute, decisions, [row])[1] for row in rows]
    assert batch == [[col[0] for col in (s[k] for s in singles)] for k in range(4)]


def test_kernel_equals_twin_on_a_large_batch_of_random_magnitudes():
    rng = np.random.default_rng(20251128)
    n, size = 20_000, 64

    def magnitudes(count, top=63):
        """Signed integers whose bit length is uniform in [0, top]: every scale is hit."""
        bits = rng.integers(0, top + 1, count)
        values = [int(rng.integers(0, 2**63, dtype=np.uint64)) >> (63 - int(k)) for k in bits]
        return [v * (1 if s else -1) for v, s in zip(values, rng.integers(0, 2, count),
                                                     strict=True)]

    decisions = list(zip(rng.integers(0, 6, size).tolist(), magnitudes(size, 40),
                         magnitudes(size, 45), magnitudes(size, 32), strict=True))
    den = rng.integers(-1, 32, n).tolist()
    rows = list(zip(rng.integers(-1, size + 1, n).tolist(), magnitudes(n), magnitudes(n),
                    magnitudes(n), [int(rng.integers(-1, d + 2)) for d in den], den,
                    strict=True))
    failed, (*_, status) = assert_twins_agree(decisions, rows)
    assert 0 < failed < n  # both ordinary and failing rows are in the batch
    assert set(status) == {0, 1, 2, 3}
