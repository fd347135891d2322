"""The kernel against its twin on the rows a calculation really runs.

:func:`watching_twin` runs every call of the charge kernel made by the calculation path a second
time through the pure-Decimal twin (``zhkh.kernel.reference.compute``) and records each row
where volume, amount, excess base or status differ. It replaces the kernel entry of
``zhkh.kernel.calc.rows`` for the duration of the ``with`` block: a diagnostic for one thread
(the regression run), never used by the API or the monthly run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from zhkh.kernel import reference
from zhkh.kernel.calc import rows
from zhkh.kernel.charges import IMPLEMENTATION, ChargeArrays, compute_arrays


@contextmanager
def watching_twin() -> Iterator[list[str]]:
    """A list that collects, for every kernel call inside the block, the rows where the
    compiled kernel and the twin disagree (Russian descriptions); empty when they agree."""
    mismatches: list[str] = []

    def both(*args: np.ndarray, d_fden: np.ndarray | None = None) -> ChargeArrays:
        if len(args) > 10:  # the denominators of the factors, given by position
            args, d_fden = args[:10], args[10]
        dec, a, b, c, s_num, s_den, method, factor, price, coef = args
        got = compute_arrays(dec, a, b, c, s_num, s_den, method, factor, price, coef, d_fden)
        if IMPLEMENTATION == "reference":
            return got
        fden = d_fden
        n = dec.shape[0]
        volume, amount, plain = (np.zeros(n, np.int64) for _ in range(3))
        status = np.zeros(n, np.int8)
        twin: tuple[np.ndarray, ...] = (volume, amount, plain, status)
        reference.compute(dec, a, b, c, s_num, s_den, method, factor, price, coef,
                          volume, amount, plain, status,
                          None if fden is None else np.ascontiguousarray(fden, dtype=np.int64))
        for name, mine, its in zip(("объём", "сумма", "база", "статус"),
                                   (got.volume, got.amount, got.plain, got.status), twin,
                                   strict=True):
            bad = np.flatnonzero(mine != its)
            if len(bad):
                i = int(bad[0])
                mismatches.append(f"{name} строки {i}: ядро {int(mine[i])}, "
                                  f"двойник {int(its[i])}")
        return got

    original = rows.__dict__["compute_arrays"]
    setattr(rows, "compute_arrays", both)  # noqa: B010 - the module's kernel entry, see above
    try:
        yield mismatches
    finally:
        setattr(rows, "compute_arrays", original)  # noqa: B010
