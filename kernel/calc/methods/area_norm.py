"""``area_norm``: the premises area × the norm per m² (heating, ПП РФ №354, прил. 2, ф. 2) —
the ``area`` method with the norm as the factor that turns the area into the volume. With
``season_coefficient`` in the method rule (ф. 2(1), paid evenly over the year) the norm, as
published per month of the heating season, is taken × months of the season / 12."""

from __future__ import annotations

from zhkh.kernel.calc.methods.area import Area
from zhkh.kernel.calc.methods.base import Constants, Rules, ValueAt, norm_factor


class AreaNorm(Area):
    name = "area_norm"
    volume_norm = True
    plain = False

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        assert rules.norm is not None  # volume_norm: the planner decided it
        factor, den = norm_factor(value, rules.norm.values, rules.norm.id)
        season = rules.decision.season_months if rules.decision is not None else 0
        return Constants(factor=factor, factor_den=den, factor_unit=rules.norm.unit,
                         season_months=season)
