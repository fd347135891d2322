"""Allocation of one payment over open charge lines (ПП 354 п. 118, ГК РФ ст. 319.1)."""

from __future__ import annotations

from collections.abc import Sequence

from zhkh.kernel.allocation.model import (
    Allocation,
    AllocationLine,
    AllocationPolicy,
    BetweenPeriods,
    Kind,
    OpenLine,
    Payment,
    TraceStep,
)
from zhkh.kernel.allocation.split import split_largest_remainder
from zhkh.kernel.money import format_rub_ru
from zhkh.kernel.period import Period


def allocate_between_periods(
    amount: int,
    open_by_period: Sequence[tuple[Period, int]],
    designated: Period | None,
    mode: BetweenPeriods,
) -> tuple[list[tuple[Period, int, bool]], int]:
    """Send ``amount`` to periods: the designated one first (mode ``by_payment_period``), then
    the oldest open periods; returns ``[(period, kopecks, was_designated)]`` and the surplus.

    Guarantees: no period receives more than its open amount; paid parts + surplus = amount.
    """
    if amount < 0:
        raise ValueError(f"сумма оплаты не может быть отрицательной: {amount}")
    left = {p: a for p, a in open_by_period if a > 0}
    if any(a < 0 for _, a in open_by_period):
        raise ValueError("открытая задолженность периода не может быть отрицательной")
    moves: list[tuple[Period, int, bool]] = []
    if mode == "by_payment_period" and designated is not None and designated in left:
        x = min(amount, left[designated])
        if x:
            moves.append((designated, x, True))
            left[designated] -= x
            amount -= x
    for period in sorted(left):
        if amount == 0:
            break
        x = min(amount, left[period])
        if x:
            moves.append((period, x, False))
            amount -= x
    return moves, amount


def allocate(
    payment: Payment, open_lines: Sequence[OpenLine], policy: AllocationPolicy
) -> Allocation:
    """Split one payment over open lines (document order within a period is the input order).

    Between periods by ``policy.between_periods``; within a period in proportion to the open
    lines (largest remainder); penalties are a separate pool reached after all principal
    (``after_principal``) or only when the payment is designated for penalties. The surplus is
    the advance. Guarantees: sum of lines + advance = payment; no line is paid beyond its amount.
    """
    if any(line.amount < 0 for line in open_lines):
        raise ValueError("открытая сумма строки не может быть отрицательной")
    pools: list[Kind] = ["principal"]
    if payment.to_penalties:
        pools = ["penalty", "principal"]
    elif policy.penalties == "after_principal":
        pools = ["principal", "penalty"]
    left = payment.amount
    lines: list[AllocationLine] = []
    trace: list[TraceStep] = []
    for kind in pools:
        left = _allocate_pool(left, payment.period, kind, open_lines, policy, lines, trace)
    if left:
        trace.append(TraceStep(policy.rule_id, left, f"{format_rub_ru(left)} — переплата, "
                                                      "учтена как аванс"))
    return Allocation(tuple(lines), left, tuple(trace))


def _allocate_pool(
    amount: int,
    designated: Period | None,
    kind: Kind,
    open_lines: Sequence[OpenLine],
    policy: AllocationPolicy,
    out: list[AllocationLine],
    trace: list[TraceStep],
) -> int:
    by_period: dict[Period, list[OpenLine]] = {}
    for line in open_lines:
        if line.kind == kind:
            by_period.setdefault(line.period, []).append(line)
    totals = [(p, sum(x.amount for x in ls)) for p, ls in by_period.items()]
    moves, rest = allocate_between_periods(amount, totals, designated, policy.between_periods)
    what = "пени" if kind == "penalty" else "начисления"
    for period, x, was_designated in moves:
        why = "указанный плательщиком период" if was_designated else "самый ранний долг"
        trace.append(TraceStep(policy.rule_id, x,
                               f"{format_rub_ru(x)} — в {what} за {period}: {why}"))
        period_lines = by_period[period]
        parts = split_largest_remainder(x, [ln.amount for ln in period_lines], policy.tie_break)
        for line, part in zip(period_lines, parts, strict=True):
            if part:
                out.append(AllocationLine(period, line.key, kind, part))
        if len(period_lines) > 1:
            shares = ", ".join(f"{ln.key} {format_rub_ru(p)}"
                               for ln, p in zip(period_lines, parts, strict=True))
            trace.append(TraceStep(policy.rule_id, x, f"за {period} пропорционально строкам ЕПД "
                                   f"(метод наибольших остатков): {shares}"))
    return rest
