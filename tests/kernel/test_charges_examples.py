"""Worked examples of the charge kernel in rubles, and one test per error status.

Every example runs on both implementations (compiled kernel and Decimal twin) through the
same inputs; figures are the ones an operator would check by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from zhkh.kernel import _kernel, charges, reference
from zhkh.kernel.charges import (
    AVERAGE,
    BAD_INPUT,
    METER,
    OK,
    OVERFLOW,
    QUANTITY,
    READING_DECREASE,
    SHARE,
)
from zhkh.kernel.money import INT64_MAX, format_kopecks, format_micro, to_micro

IMPLEMENTATIONS = [pytest.param(_kernel.compute, id="compiled"),
                   pytest.param(reference.compute, id="reference")]
WHOLE = (1, 1)


def run(compute, decisions, rows):
    """Run ``rows`` [(dec, a, b, c, num, den)] against ``decisions`` [(method, factor, price,
    coef)] and return (failed, [(status, volume, amount, plain) per row])."""
    dec, a, b, c, num, den = (list(col) for col in zip(*rows, strict=True))
    method, factor, price, coef = (list(col) for col in zip(*decisions, strict=True))
    n = len(rows)
    out = [np.full(n, -7, np.int64) for _ in range(3)]
    status = np.full(n, -7, np.int8)
    failed = compute(
        np.array(dec, np.int32), np.array(a, np.int64), np.array(b, np.int64),
        np.array(c, np.int64), np.array(num, np.int32), np.array(den, np.int32),
        np.array(method, np.int8), np.array(factor, np.int64), np.array(price, np.int64),
        np.array(coef, np.int64), *out, status,
    )
    return failed, [(int(s), int(v), int(am), int(p))
                    for s, v, am, p in zip(status, *out, strict=True)]


def one(compute, method, factor, price, coef, a, b=0, c=0, share=WHOLE):
    """A single row with its own decision, decimals given as strings → (status, volume,
    amount, plain) with volume as a decimal string and money as ``"rub.kop"``."""
    failed, [(status, volume, amount, plain)] = run(
        compute,
        [(method, to_micro(factor), to_micro(price), to_micro(coef))],
        [(0, a, b, c, *share)],
    )
    assert failed == (status != OK)
    return status, format_micro(volume), format_kopecks(amount), format_kopecks(plain)


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
class TestWorkedExamples:
    def test_a_meter_charges_the_difference_of_readings_at_the_tariff(self, compute):
        result = one(compute, METER, "1", "48.72", "1", to_micro("123.456"), to_micro("131.789"))
        assert result == (OK, "8.333", "405.98", "405.98")

    def test_a_norm_charges_persons_times_norm_and_the_coefficient_adds_the_excess(
        self, compute
    ):
        plain = one(compute, QUANTITY, "4.9", "48.72", "1", to_micro(3))
        raised = one(compute, QUANTITY, "4.9", "48.72", "1.5", to_micro(3))
        assert plain == (OK, "14.7", "716.18", "716.18")
        assert raised == (OK, "14.7", "1074.28", "716.18")
        assert 107428 - 71618 == 35810  # excess 358.10 shown on the line

    def test_heating_formula_2_is_area_times_norm_times_tariff(self, compute):
        result = one(compute, QUANTITY, "0.0187", "2345.67", "1", to_micro("54.3"))
        assert result == (OK, "1.01541", "2381.82", "2381.82")

    def test_heating_formula_3_shares_the_house_meter_by_area(self, compute):
        result = one(compute, SHARE, "1", "2345.67", "1", to_micro("98.765"),
                     to_micro("54.3"), to_micro("4512.7"))
        assert result == (OK, "1.18841", "2787.62", "2787.62")

    def test_hot_water_heat_component_is_volume_times_heat_per_cubic_metre(self, compute):
        result = one(compute, METER, "0.0596", "2345.67", "1", to_micro(10), to_micro("13.2"))
        assert result == (OK, "0.19072", "447.37", "447.37")

    def test_average_divides_the_history_by_months_and_rounds_the_volume(self, compute):
        result = one(compute, AVERAGE, "1", "48.72", "1", to_micro("18.4"), 6)
        assert result == (OK, "3.066667", "149.41", "149.41")

    def test_a_meter_that_rolls_over_its_capacity_counts_through_zero(self, compute):
        result = one(compute, METER, "1", "48.72", "1", to_micro("99998.5"), to_micro("1.5"),
                     to_micro(100000))
        assert result == (OK, "3", "146.16", "146.16")

    def test_a_day_split_charges_each_part_of_the_month_by_its_days(self, compute):
        decisions = [(QUANTITY, to_micro("4.9"), to_micro("48.72"), to_micro(1)),
                     (QUANTITY, to_micro("4.9"), to_micro("52.84"), to_micro(1))]
        rows = [(0, to_micro(3), 0, 0, 14, 30), (1, to_micro(3), 0, 0, 16, 30)]
        failed, results = run(compute, decisions, rows)
        assert failed == 0
        assert [(s, format_micro(v), format_kopecks(am)) for s, v, am, _ in results] == [
            (OK, "6.86", "334.22"),  # 14.7 × 14/30 = 6.86 m³ × 48.72
            (OK, "7.84", "414.27"),  # 14.7 × 16/30 = 7.84 m³ × 52.84 = 414.2656
        ]

    def test_a_fixed_fee_is_one_unit_at_the_price(self, compute):
        assert one(compute, QUANTITY, "1", "350", "1", to_micro(1)) == (
            OK, "1", "350.00", "350.00")


def status_of(compute, decisions, row):
    failed, [(status, volume, amount, plain)] = run(compute, decisions, [row])
    assert failed == 1 and (volume, amount, plain) == (0, 0, 0), "a failed row has zeros"
    return status


METER_DEC = [(METER, 10**6, 48_720_000, 10**6)]


@pytest.mark.parametrize("compute", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("decisions", "row", "expected"),
    [
        pytest.param(METER_DEC, (0, 5_000_000, 4_000_000, 0, 1, 1), READING_DECREASE,
                     id="reading-below-previous-without-capacity"),
        pytest.param(METER_DEC, (0, 5_000_000, 4_000_000, 5_000_000, 1, 1), READING_DECREASE,
                     id="previous-reading-at-capacity-is-not-a-rollover"),
        pytest.param(METER_DEC, (0, -(2**62), 2**62, 0, 1, 1), OVERFLOW,
                     id="difference-of-readings-beyond-int64"),
        pytest.param(METER_DEC, (1, 0, 1, 0, 1, 1), BAD_INPUT, id="decision-index-past-table"),
        pytest.param(METER_DEC, (-1, 0, 1, 0, 1, 1), BAD_INPUT, id="negative-decision-index"),
        pytest.param(METER_DEC, (0, 0, 1, 0, 1, 0), BAD_INPUT, id="share-denominator-zero"),
        pytest.param(METER_DEC, (0, 0, 1, 0, -1, 30), BAD_INPUT, id="share-numerator-negative"),
        pytest.param(METER_DEC, (0, 5, 4, 0, 1, 0), BAD_INPUT,
                     id="bad-share-wins-over-reading-decrease"),
        pytest.param([(5, 10**6, 1, 10**6)], (0, 1, 1, 1, 1, 1), BAD_INPUT,
                     id="unknown-method"),
        pytest.param([(AVERAGE, 10**6, 1, 10**6)], (0, 100, 0, 0, 1, 1), BAD_INPUT,
                     id="average-over-zero-months"),
        pytest.param([(SHARE, 10**6, 1, 10**6)], (0, 100, 5, 0, 1, 1), BAD_INPUT,
                     id="share-of-zero-total-area"),
        pytest.param([(SHARE, 10**6, 1, 10**6)], (0, INT64_MAX, INT64_MAX, 1, 1, 1), OVERFLOW,
                     id="share-base-beyond-int64"),
        pytest.param([(QUANTITY, 2 * 10**6, 0, 10**6)], (0, INT64_MAX, 0, 0, 1, 1), OVERFLOW,
                     id="volume-times-factor-beyond-int64"),
        pytest.param([(QUANTITY, 10**6, 0, 10**6)], (0, INT64_MAX, 0, 0, 2, 1), OVERFLOW,
                     id="volume-times-share-beyond-int64"),
        pytest.param([(QUANTITY, 10**6, INT64_MAX, 10**6)], (0, 2 * 10**10, 0, 0, 1, 1),
                     OVERFLOW, id="plain-amount-beyond-int64"),
        pytest.param([(QUANTITY, 10**6, 10**10, INT64_MAX)], (0, 10**10, 0, 0, 1, 1),
                     OVERFLOW, id="amount-with-coefficient-beyond-int64"),
    ],
)
def test_each_error_gets_its_status_and_zero_outputs(compute, decisions, row, expected):
    assert status_of(compute, decisions, row) == expected


def test_the_public_entry_is_the_compiled_kernel():
    assert charges.IMPLEMENTATION == "compiled"
    assert charges.compute is _kernel.compute


def test_status_and_method_codes_agree_between_the_twins():
    names = ["METER", "AVERAGE", "QUANTITY", "SHARE", "OK", "OVERFLOW", "READING_DECREASE",
             "BAD_INPUT"]
    assert [getattr(_kernel, n) for n in names] == [getattr(reference, n) for n in names]
    assert [getattr(charges, n) for n in names] == [1, 2, 3, 4, 0, 1, 2, 3]
