"""The charge kernel's one public entry: ``compute`` over plan rows (see docs/DESIGN.md).

``compute`` is the compiled ``zhkh.kernel._kernel.compute``, chosen by the one switch of
:mod:`zhkh.kernel._compiled`: when the compiled module is not built, ``ZHKH_REQUIRE_COMPILED=1``
makes that an ImportError; otherwise a ``RuntimeWarning`` is issued and the Decimal twin
(``zhkh.kernel.reference``), which is exact but slow, takes its place. ``IMPLEMENTATION`` says
which one is in use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zhkh.kernel import reference
from zhkh.kernel._compiled import compiled
from zhkh.kernel.reference import (
    AVERAGE,
    AVERAGE_FALLBACK,
    BAD_INPUT,
    CAP_LIFTED,
    METER,
    NEGATIVE_KEPT,
    OK,
    OUTCOME_CAPPED,
    OUTCOME_DIFFERENCE,
    OUTCOME_NEGATIVE,
    OUTCOME_ZERO,
    OVERFLOW,
    QUANTITY,
    READING_DECREASE,
    SHARE,
    SOURCE_AVERAGE,
    SOURCE_METER,
    SOURCE_NORM,
)

__all__ = [
    "AVERAGE",
    "AVERAGE_FALLBACK",
    "BAD_INPUT",
    "CAP_LIFTED",
    "IMPLEMENTATION",
    "METER",
    "NEGATIVE_KEPT",
    "OK",
    "OUTCOME_CAPPED",
    "OUTCOME_DIFFERENCE",
    "OUTCOME_NEGATIVE",
    "OUTCOME_ZERO",
    "OVERFLOW",
    "QUANTITY",
    "READING_DECREASE",
    "SHARE",
    "SOURCE_AVERAGE",
    "SOURCE_METER",
    "SOURCE_NORM",
    "ChargeArrays",
    "CommonArrays",
    "common_arrays",
    "common_volumes",
    "compute",
    "compute_arrays",
]

_kernel = compiled("zhkh.kernel._kernel", "ядро начислений")
compute = reference.compute if _kernel is None else _kernel.compute
common_volumes = reference.common_volumes if _kernel is None else _kernel.common_volumes
IMPLEMENTATION = "reference" if _kernel is None else "compiled"


@dataclass(frozen=True)
class ChargeArrays:
    """Outputs of :func:`compute_arrays`; ``failed`` is the number of rows with status != OK."""

    volume: np.ndarray
    amount: np.ndarray
    plain: np.ndarray
    status: np.ndarray
    failed: int


_ROW_DTYPES = {"dec": np.int32, "a": np.int64, "b": np.int64, "c": np.int64,
               "share_num": np.int32, "share_den": np.int32}
_TABLE_DTYPES = {"d_method": np.int8, "d_factor": np.int64, "d_price": np.int64,
                 "d_coef": np.int64}


def _checked(name: str, value: object, dtype: type, length: int | None) -> np.ndarray:
    """``value`` as a C-contiguous 1-D array, or TypeError/ValueError naming the argument."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array of {np.dtype(dtype)}, "
                        f"got {type(value).__name__}")
    if value.dtype != dtype:
        raise TypeError(f"{name}: expected dtype {np.dtype(dtype)}, got {value.dtype}")
    if value.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {value.shape}")
    if length is not None and value.shape[0] != length:
        raise ValueError(f"{name}: length {value.shape[0]}, expected {length}")
    return np.ascontiguousarray(value)


def compute_arrays(
    dec: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
    share_num: np.ndarray, share_den: np.ndarray,
    d_method: np.ndarray, d_factor: np.ndarray, d_price: np.ndarray, d_coef: np.ndarray,
    d_fden: np.ndarray | None = None,
) -> ChargeArrays:
    """Validate dtypes and lengths, allocate the outputs and run :func:`compute`.

    Row arrays must share the length of ``dec`` and the decision arrays that of
    ``d_method``; dtypes must be exactly the contract's (no silent casts). ``d_fden``: the
    denominators of the factors (None: every factor is fixed point 1e-6).
    """
    rows = {"dec": dec, "a": a, "b": b, "c": c, "share_num": share_num, "share_den": share_den}
    table = {"d_method": d_method, "d_factor": d_factor, "d_price": d_price, "d_coef": d_coef}
    n = _checked("dec", dec, np.int32, None).shape[0]
    size = _checked("d_method", d_method, np.int8, None).shape[0]
    rows = {k: _checked(k, v, _ROW_DTYPES[k], n) for k, v in rows.items()}
    table = {k: _checked(k, v, _TABLE_DTYPES[k], size) for k, v in table.items()}
    fden = None if d_fden is None else _checked("d_fden", d_fden, np.int64, size)
    volume = np.zeros(n, np.int64)
    amount = np.zeros(n, np.int64)
    plain = np.zeros(n, np.int64)
    status = np.zeros(n, np.int8)
    failed = compute(rows["dec"], rows["a"], rows["b"], rows["c"], rows["share_num"],
                     rows["share_den"], table["d_method"], table["d_factor"], table["d_price"],
                     table["d_coef"], volume, amount, plain, status, fden)
    return ChargeArrays(volume, amount, plain, status, int(failed))


@dataclass(frozen=True)
class CommonArrays:
    """Outputs of :func:`common_arrays`: the volume for common needs of each house ×
    resource, where the house volume came from (``SOURCE_*``), what the difference became
    (``OUTCOME_*``), and the status (``OK``, ``OVERFLOW``, ``BAD_INPUT``)."""

    volume: np.ndarray
    used: np.ndarray
    cap: np.ndarray
    source: np.ndarray
    outcome: np.ndarray
    status: np.ndarray
    failed: int


def common_arrays(house: np.ndarray, hist_sum: np.ndarray, hist_n: np.ndarray,
                  individual: np.ndarray, norm: np.ndarray, area: np.ndarray,
                  flags: np.ndarray) -> CommonArrays:
    """The house's volume for common needs (ПП РФ №354, п. 44, 59(1); REFERENCE §1.4) by the
    compiled kernel or its twin (``reference.common_volumes``): house volume (or its average
    fallback, or none) − individual volumes, capped at norm × common area unless lifted, a
    negative difference 0 unless kept. Inputs int64 (``flags`` int8), fixed point 1e-6."""
    n = _checked("house", house, np.int64, None).shape[0]
    volume, used, cap = (np.zeros(n, np.int64) for _ in range(3))
    source, outcome, status = (np.zeros(n, np.int8) for _ in range(3))
    failed = common_volumes(
        np.ascontiguousarray(house), _checked("hist_sum", hist_sum, np.int64, n),
        _checked("hist_n", hist_n, np.int64, n), _checked("individual", individual, np.int64, n),
        _checked("norm", norm, np.int64, n), _checked("area", area, np.int64, n),
        _checked("flags", flags, np.int8, n), volume, used, cap, source, outcome, status)
    return CommonArrays(volume, used, cap, source, outcome, status, int(failed))
