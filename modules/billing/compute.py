"""Situations → charge lines, per house, with per-account errors kept as values.

A house is calculated in one call of the kernel. When that call refuses (a
``CalculationError`` names one account), every account of the house is calculated on its own
so the others still get their lines and each failing account gets its own error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.engine import Engine
from zhkh.kernel.money import to_kopecks, to_micro
from zhkh.kernel.rulebook import Rulebook
from zhkh.modules.billing.facts import BatchFacts, FactError
from zhkh.modules.billing.repository import LedgerRow


@dataclass(slots=True)
class Computed:
    """Lines of a batch (with their account ids) and the errors met."""

    lines: list[tuple[int, Line]] = field(default_factory=list)
    errors: list[FactError] = field(default_factory=list)
    failed_accounts: set[int] = field(default_factory=set)
    columnar: list[tuple[str, Any, Any]] = field(default_factory=list)
    """Lines of the columnar path as (service, account ids, kopecks) arrays, for the report."""


class BatchCalculator:
    """Batches of stored facts → charge lines, with one rulebook and its engine (the engine
    caches decisions per signature). The stateless ``POST /v1/calculate`` has its own
    ``calculation.service.Calculator``; the composition root gives both the same engine."""

    def __init__(self, rulebook: Rulebook, engine: Engine | None = None):
        self.rulebook = rulebook
        self.engine = engine if engine is not None else engine_for(rulebook)

    @property
    def version(self) -> str:
        return self.rulebook.version

    def compute(self, facts: BatchFacts) -> Computed:
        """Lines of every situation of ``facts``; fact errors and calculation errors are
        returned as values, one per failing account."""
        out = Computed(errors=list(facts.errors))
        out.failed_accounts = {e.account_id for e in facts.errors}
        for situation in facts.situations:
            try:
                lines = calculate(situation, self.rulebook, self.engine).lines
            except CalculationError:
                lines = self._one_by_one(situation, facts, out)
            out.lines += [(facts.account_ids[line.account], line) for line in lines]
        return out

    def _one_by_one(self, situation: Situation, facts: BatchFacts, out: Computed) -> list[Line]:
        lines: list[Line] = []
        for account in situation.accounts:
            single = _alone(situation, account.number)
            try:
                lines += calculate(single, self.rulebook, self.engine).lines
            except CalculationError as exc:
                account_id = facts.account_ids[account.number]
                out.errors.append(FactError(account_id, exc.service or None, exc.code,
                                            str(exc)))
                out.failed_accounts.add(account_id)
        return lines

    def service_title(self, code: str) -> str:
        """The Russian title of a service (its code when the catalogue lacks it)."""
        spec = self.rulebook.services.get(code)
        return spec.title if spec is not None else code


def _alone(situation: Situation, number: str) -> Situation:
    """The situation of one of its accounts: the absences, benefits and premises incidents of
    the other accounts left out (the calculation refuses items naming an absent account)."""
    incidents = []
    for inc in situation.incidents:
        if inc.scope == "house":
            incidents.append(inc)
        elif number in inc.accounts:
            incidents.append(inc.model_copy(update={"accounts": [number]}))
    return situation.model_copy(update={
        "accounts": [a for a in situation.accounts if a.number == number],
        "absences": [a for a in situation.absences if a.account == number],
        "benefits": [b for b in situation.benefits if b.account == number],
        "incidents": incidents})


def explain_with_rules(line: Line) -> str:
    """The line's formula with the ids of the rules it applied (stored in the ledger)."""
    return f"{line.explain} [правила: {', '.join(line.rule_ids)}]"


def ledger_rows(lines: Iterable[tuple[int, Line]], provider_ids: dict[str, int], *,
                period_booked: str, version: str, run_id: str) -> Iterator[LedgerRow]:
    """Computed lines as ledger rows (kopecks and 1e-6 integers), booked in their own month
    with their kind: charges, the month's own recalculations (a temporary absence), benefits
    and quality reductions."""
    for account_id, line in lines:
        yield LedgerRow(
            account_id=account_id, service=line.service, component=line.component,
            zone=line.zone, provider_id=provider_ids[line.provider], period_for=line.period,
            period_booked=period_booked, kind=line.kind, method=line.method,
            volume_micro=to_micro(line.volume), tariff_micro=to_micro(line.tariff),
            amount_kopecks=to_kopecks(line.amount), rulebook_version=version,
            explain=explain_with_rules(line), run_id=run_id)
