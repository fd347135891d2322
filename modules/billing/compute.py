"""Situations → charge lines, per house, with per-account errors kept as values.

A house is calculated in one call of the kernel. When that call refuses (a
``CalculationError`` names one account), every account of the house is calculated on its own
so the others still get their lines and each failing account gets its own error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.result import HouseTotal, Line
from zhkh.kernel.calc.situation import HouseResource, Situation
from zhkh.kernel.engine import Engine
from zhkh.kernel.money import to_kopecks, to_micro
from zhkh.kernel.rulebook import Rulebook
from zhkh.modules.billing.common import CommonServices, individual_of_lines
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
    houses: list[tuple[int, HouseTotal]] = field(default_factory=list)
    """The houses' common-property figures (house id, totals) of the month."""


class BatchCalculator:
    """Batches of stored facts → charge lines, with one rulebook and its engine (the engine
    caches decisions per signature). The stateless ``POST /v1/calculate`` has its own
    ``calculation.service.Calculator``; the composition root gives both the same engine."""

    def __init__(self, rulebook: Rulebook, engine: Engine | None = None):
        self.rulebook = rulebook
        self.engine = engine if engine is not None else engine_for(rulebook)
        self.common = CommonServices.of(rulebook)

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
                result = calculate(situation, self.rulebook, self.engine)
                lines, houses = result.lines, result.houses
            except CalculationError:
                lines, houses = self._one_by_one(situation, facts, out)
            out.lines += [(facts.account_ids[line.account], line) for line in lines]
            out.houses += [(int(situation.house.id), h) for h in houses]
        return out

    def _one_by_one(self, situation: Situation, facts: BatchFacts, out: Computed
                    ) -> tuple[list[Line], list[HouseTotal]]:
        """Each account alone; then the house's common property over the volumes of the
        accounts that were calculated (a failed account's volume is unknown: counted as 0)."""
        lines: list[Line] = []
        codes = self.common.codes
        common = [a for a in situation.accounts if any(s.service in codes for s in a.services)]
        for account in situation.accounts:
            single = _alone(situation, account.number, drop=codes)
            if not single.accounts[0].services:
                continue
            try:
                lines += calculate(single, self.rulebook, self.engine).lines
            except CalculationError as exc:
                self._failed(out, facts, account.number, exc)
        if not common:
            return lines, []
        volumes = individual_of_lines(((0, ln) for ln in lines), {0: 0}, self.common)
        house = situation.house.model_copy(update={"resources": _with_other(
            situation.house.resources, {r: v for (_h, r), v in volumes.items()})})
        only = situation.model_copy(update={"house": house, "absences": [], "benefits": [],
                                            "incidents": [], "balance": None, "accounts": [
            a.model_copy(update={"services": [s for s in a.services if s.service in codes]})
            for a in common]})
        try:
            result = calculate(only, self.rulebook, self.engine)
        except CalculationError as exc:
            for account in common:
                self._failed(out, facts, account.number, exc)
            return lines, []
        return lines + result.lines, result.houses

    @staticmethod
    def _failed(out: Computed, facts: BatchFacts, number: str, exc: CalculationError) -> None:
        account_id = facts.account_ids[number]
        out.errors.append(FactError(account_id, exc.service or None, exc.code, str(exc)))
        out.failed_accounts.add(account_id)

    def service_title(self, code: str) -> str:
        """The Russian title of a service (its code when the catalogue lacks it)."""
        spec = self.rulebook.services.get(code)
        return spec.title if spec is not None else code


def _with_other(resources: list[HouseResource], volumes: dict[str, int]
                ) -> list[HouseResource]:
    """The house's resources with ``volumes`` (1e-6) added to the volume outside."""
    known = {r.service: r for r in resources}
    for service in volumes:
        known.setdefault(service, HouseResource(service=service))
    return [r.model_copy(update={"other_volume": r.other_volume + Decimal(
        volumes.get(s, 0)).scaleb(-6)}) for s, r in known.items()]


def _alone(situation: Situation, number: str, drop: frozenset[str] = frozenset()
           ) -> Situation:
    """The situation of one of its accounts (without its services ``drop``): the absences,
    benefits and premises incidents of the other accounts left out (the calculation refuses
    items naming an absent account)."""
    incidents = []
    for inc in situation.incidents:
        if inc.scope == "house":
            incidents.append(inc)
        elif number in inc.accounts:
            incidents.append(inc.model_copy(update={"accounts": [number]}))
    return situation.model_copy(update={
        "accounts": [a.model_copy(update={"services": [
            s for s in a.services if s.service not in drop]})
            for a in situation.accounts if a.number == number],
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
