"""Proportional split by the largest-remainder method (parts always sum to the total)."""

from __future__ import annotations

from collections.abc import Sequence

from zhkh.kernel.allocation.model import TieBreak


def split_largest_remainder(
    amount: int, weights: Sequence[int], tie_break: TieBreak = "document_order"
) -> list[int]:
    """Split ``amount`` kopecks in proportion to ``weights`` (kopecks, ≥ 0).

    Guarantees: the parts sum to ``amount``; each part is ⌊exact share⌋ or ⌊exact share⌋ + 1,
    so it is within one kopeck of the exact share; when ``amount ≤ sum(weights)`` no part
    exceeds its weight. The leftover kopecks go to the largest remainders; ties go to the
    earlier weight (``document_order``) or to the larger weight, then the earlier one
    (``largest_line``).
    """
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("сумма и доли распределения не могут быть отрицательными")
    total = sum(weights)
    if total == 0:
        if amount:
            raise ValueError("нечего распределять пропорционально: все доли нулевые")
        return [0] * len(weights)
    parts = [amount * w // total for w in weights]
    rest = amount - sum(parts)
    remainders = [amount * w % total for w in weights]
    if tie_break == "largest_line":
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    else:
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:rest]:
        parts[i] += 1
    return parts
