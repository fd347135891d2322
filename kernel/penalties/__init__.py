"""Penalties for late payment of housing and utilities (ЖК РФ ст. 155 ч. 14).

``compute_penalties`` (one account, with explain) runs the day-by-day Decimal twin, which is
the specification; ``compute_penalties_batch`` (many accounts, columnar) runs the compiled
kernel and equals the twin to the kopeck.
"""

from zhkh.kernel.penalties.fast import (
    PenaltyBatch,
    PenaltyBatchResult,
    compute_penalties_batch,
    month_index,
)
from zhkh.kernel.penalties.model import Debt, PenaltyLine, Term
from zhkh.kernel.penalties.policy import (
    Moratorium,
    PenaltyPolicy,
    PenaltyPolicyError,
    Scale,
    Steps,
    Tier,
)
from zhkh.kernel.penalties.reference import compute_penalties_reference
from zhkh.kernel.penalties.rulebook import policy_from_rulebook, policy_from_rules

compute_penalties = compute_penalties_reference

__all__ = [
    "Debt",
    "Moratorium",
    "PenaltyBatch",
    "PenaltyBatchResult",
    "PenaltyLine",
    "PenaltyPolicy",
    "PenaltyPolicyError",
    "Scale",
    "Steps",
    "Term",
    "Tier",
    "compute_penalties",
    "compute_penalties_batch",
    "compute_penalties_reference",
    "month_index",
    "policy_from_rulebook",
    "policy_from_rules",
]
