"""``POST /v1/calculate``: the stateless calculation of a self-contained situation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from zhkh.api.deps import CalculatorDep
from zhkh.api.errors import DocumentedRoute
from zhkh.api.examples import SITUATION_EXAMPLES
from zhkh.kernel.calc.result import CalculationResult
from zhkh.kernel.calc.situation import Situation

router = APIRouter(prefix="/v1", tags=["calculate"], route_class=DocumentedRoute)

SituationBody = Annotated[Situation, Body(openapi_examples=SITUATION_EXAMPLES)]


@router.post(
    "/calculate",
    response_model=CalculationResult,
    summary="Рассчитать начисления по ситуации",
    responses={422: {"description": "Неверные данные или ситуация, не покрытая правилами"}},
)
def calculate(calculator: CalculatorDep, situation: SituationBody) -> CalculationResult:
    """Charge lines per account × service with explain, totals and the rulebook version."""
    return calculator.calculate(situation)
