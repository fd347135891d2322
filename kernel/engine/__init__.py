"""Rule engine: which rules of a kind apply to a signature (durable-rules, a host per version).

Public API: :class:`Engine`, :class:`EngineRule`, :class:`CacheStats` and the errors.
"""

from zhkh.kernel.engine.engine import CacheStats, Engine, EngineRule, freeze
from zhkh.kernel.engine.errors import (
    AmbiguousRuleError,
    EngineError,
    NoRuleError,
    RulesetLimitError,
    format_signature,
)

__all__ = [
    "AmbiguousRuleError",
    "CacheStats",
    "Engine",
    "EngineError",
    "EngineRule",
    "NoRuleError",
    "RulesetLimitError",
    "format_signature",
    "freeze",
]
