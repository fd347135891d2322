"""Reading checks (plausibility): which readings are held for review instead of being billed.

```yaml
checks:
  - id: checks.water
    title: Проверки показаний воды
    source: "ПП РФ №354, п. 31 «е(1)», п. 59, 61; прочтение методолога"
    when: {service: [cold_water, hot_water]}
    rollover_share: {2017-01-01: "0.05"}
    average_factor: {2017-01-01: "5"}
    average_min_months: 3
    max_per_resident: {2017-01-01: "30"}
```

A reading that fails a check does not reach the calculation: it waits in the review queue
until an operator confirms it (then it is stored and the account recalculated) or rejects it;
meanwhile the month is billed as if no reading came, by the method rules (the average of
п. 59 «б», then the norm). The checks, each named by its code in the operator's error:

- ``reading_decrease`` — the reading is lower than the previous one and is not a plausible
  rollover: that needs the meter's capacity, the previous reading within its last
  ``rollover_share`` (e.g. 5 %) and the new one within its first ``rollover_share``;
- ``volume_above_average`` — the volume since the previous reading is above
  ``average_factor`` × the monthly average (п. 59 history, at least ``average_min_months``
  months of it) × the months it covers; ``null``: not checked;
- ``volume_above_maximum`` — the volume is above ``max_per_resident`` × residents (at least
  one) × the months it covers — a physical maximum; ``null``: not checked;
- ``reading_in_future`` — taken after today (``future: false`` turns it off);
- ``reading_after_verification`` — taken after the meter's verification end
  (``after_verification: false`` turns it off);
- ``reading_removed_meter`` — taken after the meter was removed (``removed_meter: false``).

Settings are dated (the value in force on the day the reading was taken). ``when`` names the
services only. For one service the matching rule with the highest ``priority`` applies; a
service no rule names is not checked.
"""

from __future__ import annotations

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.conditions import Op
from zhkh.kernel.rulebook.fields import Bool, DatedDecimal, Int, Issue
from zhkh.kernel.rulebook.services import ServiceCatalogue

KIND = "checks"
LIST_KEY = "checks"


class Rule(RuleBase):
    """The plausibility checks of the readings of the services named in ``when``."""

    rollover_share: DatedDecimal
    average_factor: DatedDecimal | None = None
    average_min_months: Int = 3
    max_per_resident: DatedDecimal | None = None
    future: Bool = True
    after_verification: Bool = True
    removed_meter: Bool = True

    def services(self) -> tuple[str, ...]:
        """The services the rule names in ``when``."""
        found: list[str] = []
        for test in self.when:
            if test.attr == "service" and test.op is Op.EQ:
                found.append(str(test.value))
            elif test.attr == "service" and test.op is Op.IN and isinstance(test.value, tuple):
                found.extend(str(v) for v in test.value)
        return tuple(found)

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Base checks; ``when`` must name the services, and nothing else."""
        issues = super().check(services)
        if not self.services():
            issues.append((("when", "service"), "правило проверок должно назвать услуги: "
                                                "when: {service: [...]}"))
        for test in self.when:
            if test.attr != "service":
                issues.append((("when", test.attr), "в правиле проверок when называет только "
                                                    "услуги (service)"))
        if self.average_min_months < 1:
            issues.append((("average_min_months",), "нужно целое число месяцев не меньше 1"))
        return issues
