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
"""

from __future__ import annotations

from typing import ClassVar

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.fields import Issue, Name, Text, Values
from zhkh.kernel.rulebook.kinds.tariffs import check_target
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "norms"
LIST_KEY = "norms"


class Rule(RuleBase):
    """A norm for ``service`` (and ``component`` when the service has components)."""

    TARGET_FIELDS: ClassVar[tuple[str, ...]] = ("service", "component")

    service: Name
    component: Name | None = None
    unit: Text
    values: Values

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks and component presence."""
        return [*super().check(services), *check_target(self, services, zones=False)]
