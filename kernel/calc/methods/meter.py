"""``meter``: the volume by the meter's readings, current − previous, per zone (ПП РФ №354,
прил. 2, ф. 1); a counter that passed its capacity reads ``capacity − previous + current``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zhkh.kernel.calc.methods.base import (
    UNKNOWN,
    A,
    B,
    C,
    Constants,
    Inputs,
    Method,
    Pattern,
    Refusal,
    Rows,
)
from zhkh.kernel.charges import METER


class Meter(Method):
    name = "meter"
    kernel = METER
    reads_meter = True
    per_meter = True
    refusal = Refusal("readings_missing", "для расчёта по прибору {meter} нет показаний за период")

    def inputs(self, rows: Rows) -> Inputs:
        prev, cur = rows["prev"], rows["cur"]
        return Inputs(prev, cur, rows["capacity"], refused=(prev == UNKNOWN) | (cur == UNKNOWN))

    def variants(self, columns: Sequence[np.ndarray], rows: np.ndarray) -> np.ndarray:
        """1 where the counter passed zero (the current reading is below the previous one)."""
        passed: np.ndarray = columns[B][rows] < columns[A][rows]
        return passed.astype(np.int64)

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        if variant:
            return [("const", "("), ("num", C), ("const", " − "), ("num", A), ("const", " + "),
                    ("num", B), ("const", f") {unit} (переход через ноль)")]
        return [("const", "("), ("num", B), ("const", " − "), ("num", A), ("const", f") {unit}")]
