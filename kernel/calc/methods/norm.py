"""``norm``: residents × the norm per person (ПП РФ №354, прил. 2, ф. 4), cut where the number
of residents changes inside the month."""

from __future__ import annotations

from decimal import Decimal

from zhkh.kernel.calc.methods.base import (
    PERSONS,
    Constants,
    Inputs,
    Method,
    Pattern,
    Rows,
    Rules,
    ValueAt,
    norm_factor,
)
from zhkh.kernel.charges import QUANTITY
from zhkh.kernel.money import format_decimal_ru


class Norm(Method):
    name = "norm"
    kernel = QUANTITY
    by_persons = True
    volume_norm = True

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        assert rules.norm is not None  # volume_norm: the planner decided it
        norm, den = norm_factor(value, rules.norm.values, rules.norm.id)
        return Constants(norm=norm, norm_den=den)

    def inputs(self, rows: Rows) -> Inputs:
        zeros = rows.zeros()
        return Inputs(rows["persons"] * rows["norm"], zeros, zeros)

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        norm = format_decimal_ru(Decimal(t.norm_text))
        return [("int", PERSONS), ("const", f" чел × {norm} {unit}")]
