"""``GET /v1/rules``: published rules with values in force at a date; one rule's history."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from zhkh.api.deps import CalculatorDep
from zhkh.api.errors import DocumentedRoute

router = APIRouter(prefix="/v1/rules", tags=["rules"], route_class=DocumentedRoute)

DateQuery = Annotated[
    date | None, Query(alias="date", description="Дата, на которую показать значения")
]
KindQuery = Annotated[str | None, Query(description="Вид правил: tariffs, norms, methods…")]


@router.get("", summary="Правила и значения, действующие на дату")
def list_rules(
    calculator: CalculatorDep, on: DateQuery = None, kind: KindQuery = None
) -> dict[str, Any]:
    """All rules (optionally of one kind) with the value in force on the date (default today)."""
    day = on or date.today()
    rules = calculator.rules_at(day)
    if kind:
        rules = [r for r in rules if r["kind"] == kind]
    return {"date": day.isoformat(), "rulebook_version": calculator.rulebook.version,
            "rules": rules}


@router.get("/{rule_id}", summary="Правило со всей историей значений")
def get_rule(calculator: CalculatorDep, rule_id: str) -> dict[str, Any]:
    """One rule with all its dated values; 404 with a stable code if there is no such rule."""
    rule = calculator.rule(rule_id)
    if rule is None:
        raise HTTPException(
            status_code=404,
            detail={"code": "rule_not_found", "message": f"Правило {rule_id} не найдено"},
        )
    return {"rulebook_version": calculator.rulebook.version, "rule": rule}
