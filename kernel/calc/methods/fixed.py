"""``fixed``: a quantity per account and period (1 by default: a monthly fee)."""

from __future__ import annotations

from zhkh.kernel.calc.methods.base import (
    A,
    Constants,
    Inputs,
    Method,
    Pattern,
    Rows,
    Rules,
    ValueAt,
)
from zhkh.kernel.charges import QUANTITY


class Fixed(Method):
    name = "fixed"
    kernel = QUANTITY
    plain = True

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        decision = rules.decision
        if decision is None or decision.quantity is None:
            return Constants()
        return Constants(quantity=value(decision.quantity, "количество", decision.rule.id))

    def inputs(self, rows: Rows) -> Inputs:
        zeros = rows.zeros()
        return Inputs(rows["quantity"], zeros, zeros)

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        return [("num", A), ("const", f" {unit}")]
