"""The methodologist's own invariants, declared in ``rules/tests/invariants/*.yaml``.

Two forms, one per item::

    invariants:
      - id: maintenance.per_m2
        title: Содержание жилья — не дороже 60 ₽ за м² в месяц
        service: maintenance
        max_per_m2: "60"          # начисление по услуге ≤ 60 ₽ × площадь помещения
      - id: cold_water.monotonic
        title: Плата за ХВС не убывает, когда объём по прибору растёт
        service: cold_water
        monotonic_in: volume      # +1 к показаниям периода — плата не меньше

The folder sits under ``tests/`` (ignored by the rule loader, not read by ``rules test`` which
reads only ``tests/*.yaml``). A bad file is a :class:`DeclaredError` naming file, item and field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zhkh.kernel.calc.result import CalculationResult
from zhkh.kernel.calc.types import Dec
from zhkh.kernel.money import to_kopecks
from zhkh.kernel.period import Period
from zhkh.kernel.regress.invariants import Violation
from zhkh.kernel.rulebook.yamlio import load_yaml

FOLDER = Path("tests") / "invariants"


class DeclaredError(ValueError):
    """An invariants file that cannot be read; the message names file, item and field."""


class Declared(BaseModel):
    """One declared invariant: exactly one of ``max_per_m2`` and ``monotonic_in``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    service: str = Field(min_length=1)
    max_per_m2: Dec | None = None
    monotonic_in: Literal["volume"] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.max_per_m2 is None) == (self.monotonic_in is None):
            raise ValueError("укажите ровно одно из: max_per_m2, monotonic_in")
        return self

    @property
    def name(self) -> str:
        """The invariant's name in the report."""
        return f"declared:{self.id}"


def load_declared(rules_dir: Path) -> list[Declared]:
    """Every declared invariant of the rules folder, in file order; [] without the folder."""
    found: list[Declared] = []
    for path in sorted((Path(rules_dir) / FOLDER).glob("*.yaml")):
        rel = path.relative_to(rules_dir).as_posix()
        data, issues = load_yaml(path.read_text(encoding="utf-8"))
        if issues:
            raise DeclaredError(f"{rel}:{issues[0].line}: {issues[0].message}")
        items = data.get("invariants") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise DeclaredError(f"{rel}: ожидается список «invariants:» на верхнем уровне")
        for i, raw in enumerate(items):
            try:
                found.append(Declared.model_validate(_plain(raw)))
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(x) for x in err["loc"]) or "—"
                ident = raw.get("id", i) if isinstance(raw, dict) else i
                raise DeclaredError(f"{rel} [{ident}] {where}: {err['msg']}") from None
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


Recalculate = Callable[[dict[str, Any]], CalculationResult | None]
"""Calculate a situation (JSON) with the same rulebook; None when the rules refuse it."""


def check_declared(items: list[Declared], situation: dict[str, Any], result: CalculationResult,
                   recalculate: Recalculate) -> list[Violation]:
    """Violations of the declared invariants on one situation and its result."""
    found: list[Violation] = []
    for item in items:
        if item.max_per_m2 is not None:
            found += _per_m2(item, item.max_per_m2, situation, result)
        else:
            found += _monotonic(item, situation, result, recalculate)
    return found


def _charged(result: CalculationResult, service: str) -> dict[str, int]:
    sums: dict[str, int] = {}
    for ln in result.lines:
        if ln.service == service and ln.kind == "charge":
            sums[ln.account] = sums.get(ln.account, 0) + to_kopecks(ln.amount)
    return sums


def _per_m2(item: Declared, limit: Decimal, situation: dict[str, Any],
            result: CalculationResult) -> list[Violation]:
    areas = {a["number"]: Decimal(a["area"]) for a in situation["accounts"]}
    found = []
    for account, amount in _charged(result, item.service).items():
        cap = int((limit * areas[account] * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if amount > cap:
            found.append(Violation(item.name, account, item.service,
                                   f"{item.title}: {Decimal(amount) / 100} ₽ > {limit} ₽ × "
                                   f"{areas[account]} м² = {Decimal(cap) / 100} ₽"))
    return found


def _monotonic(item: Declared, situation: dict[str, Any], result: CalculationResult,
               recalculate: Recalculate) -> list[Violation]:
    bumped = copy.deepcopy(situation)
    period = Period.parse(situation["period"])
    touched = False
    for account in bumped["accounts"]:
        for service in account["services"]:
            if service["service"] != item.service:
                continue
            for meter in service.get("meters", []):
                for reading in meter.get("readings", []):
                    if Period.parse(reading["date"][:7]) == period:
                        reading["value"] = str(Decimal(reading["value"]) + 1)
                        touched = True
    if not touched:
        return []
    more = recalculate(bumped)
    if more is None:
        return []
    before, after = _charged(result, item.service), _charged(more, item.service)
    return [Violation(item.name, account, item.service,
                      f"{item.title}: показания +1 — плата {Decimal(after.get(account, 0)) / 100}"
                      f" ₽ меньше прежней {Decimal(amount) / 100} ₽")
            for account, amount in before.items() if after.get(account, 0) < amount]
