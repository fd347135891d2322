"""Calculate situations with the published rulebook (or inline overrides of it).

One ``Calculator`` per process, built by the composition root from the loaded rulebook: it
keeps one engine per rulebook version (the published one and, on demand, versions with inline
overrides), and is the single code path behind ``POST /v1/calculate`` and ``zhkh calculate``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import CalculationResult
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.engine import Engine
from zhkh.kernel.rulebook import Rulebook, RulebookError, rulebook_from_overrides
from zhkh.modules.calculation.catalog import rule_history, rules_at

_MAX_OVERRIDE_ENGINES = 8


class Calculator:
    """The published rulebook and its engines; thread-safe."""

    def __init__(self, rulebook: Rulebook, engine: Engine | None = None):
        self.rulebook = rulebook
        self._engine = engine if engine is not None else engine_for(rulebook)
        self._override_engines: OrderedDict[str, tuple[Rulebook, Engine]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The engine of the published rulebook (shared with the monthly run of this process)."""
        return self._engine

    def calculate(self, situation: Situation) -> CalculationResult:
        """Lines, totals and explain for the situation; raises CalculationError for bad facts."""
        rulebook, engine = self._for_overrides(situation)
        return calculate(situation, rulebook, engine)

    def calculate_json(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Validate a JSON situation and return the JSON result (the CLI's and API's shape)."""
        situation = Situation.model_validate(payload)
        return self.calculate(situation).model_dump(mode="json")

    def rules_at(self, day: date) -> list[dict[str, Any]]:
        """Every rule with the value in force on ``day`` (for ``GET /v1/rules``)."""
        return rules_at(self.rulebook, day)

    def rule(self, rule_id: str) -> dict[str, Any] | None:
        """One rule with its whole history, or None."""
        return rule_history(self.rulebook, rule_id)

    def _for_overrides(self, situation: Situation) -> tuple[Rulebook, Engine]:
        o = situation.overrides
        if not o.tariffs and not o.norms:
            return self.rulebook, self._engine
        try:
            rulebook = rulebook_from_overrides(self.rulebook, dict(o.tariffs), dict(o.norms))
        except RulebookError as exc:
            raise CalculationError(
                "bad_override",
                "переопределение значений не принято: "
                + "; ".join(p.message for p in exc.problems),
            ) from None
        with self._lock:
            if rulebook.version in self._override_engines:
                self._override_engines.move_to_end(rulebook.version)
                return self._override_engines[rulebook.version]
            pair = (rulebook, engine_for(rulebook))
            self._override_engines[rulebook.version] = pair
            while len(self._override_engines) > _MAX_OVERRIDE_ENGINES:
                _, (_, old) = self._override_engines.popitem(last=False)
                old.close()
            return pair

