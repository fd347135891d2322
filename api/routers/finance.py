"""``POST /v1/penalties`` and ``POST /v1/allocate``: stateless penalties and payment allocation
with the published rulebook (permission ``calculate:run``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from zhkh.api.auth import allow
from zhkh.api.deps import CalculatorDep
from zhkh.api.errors import DocumentedRoute, Responses
from zhkh.modules.finance import calculators
from zhkh.modules.finance.examples import ALLOCATION_EXAMPLES, PENALTIES_EXAMPLES
from zhkh.modules.finance.schemas import (
    AllocationRequest,
    AllocationResponse,
    PenaltiesRequest,
    PenaltiesResponse,
)

router = APIRouter(prefix="/v1", tags=["finance"], dependencies=[allow("calculate", "run")],
                   route_class=DocumentedRoute)

_REFUSALS: Responses = {
    422: {"description": "Неверные данные (поле в fields) или расчёт, не покрытый "
                         "правилами (code: penalty_rules, allocation_rules, too_large)"}}


@router.post("/penalties", response_model=PenaltiesResponse, responses=_REFUSALS,
             summary="Рассчитать пени за просрочку оплаты ЖКУ (ЖК РФ ст. 155 ч. 14)")
def penalties(
    calculator: CalculatorDep,
    request: Annotated[PenaltiesRequest, Body(openapi_examples=PENALTIES_EXAMPLES)],
) -> PenaltiesResponse:
    """Penalty of every debt period on ``calc_date``: days per tier, rates, explain, totals."""
    return calculators.penalties(request, calculator.rulebook)


@router.post("/allocate", response_model=AllocationResponse, responses=_REFUSALS,
             summary="Распределить оплату по строкам ЕПД (ПП 354 п. 118)")
def allocate(
    calculator: CalculatorDep,
    request: Annotated[AllocationRequest, Body(openapi_examples=ALLOCATION_EXAMPLES)],
) -> AllocationResponse:
    """Paid parts per line, the advance, what stays open and the trace of the rule."""
    return calculators.allocate(request, calculator.rulebook)
