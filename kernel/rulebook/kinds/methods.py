"""Methods of calculation: which formula gives the volume of a service for a fact.

```yaml
methods:
  - id: cold_water.by_meter
    title: ХВС по показаниям ИПУ
    source: "ПП РФ №354, прил. 2, ф. 1"
    when: {service: cold_water, meter: working, readings: present}
    then: {method: meter}
```

``then.method`` and its parameters:

| method | volume | parameters |
|---|---|---|
| ``meter`` | current − previous reading (per zone) | — |
| ``average`` | monthly average of past readings (п. 59) | ``min_months``, ``history_months``, |
| | | ``max_periods`` |
| ``norm`` | residents × norm (ф. 4) | ``coefficient`` (ф. 4(1): 1.5) |
| ``area`` | premises area (tariff per m²) | ``coefficient`` |
| ``area_norm`` | area × norm per m² (heating, ф. 2); | ``coefficient``, |
| | × months of the season / 12 (ф. 2(1)) | ``season_coefficient``, |
| | once a year corrected by the house meter (ф. 3(2)) | ``annual_correction`` |
| ``house_share`` | house meter volume × area / total area (ф. 3) | — |
| ``fixed`` | ``quantity`` per account (1 by default) | ``quantity`` |
| ``shared_meter`` | communal flat's meter × room's residents (area) / flat's | ``split`` |
| ``common_property`` | house volume for common needs × area / total area | ``cap``, ``negative``, |
| | (СОИ, п. 44: house meter − Σ individual, ≤ norm × common area) | ``house_volume``, |
| | | ``history_months`` |

``common_property`` settings (REFERENCE §1.4, the [D] points as named readings):
``cap: decision`` — capped at the norm × common area × share unless the house's dated decision
of the general meeting lifts it (``always``: capped whatever the decision, ``none``: never);
``negative: zero`` — a negative difference gives 0 for the month (``redistribute``: kept
negative, reducing the premises' charges, the reading before 2017); ``house_volume: average``
— a house meter without a reading for the month: the average of its last ``history_months``
months (п. 59(1)), then the norm × common area (``norm``: straight to the norm).

A coefficient multiplies the amount, not the volume; it is ``"1.5"`` or dated
``{2017-01-01: "1.5"}``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhkh.kernel.rulebook.base import RuleBase, named_values
from zhkh.kernel.rulebook.conditions import Op
from zhkh.kernel.rulebook.dated import DatedValues
from zhkh.kernel.rulebook.fields import DatedDecimal, Int, Issue, issue
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "methods"
LIST_KEY = "methods"

PositiveInt = Annotated[Int, Field(ge=1)]


class _Then(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Meter(_Then):
    method: Literal["meter"]


class Average(_Then):
    """Average monthly volume over up to ``history_months`` months of history (at least
    ``min_months``), for at most ``max_periods`` periods in a row."""

    method: Literal["average"]
    min_months: PositiveInt
    history_months: PositiveInt
    max_periods: PositiveInt

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.min_months > self.history_months:
            raise issue([(("min_months",), "min_months не может быть больше history_months")])
        return self


class Norm(_Then):
    method: Literal["norm"]
    coefficient: DatedDecimal | None = None


class Area(_Then):
    method: Literal["area"]
    coefficient: DatedDecimal | None = None


class AnnualCorrection(_Then):
    """Once a year, in ``month`` of the year after (ПП РФ №354, п. 42(1): in the first
    quarter), the heating of the previous year is corrected by the house meter (ф. 3(2))."""

    month: Annotated[Int, Field(ge=1, le=12)]


class AreaNorm(_Then):
    """Area × norm; ``season_coefficient: true`` — the norm as published per month of the
    heating season × (months of the season in the year / 12), ф. 2(1), from the calendar of
    ``facts/`` (``heating_season``); ``annual_correction: {month: 1}`` — a recalculation line
    for the previous year by the house meter (ф. 3(2)) in that month."""

    method: Literal["area_norm"]
    coefficient: DatedDecimal | None = None
    season_coefficient: bool = False
    annual_correction: AnnualCorrection | None = None


class HouseShare(_Then):
    method: Literal["house_share"]


class CommonProperty(_Then):
    """The house's volume for common needs shared by area (ПП РФ №354, п. 44; ЖК ст. 156
    ч. 9.2): settings of the [D] points, see the module docstring."""

    method: Literal["common_property"]
    cap: Literal["decision", "always", "none"] = "decision"
    negative: Literal["zero", "redistribute"] = "zero"
    house_volume: Literal["average", "norm"] = "average"
    history_months: PositiveInt = 6
    coefficient: DatedDecimal | None = None


class SharedMeterThen(_Then):
    """A communal flat's shared meter split among its rooms: ``split: persons`` — by the
    residents registered on the period's last day, by area when nobody is registered in the
    flat; ``split: area`` — always by area."""

    method: Literal["shared_meter"]
    split: Literal["persons", "area"] = "persons"
    coefficient: DatedDecimal | None = None


class Fixed(_Then):
    """``quantity`` units per account and period (e.g. one month of an intercom fee)."""

    method: Literal["fixed"]
    quantity: DatedDecimal = DatedValues.constant(Decimal(1))


Then = Annotated[Meter | Average | Norm | Area | AreaNorm | HouseShare | Fixed
                 | CommonProperty | SharedMeterThen,
                 Field(discriminator="method")]


class Rule(RuleBase):
    """Which method computes the volume of the services named in ``when.service``."""

    then: Then

    @property
    def method(self) -> str:
        return self.then.method

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks; a service must be named, not derived; average limits match ``when``."""
        issues = super().check(services)
        named = named_values(self.when, "service")
        if not any(t.attr == "service" and t.op in (Op.EQ, Op.IN) for t in self.when):
            issues.append((("when", "service"), "правило способа расчёта должно назвать услугу: "
                                                "when: {service: …}"))
        for name in named:
            if name in services and services[name].derived_from:
                sources = ", ".join(services[name].derived_from)
                issues.append((("when", "service"), f"объём услуги {name} равен сумме объёмов "
                               f"{sources} (derived_from); правило способа расчёта для неё не "
                               "нужно — удалите его"))
        if isinstance(self.then, Average):
            issues.extend(self._average_limits(self.then))
        return issues

    def _average_limits(self, then: Average) -> list[Issue]:
        issues: list[Issue] = []
        for test in self.when:
            if test.attr == "months_without_readings" and test.op in (Op.LTE, Op.LT):
                limit = test.value if test.op is Op.LTE else test.value - 1  # type: ignore[operator]
                if limit != then.max_periods:
                    issues.append((("when", "months_without_readings"),
                                   f"условие допускает {limit} периодов подряд, а "
                                   f"then.max_periods = {then.max_periods}: согласуйте"))
            if test.attr == "history_months" and test.op is Op.GTE and (
                    test.value != then.min_months):
                issues.append((("when", "history_months"),
                               f"условие требует {test.value} мес. истории, а "
                               f"then.min_months = {then.min_months}: согласуйте"))
        return issues
