"""Problems found while loading a rulebook, and the one exception that carries them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong in the rule files.

    ``file`` is relative to the rules folder (``tariffs/cold_water.yaml``); ``line`` is 1-based;
    ``rule_id`` names the rule (or service) at fault; ``field`` is a dotted path inside it
    (``values.2026-01-01``, ``then.coefficient``); ``message`` is Russian and says what is wrong
    and how to fix it.
    """

    file: str
    message: str
    line: int | None = None
    rule_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.rule_id:
            parts.append(f"[{self.rule_id}]")
        text = " ".join(parts)
        if self.field:
            text += f" {self.field}"
        return f"{text}: {self.message}"

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.rule_id or "", self.field or "")


class RulebookError(ValueError):
    """The rule files cannot be used; ``problems`` lists every problem found in one load."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
