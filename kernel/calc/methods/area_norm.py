"""``area_norm``: the premises area × the norm per m² (heating, ПП РФ №354, прил. 2, ф. 2) —
the ``area`` method with the norm as the factor that turns the area into the volume."""

from __future__ import annotations

from zhkh.kernel.calc.methods.area import Area
from zhkh.kernel.calc.methods.base import Constants, Rules, ValueAt


class AreaNorm(Area):
    name = "area_norm"
    volume_norm = True
    plain = False

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        assert rules.norm is not None  # volume_norm: the planner decided it
        return Constants(factor=value(rules.norm.values, "норматив", rules.norm.id),
                         factor_unit=rules.norm.unit)
