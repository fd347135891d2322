"""``common_property``: the house's volume for common needs (СОИ) shared by the premises' area
(ПП РФ №354, п. 44; ЖК РФ ст. 154 ч. 2, ст. 156 ч. 9.2; REFERENCE §1.4).

A second-pass method over a house: the house's volume for common needs V of a resource is
computed once per house by the kernel (``charges.common_arrays``: house meter − Σ individual
volumes of the resource, capped at the norm × common area unless the house's decision lifts
it, a negative difference 0 unless the rule keeps it, п. 59(1) fallbacks), then each premises'
row is the kernel's SHARE: V × area / area of all premises. ``kernel/calc/common.py`` gives
both paths the house figures; the explain names them:
``(412,000 − 398,115) м³ × 54,3 / 3 120,4 м² = …``.
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
    Rules,
    ValueAt,
)
from zhkh.kernel.charges import (
    OUTCOME_CAPPED,
    OUTCOME_ZERO,
    SHARE,
    SOURCE_AVERAGE,
    SOURCE_NORM,
)

VARIANT, HOUSE, INDIVIDUAL, CAP, NORM, COMMON_AREA, MONTHS = (PARTS + i for i in range(7))
"""Explain columns of a row (its ``parts``): the variant (source × 4 + outcome), the house
volume (or its average), Σ individual volumes, the cap, the norm per m², the common area, the
months the average took."""
WIDTH = 7


class CommonProperty(Method):
    name = "common_property"
    kernel = SHARE
    second_pass = True
    volume_norm = True
    refusal = Refusal("house_data_missing",
                      "для расчёта на общее имущество нужна площадь всех помещений дома "
                      "(house.total_area)")

    def constants(self, rules: Rules, value: ValueAt) -> Constants:
        assert rules.norm is not None  # volume_norm: the planner decided it
        return Constants(norm=value(rules.norm.values, "норматив", rules.norm.id))

    def inputs(self, rows: Rows) -> Inputs:
        volume, total = rows["common_volume"], rows["house_total"]
        return Inputs(np.where(volume == UNKNOWN, 0, volume), rows["area"], total,
                      refused=(volume == UNKNOWN) | (total <= 0))

    def variants(self, columns: Sequence[np.ndarray], rows: np.ndarray) -> np.ndarray | None:
        return columns[VARIANT][rows] if len(columns) > VARIANT else None

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        source, outcome = divmod(variant, 4)
        share: Pattern = [("const", f" {unit} × "), ("num", B), ("const", " м² / "),
                          ("num", C), ("const", " м²")]
        if source == SOURCE_NORM:
            return [("const", "("), ("num", NORM), ("const", " × "), ("num", COMMON_AREA),
                    ("const", " м² общего имущества)"), *share]
        house: Pattern = [("num", HOUSE)]
        if source == SOURCE_AVERAGE:
            house = [("const", "среднее ОДПУ за "), ("int", MONTHS), ("const", " мес. "),
                     ("num", HOUSE)]
        difference: Pattern = [*house, ("const", " − "), ("num", INDIVIDUAL)]
        if outcome == OUTCOME_CAPPED:
            return [("const", "min("), *difference, ("const", "; "), ("num", NORM),
                    ("const", " × "), ("num", COMMON_AREA), ("const", " = "), ("num", CAP),
                    ("const", ")"), *share]
        if outcome == OUTCOME_ZERO:
            return [("const", "max("), *difference, ("const", "; 0)"), *share]
        return [("const", "("), *difference, ("const", ")"), *share]
