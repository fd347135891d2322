"""Norms of consumption (нормативы): volume per person, per m² or per m³, as dated decimals.

```yaml
norms:
  - id: cold_water.norm.full
    title: ХВС, полное благоустройство
    source: "Постановление … (иллюстративно)"
    service: cold_water
    when: {amenities: full}
    unit: м³/чел·мес
    values: {2017-06-01: "4.9"}
```

Values are entered as published: up to nine decimals (``"0.020612345"``), never rounded; a norm
taken as a factor (area × norm, hot water's heat per m³) keeps them all in the kernel.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.fields import Issue, Name, Text, Values
from zhkh.kernel.rulebook.kinds.tariffs import check_target
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "norms"
LIST_KEY = "norms"
PLACES = 9
"""Most decimals of a norm: published norms have up to nine, and every one of them is kept."""


class Rule(RuleBase):
    """A norm for ``service`` (and ``component`` when the service has components)."""

    TARGET_FIELDS: ClassVar[tuple[str, ...]] = ("service", "component")

    service: Name
    component: Name | None = None
    unit: Text
    values: Values

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks, component presence; values as published: at most nine decimals
        (:data:`PLACES`, never rounded away) and below 10⁶."""
        issues = [*super().check(services), *check_target(self, services, zones=False)]
        for day, value in self.values.steps:
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -PLACES and value != value.quantize(
                    Decimal(1).scaleb(-PLACES)):
                issues.append((("values", day.isoformat()),
                               f"норматив {value}: больше {PLACES} знаков после запятой — "
                               "внесите его так, как он опубликован (до 9 знаков)"))
            elif value and value.adjusted() >= 6:
                issues.append((("values", day.isoformat()),
                               f"норматив {value} вне допустимого диапазона (меньше 1 000 000)"))
        return issues
