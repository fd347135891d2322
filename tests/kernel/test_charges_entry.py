"""The public entry ``zhkh.kernel.charges``: how it checks arrays before handing them to the
kernel (which implementation it picks: ``test_compiled``)."""

from __future__ import annotations

import numpy as np
import pytest

from zhkh.kernel import _kernel, reference
from zhkh.kernel.charges import OK, compute_arrays


def arrays(n=3, size=2):
    rows = dict(dec=np.zeros(n, np.int32), a=np.zeros(n, np.int64), b=np.arange(n, dtype=np.int64),
                c=np.zeros(n, np.int64), share_num=np.ones(n, np.int32),
                share_den=np.ones(n, np.int32))
    table = dict(d_method=np.ones(size, np.int8), d_factor=np.full(size, 10**6, np.int64),
                 d_price=np.full(size, 48_720_000, np.int64), d_coef=np.full(size, 10**6, np.int64))
    return rows, table


def test_compute_arrays_allocates_outputs_and_counts_failures():
    rows, table = arrays()
    rows["a"][2] = 5  # 2 < 5: a reading decrease
    result = compute_arrays(**rows, **table)
    assert result.volume.tolist() == [0, 1, 0]
    assert result.status.tolist() == [OK, OK, reference.READING_DECREASE]
    assert result.failed == 1


def test_compute_arrays_accepts_a_strided_view_by_copying_it():
    rows, table = arrays(n=6)
    rows = {k: v[::2] for k, v in rows.items()}
    assert compute_arrays(**rows, **table).volume.tolist() == [0, 2, 4]


@pytest.mark.parametrize(
    ("name", "bad", "error", "message"),
    [
        ("a", np.zeros(3, np.int32), TypeError, "a: expected dtype int64, got int32"),
        ("share_den", np.ones(3, np.int64), TypeError, "share_den: expected dtype int32"),
        ("d_price", np.zeros(2, np.float64), TypeError, "d_price: expected dtype int64"),
        ("c", [0, 0, 0], TypeError, "c: expected a numpy array of int64, got list"),
        ("b", np.zeros(4, np.int64), ValueError, "b: length 4, expected 3"),
        ("d_coef", np.zeros(1, np.int64), ValueError, "d_coef: length 1, expected 2"),
        ("c", np.zeros((3, 1), np.int64), ValueError, "c: expected a 1-D array"),
    ],
)
def test_compute_arrays_names_the_argument_with_a_wrong_dtype_or_length(name, bad, error,
                                                                         message):
    rows, table = arrays()
    (rows if name in rows else table)[name] = bad
    with pytest.raises(error, match=message):
        compute_arrays(**rows, **table)


@pytest.mark.parametrize("compute", [_kernel.compute, reference.compute],
                         ids=["compiled", "reference"])
def test_both_twins_refuse_output_arrays_of_another_length(compute):
    rows, table = arrays()
    outputs = [np.zeros(3, np.int64), np.zeros(2, np.int64), np.zeros(3, np.int64),
               np.zeros(3, np.int8)]
    with pytest.raises(ValueError, match="array 'amount' has length 2, expected 3"):
        compute(*rows.values(), *table.values(), *outputs)


@pytest.mark.parametrize("compute", [_kernel.compute, reference.compute],
                         ids=["compiled", "reference"])
def test_an_empty_plan_computes_nothing_and_an_empty_table_fails_every_row(compute):
    rows, table = arrays(n=0)
    assert compute(*rows.values(), *table.values(), *outputs(0)) == 0
    rows, table = arrays(n=3, size=0)
    out = outputs(3)
    assert compute(*rows.values(), *table.values(), *out) == 3
    assert out[3].tolist() == [reference.BAD_INPUT] * 3


def test_the_compiled_kernel_reads_read_only_inputs():
    rows, table = arrays()
    for array in (*rows.values(), *table.values()):
        array.flags.writeable = False
    out = outputs(3)
    assert _kernel.compute(*rows.values(), *table.values(), *out) == 0
    assert out[0].tolist() == [0, 1, 2]


def outputs(n):
    return (np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64),
            np.zeros(n, np.int8))
