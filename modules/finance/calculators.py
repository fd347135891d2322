"""Penalties and payment allocation for one request: the single code path behind
``POST /v1/penalties``, ``POST /v1/allocate`` and ``zhkh penalties`` / ``zhkh allocate``.

Stateless: the input is the whole situation, the rules come from the rulebook passed in.
Refusals are ``CalculationError`` with a stable code (``penalty_rules``, ``allocation_rules``,
``too_large``); malformed input is a pydantic ``ValidationError`` naming the field path.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from zhkh.kernel.allocation import Allocation, AllocationLine, OpenLine, Payment
from zhkh.kernel.allocation import allocate as allocate_lines
from zhkh.kernel.allocation.rulebook import allocation_policy_from_rulebook
from zhkh.kernel.calc.balance import PENALTY, account_penalties, charged_days, line_rule_ids
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.money import format_kopecks, to_kopecks
from zhkh.kernel.penalties import PenaltyLine, PenaltyPolicy, PenaltyPolicyError
from zhkh.kernel.penalties import policy_from_rulebook as _penalty_policy
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook.model import Rulebook
from zhkh.modules.finance.schemas import (
    AccountAmount,
    AllocatedLine,
    AllocationRequest,
    AllocationResponse,
    PenaltiesRequest,
    PenaltiesResponse,
    PenaltyLineOut,
    PenaltyTerm,
    TierDays,
    TraceStepOut,
)

_PERCENT = Decimal("0.01")


def penalties(request: PenaltiesRequest, rulebook: Rulebook) -> PenaltiesResponse:
    """Penalty of every debt period of every account on ``request.calc_date`` (zero ones too),
    with day counts per tier, rates, terms and explain; totals per account and overall.

    Every amount is exact to the kopeck (rounded half up once per debt period); totals are
    sums of the lines.
    """
    policy = penalty_policy(rulebook)
    computed = account_penalties(request, policy, request.calc_date)
    lines = [_penalty_line(acc, pl, policy, request.calc_date) for acc, pl in computed]
    per_account: dict[str, int] = {}
    for acc, pl in computed:
        per_account[acc] = per_account.get(acc, 0) + pl.penalty
    return PenaltiesResponse(
        calc_date=request.calc_date.isoformat(),
        rulebook_version=rulebook.version,
        lines=lines,
        account_totals=[AccountAmount(account=a, amount=format_kopecks(v))
                        for a, v in per_account.items()],
        total=format_kopecks(sum(per_account.values())),
    )


def allocate(request: AllocationRequest, rulebook: Rulebook) -> AllocationResponse:
    """Allocate one payment over the open lines by the allocation rule (ПП 354 п. 118).

    Guarantees: allocated lines + advance = payment; no line is paid beyond its open amount;
    ``remaining`` lists the open lines with what is still unpaid, in input order.
    """
    try:
        policy = allocation_policy_from_rulebook(rulebook)
    except ValueError as exc:
        raise CalculationError("allocation_rules", f"правила распределения оплаты: {exc}") \
            from None
    pay = request.payment
    payment = Payment(to_kopecks(pay.amount), pay.date,
                      Period.parse(pay.period) if pay.period else None, pay.to_penalties)
    open_lines = [OpenLine(Period.parse(ln.period), ln.key, to_kopecks(ln.amount), ln.kind)
                  for ln in request.open_lines]
    result = allocate_lines(payment, open_lines, policy)
    return AllocationResponse(
        rulebook_version=rulebook.version,
        rule_id=policy.rule_id,
        source=policy.source,
        payment=format_kopecks(payment.amount),
        lines=[_allocated(ln) for ln in result.lines],
        advance=format_kopecks(result.advance),
        remaining=_remaining(open_lines, result),
        trace=[TraceStepOut(rule_id=s.rule_id, amount=format_kopecks(s.amount), text=s.text)
               for s in result.trace],
    )


def penalties_json(payload: Any, rulebook: Rulebook) -> dict[str, Any]:
    """Validate a JSON request and return the JSON response (the shape of the API)."""
    return penalties(PenaltiesRequest.model_validate(payload), rulebook).model_dump(mode="json")


def allocate_json(payload: Any, rulebook: Rulebook) -> dict[str, Any]:
    """Validate a JSON request and return the JSON response (the shape of the API)."""
    request = AllocationRequest.model_validate(payload)
    return allocate(request, rulebook).model_dump(mode="json")


def penalty_policy(rulebook: Rulebook) -> PenaltyPolicy:
    """The penalty policy of the rulebook; its flaws are ``CalculationError`` ``penalty_rules``."""
    try:
        return _penalty_policy(rulebook)
    except (PenaltyPolicyError, ValueError) as exc:
        raise CalculationError("penalty_rules", f"правила пеней: {exc}", service=PENALTY) \
            from None


def _penalty_line(account: str, pl: PenaltyLine, policy: PenaltyPolicy,
                  calc_date: date) -> PenaltyLineOut:
    return PenaltyLineOut(
        account=account,
        period=str(pl.period),
        due_date=pl.due_date.isoformat(),
        debt=format_kopecks(pl.debt),
        penalty=format_kopecks(pl.penalty),
        days_charged=charged_days(pl),
        grace_days=pl.grace_days,
        moratorium_days=pl.moratorium_days,
        tiers=[TierDays(fraction=f"1/{den}", days=days) for den, days in pl.tier_days],
        rates=[_rate(r) for r in pl.rates],
        terms=[PenaltyTerm(amount=format_kopecks(t.amount), days=t.days,
                           fraction=f"1/{t.denominator}", rate=_rate(t.rate)) for t in pl.terms],
        rule_ids=line_rule_ids(policy, pl, calc_date),
        source=pl.source,
        explain=pl.explain,
    )


def _rate(rate: Decimal) -> str:
    return format(rate.quantize(_PERCENT), "f")


def _allocated(line: AllocationLine) -> AllocatedLine:
    return AllocatedLine(period=str(line.period), key=line.key, kind=line.kind,
                         amount=format_kopecks(line.amount))


def _remaining(open_lines: list[OpenLine], result: Allocation) -> list[AllocatedLine]:
    paid: dict[tuple[Period, str, str], int] = {}
    for ln in result.lines:
        key = (ln.period, ln.key, ln.kind)
        paid[key] = paid.get(key, 0) + ln.amount
    out = []
    for line in open_lines:
        rest = line.amount - paid.get((line.period, line.key, line.kind), 0)
        if rest:
            out.append(AllocatedLine(period=str(line.period), key=line.key, kind=line.kind,
                                     amount=format_kopecks(rest)))
    return out
