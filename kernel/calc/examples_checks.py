"""Methodologists' examples of the reading checks (``rules/tests/*.yaml``): a reading as it
arrives and the checks it must fail, in order (an empty list: it is billed).

```yaml
  - name: 99 999 м³ вместо 119 — выше среднего и выше физического максимума
    reading: {service: cold_water, date: "2026-10-24", value: "99999", today: "2026-10-26",
              previous: {date: "2026-09-24", value: "115"}, history: ["3", "3.1", "2.9"],
              residents: 2, capacity: "100000"}
    expect_checks: [volume_above_average, volume_above_maximum]
```

``reading`` keys: ``service``, ``date``, ``value``, ``today`` (required); ``previous``
(``date``, ``value``), ``capacity``, ``verified_until``, ``removed``, ``history`` (monthly
volumes, most recent first), ``residents`` (absent: a house meter, no maximum per resident).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from zhkh.kernel.calc.reading_checks import ReadingCase, check_reading, rule_for
from zhkh.kernel.rulebook import Rulebook

KEYS = {"service", "date", "value", "today", "previous", "capacity", "verified_until",
        "removed", "history", "residents"}


def check_reading_example(reading: dict[str, Any], expected: list[str], rulebook: Rulebook
                          ) -> list[str]:
    """The differences between the checks the reading fails and ``expected`` (Russian)."""
    unknown = sorted(set(reading) - KEYS)
    if unknown:
        return [f"reading: неизвестные ключи {unknown}; есть: {sorted(KEYS)}"]
    previous = reading.get("previous") or {}
    case = ReadingCase(
        service=reading["service"], taken_on=_day(reading["date"]),
        value=Decimal(str(reading["value"])), today=_day(reading["today"]),
        previous=Decimal(str(previous["value"])) if previous else None,
        previous_on=_day(previous["date"]) if previous else None,
        capacity=_dec(reading.get("capacity")), verified_until=_opt_day(
            reading.get("verified_until")), removed_on=_opt_day(reading.get("removed")),
        history=tuple(Decimal(str(v)) for v in reading.get("history", [])),
        residents=reading.get("residents"))
    found = check_reading(rule_for(rulebook, case.service), case)
    got = [f.code for f in found]
    if got != list(expected):
        detail = "; ".join(f"{f.code}: {f.message}" for f in found) or "ни одна проверка"
        return [f"проверки: ожидались {list(expected)}, сработали {got} ({detail})"]
    return []


def _day(text: str) -> date:
    return date.fromisoformat(str(text))


def _opt_day(text: str | None) -> date | None:
    return None if text is None else _day(text)


def _dec(text: Any) -> Decimal | None:
    return None if text is None else Decimal(str(text))
