"""Benefits (льготы): a discount of a category of persons on some services, on a basis.

```yaml
benefits:
  - id: benefit.veteran_combat.housing
    title: Ветераны боевых действий — содержание в пределах социальной нормы площади
    source: "ФЗ №5-ФЗ «О ветеранах», ст. 16; ПП РФ №541 (стандарт площади)"
    category: veteran_combat
    level: federal
    basis: area_within_social_norm
    when: {service: [maintenance, capital_repair, heating]}
    percent: {2005-01-01: "50"}
    social_norm:
      - {persons: 1, total: {2005-08-29: "33"}}
      - {persons: 2, total: {2005-08-29: "42"}}
      - {persons: 3, per_person: {2005-08-29: "18"}}
```

``basis``:

| basis | the holder's part of a charge line |
|---|---|
| ``area_within_social_norm`` | min(S, standard for n persons) / n of the area S (REFERENCE 4) |
| ``consumption_within_norm`` | 1/n of the volume, but not more than the norm per person |
| ``person_share`` | 1/n of the charge |

Several rules may share a category (one per group of services); for one person × service the
rule of the person's category with the highest ``priority`` applies, a tie is an error. Rules
are therefore not exclusive across categories (``EXCLUSIVE = False``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.conditions import Op
from zhkh.kernel.rulebook.fields import DatedDecimal, Int, Issue, Name, Values, issue
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "benefits"
LIST_KEY = "benefits"

HUNDRED = Decimal(100)


class SocialNormStep(BaseModel):
    """Area standard for households of ``persons`` or more: a ``total`` or ``per_person`` m²."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    persons: Annotated[Int, Field(ge=1)]
    total: DatedDecimal | None = None
    per_person: DatedDecimal | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.total is None) == (self.per_person is None):
            raise issue([((), "укажите ровно одно: total (м² на семью) или per_person "
                              "(м² на человека)")])
        return self

    def area(self, persons: int, day: date) -> Decimal | None:
        """The household standard in m² for ``persons`` on ``day`` (None before the first date)."""
        if self.total is not None:
            return self.total.at(day)
        value = self.per_person.at(day)  # type: ignore[union-attr]
        return None if value is None else value * persons


class Rule(RuleBase):
    """A discount of ``percent`` for persons of ``category`` on the services named in ``when``."""

    EXCLUSIVE = False

    category: Name
    level: Literal["federal", "regional"]
    basis: Literal["area_within_social_norm", "consumption_within_norm", "person_share"]
    percent: Values
    social_norm: tuple[SocialNormStep, ...] = ()

    @model_validator(mode="after")
    def _shape(self) -> Self:
        issues: list[Issue] = []
        for day, value in self.percent.steps:
            if value > HUNDRED:
                issues.append((("percent", day.isoformat()), f"скидка {value} % больше 100 %"))
        if self.basis == "area_within_social_norm":
            steps = [s.persons for s in self.social_norm]
            if not steps or steps[0] != 1 or steps != sorted(set(steps)):
                issues.append((("social_norm",), "для basis: area_within_social_norm нужен "
                               "список social_norm по возрастанию persons, начиная с persons: 1"))
        elif self.social_norm:
            issues.append((("social_norm",), f"social_norm нужен только для basis: "
                                              f"area_within_social_norm, а здесь {self.basis}"))
        if issues:
            raise issue(issues)
        return self

    def percent_at(self, day: date) -> Decimal | None:
        """The discount in percent in force on ``day`` (None before its first date)."""
        return self.percent.at(day)

    def social_area(self, persons: int, day: date) -> Decimal | None:
        """The area standard for a household of ``persons`` (the last step with persons ≤ n)."""
        step = next((s for s in reversed(self.social_norm) if s.persons <= persons), None)
        return None if step is None else step.area(persons, day)

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks; the rule must name its services in ``when.service``."""
        issues = super().check(services)
        if not any(t.attr == "service" and t.op in (Op.EQ, Op.IN) for t in self.when):
            issues.append((("when", "service"), "правило льготы должно назвать услуги: "
                                                "when: {service: [...]}"))
        return issues
