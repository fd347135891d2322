"""``area``: the premises area is the quantity (a tariff per m², e.g. maintenance)."""

from __future__ import annotations

from zhkh.kernel.calc.methods.base import A, Constants, Inputs, Method, Pattern, Rows
from zhkh.kernel.charges import QUANTITY


class Area(Method):
    name = "area"
    kernel = QUANTITY
    plain = True

    def inputs(self, rows: Rows) -> Inputs:
        zeros = rows.zeros()
        return Inputs(rows["area"], zeros, zeros)

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        return [("num", A), ("const", " м²")]
