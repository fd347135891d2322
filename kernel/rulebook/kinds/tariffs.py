"""Tariffs: the price of one unit of a service (component, zone) as dated decimals.

```yaml
tariffs:
  - id: cold_water.vodokanal
    title: ХВС, население
    source: "Приказ РЭК … (иллюстративно)"
    service: cold_water
    unit: руб/м³
    values: {2025-07-01: "52.84", 2026-10-01: "58.07"}
```
"""

from __future__ import annotations

from typing import ClassVar

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.fields import Issue, Name, Text, Values
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "tariffs"
LIST_KEY = "tariffs"


def check_target(rule: RuleBase, services: ServiceCatalogue, *, zones: bool) -> list[Issue]:
    """Component (and zone) named exactly when the service has them."""
    service = services.get(rule.service)  # type: ignore[attr-defined]
    if service is None:
        return []
    issues: list[Issue] = []
    component = rule.component  # type: ignore[attr-defined]
    if service.components and component is None:
        names = ", ".join(c.id for c in service.components)
        issues.append((("component",), f"у услуги {service.id} есть составляющие ({names}): "
                                       "укажите component"))
    elif not service.components and component is not None:
        issues.append((("component",), f"у услуги {service.id} нет составляющих: "
                                       "уберите component"))
    if zones:
        zone = rule.zone  # type: ignore[attr-defined]
        if service.zones and zone is None:
            issues.append((("zone",), f"услуга {service.id} учитывается по зонам "
                                      f"({', '.join(sorted(service.all_zones))}): укажите zone"))
        elif not service.zones and zone is not None:
            issues.append((("zone",), f"у услуги {service.id} нет зон: уберите zone"))
    return issues


class Rule(RuleBase):
    """A tariff for ``service`` (optionally a ``component`` and a ``zone``), in ``unit``."""

    TARGET_FIELDS: ClassVar[tuple[str, ...]] = ("service", "component", "zone")

    service: Name
    component: Name | None = None
    zone: Name | None = None
    unit: Text
    values: Values

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks, component/zone presence, and ``unit`` = ``руб/<unit of the volume>``."""
        issues = super().check(services)
        issues.extend(check_target(self, services, zones=True))
        service = services.get(self.service)
        part = service.component(self.component) if service and self.component else None
        volume_unit = part.unit if part else service.unit if service else None
        if volume_unit and self.unit != f"руб/{volume_unit}":
            issues.append((("unit",), f"единица тарифа {self.unit!r} не соответствует единице "
                                      f"объёма {volume_unit!r}: ожидается 'руб/{volume_unit}'"))
        return issues
