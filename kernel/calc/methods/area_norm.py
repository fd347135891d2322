"""``area_norm``: the premises area × the norm per m² (heating, ПП РФ №354, прил. 2, ф. 2)."""

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


class AreaNorm(Method):
    name = "area_norm"
    kernel = QUANTITY
    volume_norm = True

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        assert rules.norm is not None  # volume_norm: the planner decided it
        return Constants(factor=value(rules.norm.values, "норматив", rules.norm.id),
                         factor_unit=rules.norm.unit)

    def inputs(self, rows: Rows) -> Inputs:
        zeros = rows.zeros()
        return Inputs(rows["area"], zeros, zeros)

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        return [("num", A), ("const", " м²")]
