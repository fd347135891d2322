"""``shared_meter``: a communal flat's shared meter (общеквартирный прибор учёта), its volume
split among the rooms' accounts — by the residents registered on the period's last day, or by
area when nobody is registered in the flat (``split: persons``), or always by area (``split:
area``); the kernel's SHARE: flat volume × the room's weight / the flat's.

Both paths give a row the flat's readings (``shared_prev``, ``shared_cur``) and the weights
(``shared_weight``, ``shared_total``, ``shared_basis``), which ``kernel/calc/shared.py``
gathers over the rooms in the situation and those outside it. The explain names them:
``(131,789 − 123,456) м³ × 2 чел / 5 чел = …``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zhkh.kernel.calc.methods.base import (
    PARTS,
    UNKNOWN,
    B,
    C,
    Constants,
    Inputs,
    Method,
    Pattern,
    Refusal,
    Rows,
)
from zhkh.kernel.charges import SHARE

BASIS, PREV, CUR = PARTS, PARTS + 1, PARTS + 2
"""Explain columns of a row (its ``parts``): 0 by persons / 1 by area, the flat's readings."""
BY_PERSONS, BY_AREA = 0, 1


class SharedMeter(Method):
    name = "shared_meter"
    kernel = SHARE
    refusal = Refusal("shared_meter_missing",
                      "для расчёта по общеквартирному прибору нужны его показания за период и "
                      "до него, а в комнатах — проживающие или площадь")

    def inputs(self, rows: Rows) -> Inputs:
        prev, cur = rows["shared_prev"], rows["shared_cur"]
        weight, total = rows["shared_weight"], rows["shared_total"]
        bad = (prev == UNKNOWN) | (cur == UNKNOWN) | (total <= 0)
        volume = np.where(bad, 0, cur - np.where(bad, 0, prev))
        return Inputs(volume, weight, np.where(bad, 1, total), refused=bad | (volume < 0))

    def variants(self, columns: Sequence[np.ndarray], rows: np.ndarray) -> np.ndarray | None:
        return columns[BASIS][rows] if len(columns) > BASIS else None

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        flat: Pattern = [("const", "("), ("num", CUR), ("const", " − "), ("num", PREV),
                         ("const", f") {unit} × ")]
        if variant == BY_AREA:
            return [*flat, ("num", B), ("const", " м² / "), ("num", C), ("const", " м²")]
        return [*flat, ("int", B), ("const", " чел / "), ("int", C), ("const", " чел")]
