"""Quality reductions (ПП РФ №354, прил. 1): permitted deviations and the reduction beyond them.

```yaml
quality:
  - id: quality.hot_water.interruption
    title: ГВС — перерыв сверх допустимого
    source: "ПП РФ №354, прил. 1, п. 4"
    incident: interruption
    when: {service: hot_water}
    allowed_hours_month: {2011-09-01: "8"}
    allowed_hours_once: {2011-09-01: "4"}
    percent: {2011-09-01: "0.15"}
```

The reduction is a percentage of the month's fee for the service (прил. 2), by ``incident``:

| incident | units the ``percent`` is multiplied by |
|---|---|
| ``interruption`` | hours beyond ``allowed_hours_month`` (see ``excess``) / ``per_hours`` |
| ``tko_delay`` | the same, with ``per_hours: 24`` (3.3 % per 24 h of delay beyond the limit) |
| ``temperature`` | Σ hours × steps of ``step_degrees`` beyond ``allowed_deviation`` |
| ``pressure`` | hours with a deviation ≤ ``threshold_percent``; above it see ``above_threshold`` |
| ``unsafe`` | none: the fee of every day touched is removed |

Settings for the points REFERENCE 1.7 marks [M]/[D]: ``degree_steps`` (a partial step of
degrees: ``floor`` not counted, ``ceil`` counted whole, ``exact`` proportionally), ``time_steps``
(the same for hours / 24-hour blocks), ``excess`` (``total``: hours beyond the monthly total;
``total_or_single``: the larger of that and the sum of each interruption's hours beyond
``allowed_hours_once``), ``above_threshold`` (``remove_days`` or ``per_hour``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.conditions import Op
from zhkh.kernel.rulebook.dated import DatedValues
from zhkh.kernel.rulebook.fields import DatedDecimal, Int, Issue, issue
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "quality"
LIST_KEY = "quality"

INCIDENTS = ("interruption", "temperature", "pressure", "tko_delay", "unsafe")
ZERO = DatedValues.constant(Decimal(0))
Rounding = Literal["floor", "ceil", "exact"]


class Rule(RuleBase):
    """How an incident of kind ``incident`` on the services named in ``when`` reduces the fee."""

    EXCLUSIVE = False

    incident: Literal["interruption", "temperature", "pressure", "tko_delay", "unsafe"]
    percent: DatedDecimal = ZERO
    per_hours: Annotated[Int, Field(ge=1)] = 1
    time_steps: Rounding = "exact"
    allowed_hours_month: DatedDecimal = ZERO
    allowed_hours_once: DatedDecimal | None = None
    excess: Literal["total", "total_or_single"] = "total"
    step_degrees: DatedDecimal | None = None
    degree_steps: Rounding = "floor"
    allowed_deviation: DatedDecimal = ZERO
    threshold_percent: DatedDecimal | None = None
    above_threshold: Literal["remove_days", "per_hour"] = "remove_days"

    @model_validator(mode="after")
    def _shape(self) -> Self:
        issues: list[Issue] = []
        if self.incident == "temperature" and self.step_degrees is None:
            issues.append((("step_degrees",), "для incident: temperature нужен step_degrees "
                                              "(шаг отклонения в °C: 1 для отопления, 3 для ГВС)"))
        if self.incident == "pressure" and self.threshold_percent is None:
            issues.append((("threshold_percent",), "для incident: pressure нужен "
                                                   "threshold_percent (граница отклонения, %)"))
        if self.excess == "total_or_single" and self.allowed_hours_once is None:
            issues.append((("allowed_hours_once",), "excess: total_or_single требует "
                                                    "allowed_hours_once"))
        if self.incident != "unsafe" and not any(v > 0 for _, v in self.percent.steps):
            issues.append((("percent",), "укажите percent — снижение платы, % за единицу"))
        if self.step_degrees is not None and any(v <= 0 for _, v in self.step_degrees.steps):
            issues.append((("step_degrees",), "шаг в градусах должен быть больше нуля"))
        if issues:
            raise issue(issues)
        return self

    @staticmethod
    def at(values: DatedValues | None, day: date) -> Decimal:
        """A dated setting on ``day``; 0 when absent or before its first date."""
        value = values.at(day) if values is not None else None
        return Decimal(0) if value is None else value

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks; the rule must name its services in ``when.service``."""
        issues = super().check(services)
        if not any(t.attr == "service" and t.op in (Op.EQ, Op.IN) for t in self.when):
            issues.append((("when", "service"), "правило снижения платы должно назвать услуги: "
                                                "when: {service: ...}"))
        return issues
