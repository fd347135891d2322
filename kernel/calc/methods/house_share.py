"""``house_share``: the house meter's volume shared by area, volume × premises area / area of
all premises (ПП РФ №354, прил. 2, ф. 3)."""

from __future__ import annotations

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
from zhkh.kernel.charges import SHARE


class HouseShare(Method):
    name = "house_share"
    kernel = SHARE
    refusal = Refusal("house_data_missing",
                      "для расчёта по общедомовому прибору нужны объём за период "
                      "(house.heating_volume) и площадь всех помещений дома (house.total_area)")

    def inputs(self, rows: Rows) -> Inputs:
        volume, total = rows["house_volume"], rows["house_total"]
        return Inputs(volume, rows["area"], total, refused=(volume == UNKNOWN) | (total == 0))

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        return [("num", A), ("const", f" {unit} × "), ("num", B), ("const", " м² / "),
                ("num", C), ("const", " м²")]
