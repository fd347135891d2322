"""The second stage of the calculation: benefits, temporary absence and quality reductions.

Public API::

    from zhkh.kernel.calc.extras import ExtrasInput, extra_lines
    extra = extra_lines(situation, charge_lines, ExtrasInput.model_validate(data), rulebook, engine)

Order, so that the net of every account × service stays ≥ 0:

1. absence recalculations (``recalculation``) on the charge lines by norm;
2. quality reductions (``quality_reduction``), a percent of the month's fee, capped at what is
   left of it;
3. benefits (``benefit``) on the charge lines, without the holder's recalculated days, scaled by
   the part of the fee left after quality reductions; the sum is capped at what is left.

Every extra line has a negative amount, the rule id, the clause and a Russian explain.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any

from zhkh.kernel.calc.extras.absence import absence_lines
from zhkh.kernel.calc.extras.benefits import benefit_lines
from zhkh.kernel.calc.extras.context import Context
from zhkh.kernel.calc.extras.models import Absence, BenefitAssignment, ExtrasInput, Incident
from zhkh.kernel.calc.extras.quality import quality_lines
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.money import format_kopecks, to_kopecks

__all__ = ["Absence", "BenefitAssignment", "ExtrasInput", "Incident", "extra_lines"]


def extra_lines(situation: Situation, lines: list[Line], inputs: ExtrasInput, rulebook: Any,
                engine: Any) -> list[Line]:
    """Benefit, recalculation and quality-reduction lines for the charge lines of ``situation``.

    Guarantees: every returned amount is ≤ 0; for each account × service the charges plus all
    returned lines stay ≥ 0; a benefit line never exceeds its percent of its charge line.
    ``engine`` may be None (rules are then matched with ``conditions.matches``). Raises
    CalculationError (code, account, service) for unknown accounts, persons, categories, or an
    incident no quality rule covers.
    """
    ctx = Context(situation, rulebook, engine)
    fees: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        if line.kind == "charge":
            fees[(line.account, line.service)] += to_kopecks(line.amount)
    absence = absence_lines(ctx, lines, inputs.absences)
    taken: dict[tuple[str, str], int] = defaultdict(int)
    for line in absence.lines:
        taken[(line.account, line.service)] -= to_kopecks(line.amount)
    quality = quality_lines(ctx, lines, inputs.incidents, taken)
    reduced: dict[tuple[str, str], int] = defaultdict(int)
    for line in quality:
        reduced[(line.account, line.service)] -= to_kopecks(line.amount)

    def after_quality(account: str, service: str) -> Fraction:
        fee = fees.get((account, service), 0)
        return Fraction(fee - reduced[(account, service)], fee) if fee > 0 else Fraction(1)

    benefits = benefit_lines(ctx, lines, inputs.benefits, absence.days_by_line, after_quality)
    return [*absence.lines, *quality, *_cap(benefits, fees, taken)]


def _cap(benefits: list[Line], fees: dict[tuple[str, str], int],
         taken: dict[tuple[str, str], int]) -> list[Line]:
    """Lower the last benefit lines of a service so that its net does not go below zero."""
    left = {key: max(0, fee - taken.get(key, 0)) for key, fee in fees.items()}
    out: list[Line] = []
    for line in benefits:
        key = (line.account, line.service)
        amount = -to_kopecks(line.amount)
        allowed = min(amount, left.get(key, 0))
        left[key] = left.get(key, 0) - allowed
        if allowed < amount:
            if allowed == 0:
                continue
            line = line.model_copy(update={
                "amount": format_kopecks(-allowed),
                "explain": f"{line.explain}; ограничено остатком платы: {format_kopecks(-allowed)}",
            })
        out.append(line)
    return out

