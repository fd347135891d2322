"""``average``: the monthly average of the meter's past volumes (ПП РФ №354, п. 59): the sum of
up to ``history_months`` most recent months with a volume, divided by their number."""

from __future__ import annotations

import numpy as np

from zhkh.kernel.calc.methods.base import (
    HISTORY,
    UNKNOWN,
    A,
    B,
    Constants,
    Inputs,
    Method,
    Pattern,
    Refusal,
    Rows,
    Rules,
    ValueAt,
)
from zhkh.kernel.charges import AVERAGE


class Average(Method):
    name = "average"
    kernel = AVERAGE
    reads_meter = True
    refusal = Refusal("no_history",
                      "нет истории показаний прибора {meter} для расчёта по среднему")

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        months = rules.decision.history_months if rules.decision else None
        return Constants(history_take=months or HISTORY)

    def inputs(self, rows: Rows) -> Inputs:
        history = rows["history"]
        known = history != UNKNOWN
        taken = known & (np.cumsum(known, axis=1) <= rows["history_take"][:, None])
        a = np.where(taken, history, 0).sum(axis=1).astype(np.int64)
        b = taken.sum(axis=1).astype(np.int64)
        return Inputs(a, b, rows.zeros(), refused=b == 0)

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        return [("num", A), ("const", f" {unit} / "), ("int", B), ("const", " мес")]
