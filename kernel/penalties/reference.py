"""Day-by-day Decimal twin of the penalty calculation: the specification (REFERENCE §2.2).

For each debt period the payments split the debt into parts: the part paid by each payment
(outstanding until the payment date) and the unpaid rest (outstanding until the calculation
date). Every calendar day after the due date adds, for each part still outstanding,
``part × rate % / 100 × 1/denominator``; the exact sum is rounded half up once per period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from zhkh.kernel.allocation import Payment, allocate_between_periods
from zhkh.kernel.penalties.explain import explain_line
from zhkh.kernel.penalties.model import Debt, PenaltyLine, Term
from zhkh.kernel.penalties.policy import PenaltyPolicy
from zhkh.kernel.period import Period

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Part:
    amount: int
    last_day: date  # last accrual day of this part
    paid_on: date | None  # None: still unpaid at the calculation date


def compute_penalties_reference(
    debts: Sequence[Debt], payments: Sequence[Payment], calc_date: date, policy: PenaltyPolicy
) -> list[PenaltyLine]:
    """Penalties per debt period, in period order; the specification the fast path must equal."""
    _validate(debts, payments)
    parts = split_into_parts(debts, payments, calc_date, policy)
    lines = []
    for debt in sorted(debts, key=lambda d: d.period):
        due = debt.due_date or policy.due_date(debt.period)
        lines.append(_one_debt(debt, due, parts[debt.period], calc_date, policy))
    return lines


def split_into_parts(
    debts: Sequence[Debt], payments: Sequence[Payment], calc_date: date, policy: PenaltyPolicy
) -> dict[Period, list[_Part]]:
    """Apply payments (by date, stable; those after ``calc_date`` ignored) to debt periods
    with the between-period allocation, and cut each debt into paid parts and the unpaid rest."""
    left = {d.period: d.amount for d in debts}
    parts: dict[Period, list[_Part]] = {d.period: [] for d in debts}
    shift = timedelta(0) if policy.payment_day_accrues else _ONE_DAY
    dated = [(p.date, p) for p in payments if p.date is not None]  # _validate refused undated
    for day, pay in sorted((d for d in dated if d[0] <= calc_date), key=lambda d: d[0]):
        open_now = sorted((p, a) for p, a in left.items() if a > 0)
        moves, _advance = allocate_between_periods(
            pay.amount, open_now, pay.period, policy.allocation_mode
        )
        for period, x, _ in moves:
            left[period] -= x
            parts[period].append(_Part(x, day - shift, day))
    for period, rest in left.items():
        if rest > 0:
            parts[period].append(_Part(rest, calc_date, None))
    return parts


def _one_debt(
    debt: Debt, due: date, parts: list[_Part], calc_date: date, policy: PenaltyPolicy
) -> PenaltyLine:
    parts = [p for p in parts if p.amount > 0]
    arisen = policy.arisen(debt.period, due)
    moratoria = [m for m in policy.moratoria if m.applies(arisen)]
    acc: dict[int, Decimal] = {}
    tier_days = {den: 0 for den in policy.denominators}
    terms: dict[tuple[int, int, Decimal], int] = {}
    grace = mor = 0
    last = max((p.last_day for p in parts), default=due)
    day = due + _ONE_DAY
    while day <= last:
        n = (day - due).days
        scale = policy.scale_at(day)
        tier = scale.tier(n)
        if tier is None:
            grace += 1
        elif any(m.start <= day <= m.end for m in moratoria):
            mor += 1
        else:
            tier_days[tier.denominator] += 1
            for i, part in enumerate(parts):
                if part.last_day >= day:
                    rate = policy.effective_rate(_rate_date(part, day, calc_date, policy), day)
                    den = tier.denominator
                    acc[den] = acc.get(den, Decimal(0)) + part.amount * rate
                    key = (i, tier.denominator, rate)
                    terms[key] = terms.get(key, 0) + 1
        day += _ONE_DAY
    penalty = _round_once(acc, policy.common_denominator)
    term_list = tuple(
        Term(parts[i].amount, days, den, rate) for (i, den, rate), days in terms.items()
    )
    return PenaltyLine(
        period=debt.period,
        due_date=due,
        debt=debt.amount,
        penalty=penalty,
        grace_days=grace,
        tier_days=tuple(tier_days.items()),
        moratorium_days=mor,
        rates=tuple(sorted({t.rate for t in term_list})),
        terms=term_list,
        explain=explain_line(debt.period, term_list, penalty, mor, policy.source),
        source=policy.source,
    )


def _rate_date(part: _Part, day: date, calc_date: date, policy: PenaltyPolicy) -> date:
    mode = policy.rate_for_paid if part.paid_on is not None else policy.rate_for_unpaid
    if mode == "payment_date":
        return part.paid_on  # type: ignore[return-value]
    return calc_date if mode == "calculation_date" else day


def _round_once(acc: dict[int, Decimal], common: int) -> int:
    """Σ (kopecks × percent / denominator) / 100 as one exact division, half up to a kopeck."""
    with localcontext() as ctx:
        ctx.prec = 80
        numerator = sum((v * (common // den) for den, v in acc.items()), Decimal(0))
        exact = numerator / (common * 100)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _validate(debts: Sequence[Debt], payments: Sequence[Payment]) -> None:
    seen: set[Period] = set()
    for d in debts:
        if d.period in seen:
            raise ValueError(f"период {d.period} указан в долгах дважды")
        if d.amount < 0:
            raise ValueError(f"долг за {d.period} отрицательный: {d.amount}")
        seen.add(d.period)
    for p in payments:
        if p.date is None or p.amount < 0:
            raise ValueError(f"оплате нужна дата и неотрицательная сумма: {p!r}")
