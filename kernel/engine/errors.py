"""Errors of the rule engine; messages are for operators (Russian) and name the signature.

Callers (the calculation) know the account and the service of a signature; they add them with
:meth:`EngineError.add_context` and the message picks them up, so it is built lazily in ``__str__``.
"""

from __future__ import annotations

from collections.abc import Mapping

Scalar = str | int | bool

_CONTEXT_LABELS = {"account": "лицевой счёт", "service": "услуга", "period": "период"}


def format_signature(fact: Mapping[str, Scalar]) -> str:
    """``service=cold_water, meter=absent, zones=2`` in the fact's order; booleans true/false."""
    if not fact:
        return "(пустая сигнатура)"
    return ", ".join(f"{attr}={_format_value(value)}" for attr, value in fact.items())


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class EngineError(Exception):
    """Base of the engine's errors; ``context`` holds what a caller added (account, service…)."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self._message = message
        self.context: dict[str, str] = {}

    def add_context(self, **context: object) -> EngineError:
        """Attach ``account=…``, ``service=…`` (any key) to the message; returns self."""
        self.context.update({key: str(value) for key, value in context.items()})
        return self

    def _base_message(self) -> str:
        return self._message

    def __str__(self) -> str:
        message = self._base_message()
        if self.context:
            parts = ", ".join(
                f"{_CONTEXT_LABELS.get(key, key)} {value}" for key, value in self.context.items()
            )
            message = f"{message}; {parts}"
        return message


class RulesetLimitError(EngineError):
    """Generated rulesets would exceed a durable-rules limit (they would hang or fail later)."""


class _SignatureError(EngineError):
    def __init__(self, kind: str, fact: Mapping[str, Scalar], target: str = ""):
        super().__init__()
        self.kind = kind
        self.fact = dict(fact)
        self.target = target

    @property
    def signature(self) -> str:
        return format_signature(self.fact)

    def _where(self) -> str:
        target = f" (цель: {self.target})" if self.target else ""
        return f"вид правил «{self.kind}»{target}, сигнатура: {self.signature}"


class NoRuleError(_SignatureError):
    """No rule of ``kind`` matches ``fact``."""

    def _base_message(self) -> str:
        return f"Ни одно правило не подходит: {self._where()}"


class AmbiguousRuleError(_SignatureError):
    """Several rules of ``kind`` match ``fact`` with the same, highest priority."""

    def __init__(
        self,
        kind: str,
        fact: Mapping[str, Scalar],
        rule_ids: tuple[str, ...],
        priority: int = 0,
        target: str = "",
    ):
        super().__init__(kind, fact, target)
        self.rule_ids = tuple(rule_ids)
        self.priority = priority

    def _base_message(self) -> str:
        ids = ", ".join(self.rule_ids)
        return (
            f"Неоднозначно: правила {ids} подходят с одинаковым приоритетом {self.priority} "
            f"({self._where()}); разведите их условиями when: или приоритетом"
        )
