"""Rows of both paths through the methods and the kernel: templates × facts → a, b, c → amounts.

A row is a template (``template.RowTemplate``, the decision table entry) and the facts of one
account; each path says how to give a fact column for some of its rows (``column(name,
rows)``, names of ``methods.base.COLUMNS``), and these functions do the rest the same way for
both: every method computes a, b, c of all its rows at once, the kernel runs over all rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from zhkh.kernel.calc.methods import METHOD_LIST, method_codes
from zhkh.kernel.calc.methods.base import Rows
from zhkh.kernel.calc.template import RowTemplate
from zhkh.kernel.charges import ChargeArrays, compute_arrays
from zhkh.kernel.money import MICRO

Column = Callable[[str, np.ndarray], np.ndarray]
"""``column(name, rows)``: the fact column ``name`` of the rows of index ``rows``."""

def method_inputs(templates: Sequence[RowTemplate], tmpl: np.ndarray, column: Column
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """a, b, c of every row and the rows their method refuses (bool), each method asked once
    for all its rows."""
    n = len(tmpl)
    a, b, c = (np.zeros(n, dtype=np.int64) for _ in range(3))
    refused = np.zeros(n, dtype=bool)
    codes = method_codes(templates, tmpl)
    for code in np.flatnonzero(np.bincount(codes)).tolist():
        rows = np.flatnonzero(codes == code)
        got = METHOD_LIST[code].inputs(Rows(len(rows), _bound(column, rows)))
        a[rows], b[rows], c[rows] = got.a, got.b, got.c
        if got.refused is not None:
            refused[rows] = got.refused
    return a, b, c, refused


def _bound(column: Column, rows: np.ndarray) -> Callable[[str], np.ndarray]:
    return lambda name: column(name, rows)


def run_kernel(templates: Sequence[RowTemplate], tmpl: np.ndarray, a: np.ndarray, b: np.ndarray,
               c: np.ndarray, share_num: np.ndarray, share_den: np.ndarray) -> ChargeArrays:
    """The charge kernel over the rows, the templates as its decision table."""
    def table(name: str, dtype: type) -> np.ndarray:
        return np.array([getattr(t, name) for t in templates], dtype=dtype)

    factors = [t.kernel_factor for t in templates]
    d_factor = np.array([f for f, _ in factors], dtype=np.int64)
    # the factor's denominator only when one is not the fixed point 1e-6 (a norm published
    # with seven to nine decimals, the heating season's months / 12)
    d_fden = (np.array([d for _, d in factors], dtype=np.int64)
              if any(d != MICRO for _, d in factors) else None)
    return compute_arrays(
        tmpl.astype(np.int32), a.astype(np.int64), b.astype(np.int64), c.astype(np.int64),
        share_num.astype(np.int32), share_den.astype(np.int32), table("kernel_method", np.int8),
        d_factor, table("price", np.int64), table("coef", np.int64), d_fden)
