"""Temporary absence (ПП РФ №354, п. 86–98): which charges are recalculated and on what terms.

```yaml
absence:
  - id: absence.water_by_norm
    title: Перерасчёт за временное отсутствие — вода, газ, электроэнергия по нормативу
    source: "ПП РФ №354, п. 86, 90–92; п. 86 в ред. ПП РФ №1498 (с 01.01.2017)"
    when: {service: [cold_water, hot_water, gas, electricity], meter: absent}
    methods: [norm]
    min_full_days: {2011-09-01: "5"}
    exclude_travel_days: true
    no_meter_act_from: 2017-01-01
    documents_required: true
```

- ``methods`` — methods of the charge lines that are recalculated (``norm``; ``derived`` for a
  service whose volume is the sum of other services, e.g. wastewater: it is recalculated by the
  volume recalculated in its sources);
- ``min_full_days`` — the absence must last **more than** this many full days;
- ``exclude_travel_days`` — true: the day of departure and the day of return are not counted
  (п. 90, REFERENCE 1.6 [M]); false: both are counted;
- ``no_meter_act_from`` — from this date the premises must have an act that a meter cannot be
  installed (fact ``meter_installable: false``; ПП №1498); null: no such condition (ТКО);
- ``documents_required`` — recalculation only when supporting documents are provided (п. 92);
- ``amount`` — how the kopecks are found: ``charged_share`` (default: the absent person's daily
  share of the charged, already rounded line, so recalculations never exceed what was charged)
  or ``formula`` (REFERENCE 1.6: norm volume × days away / days in the month × tariff ×
  coefficient, rounded once). The two readings can differ by a kopeck.

For one service the matching rule with the highest ``priority`` applies; a tie is an error.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.conditions import Op
from zhkh.kernel.rulebook.fields import Bool, DatedDecimal, Issue
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "absence"
LIST_KEY = "absence"


class Rule(RuleBase):
    """Recalculation of the services named in ``when`` for days a resident was away."""

    EXCLUSIVE = False

    methods: tuple[Literal["norm", "derived", "fixed", "area"], ...]
    min_full_days: DatedDecimal
    exclude_travel_days: Bool = True
    no_meter_act_from: date | None = None
    documents_required: Bool = True
    amount: Literal["formula", "charged_share"] = "charged_share"

    def act_required(self, day: date) -> bool:
        """Whether on ``day`` an act «no technical possibility to install a meter» is required."""
        return self.no_meter_act_from is not None and day >= self.no_meter_act_from

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks; the rule must name its services; ``derived`` only for derived ones."""
        issues = super().check(services)
        named = [t for t in self.when if t.attr == "service" and t.op in (Op.EQ, Op.IN)]
        if not named:
            issues.append((("when", "service"), "правило перерасчёта должно назвать услуги: "
                                                "when: {service: [...]}"))
        if not self.methods:
            issues.append((("methods",), "укажите способы расчёта, строки которых "
                                         "пересчитываются (например [norm])"))
        return issues
