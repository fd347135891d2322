"""Ask the engine which method, tariff and norm rules apply to a signature.

A tariff or norm fact carries the target it is asked for (``component``, ``zone``), so one
engine call answers "which tariff of hot water's heat component applies to this fact".
"""

from __future__ import annotations

from dataclasses import dataclass

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.signature import Signature, describe
from zhkh.kernel.engine import AmbiguousRuleError, Engine, NoRuleError
from zhkh.kernel.rulebook import MethodRule, NormRule, RuleBase, Rulebook, TariffRule
from zhkh.kernel.rulebook.conditions import Condition
from zhkh.kernel.rulebook.dated import DatedValues

ENGINE_KINDS = ("methods", "tariffs", "norms", "benefits", "quality", "absence")
ONE = DatedValues.parse({"1900-01-01": "1"})


def engine_for(rulebook: Rulebook) -> Engine:
    """One engine (one durable-rules host) for this rulebook version.

    Rules are matched on ``rule.condition``: their ``when`` plus the target fields
    (service, component, zone) of tariffs and norms.
    """
    kinds = {
        kind: [_EngineRule(r.id, r.priority, r.condition) for r in rulebook.rules(kind)]
        for kind in ENGINE_KINDS
        if kind in rulebook.kinds()
    }
    return Engine(kinds, rulebook.version)


@dataclass(frozen=True, slots=True)
class _EngineRule:
    id: str
    priority: int
    when: Condition


@dataclass(frozen=True, slots=True)
class MethodDecision:
    """The method rule that applies, with its parameters."""

    rule: MethodRule
    method: str
    coefficient: DatedValues
    history_months: int | None
    quantity: DatedValues | None = None
    season_months: int = 0
    """Months of the heating season in the period's year when the rule takes the norm
    «× months / 12» (``season_coefficient``, ф. 2(1)); 0 — it does not."""
    correction_month: int = 0
    """The month of the year in which the previous year is corrected by the house meter
    (``annual_correction``, ф. 3(2)); 0 — never."""


class Decider:
    """Decisions for the facts of one calculation; errors name the account and the service."""

    def __init__(self, rulebook: Rulebook, engine: Engine):
        self.rulebook = rulebook
        self.engine = engine

    def method(self, sig: Signature, account: str) -> MethodDecision:
        """The method rule that applies to ``sig`` and its parameters."""
        rule = self._decide("methods", sig, account)
        assert isinstance(rule, MethodRule)
        then = rule.then
        return MethodDecision(
            rule,
            then.method,
            getattr(then, "coefficient", None) or ONE,
            getattr(then, "history_months", None),
            getattr(then, "quantity", None),
            _season_months(rule, sig, account) if getattr(then, "season_coefficient", False)
            else 0,
            _correction_month(then),
        )

    def tariff(self, sig: Signature, component: str | None, zone: str | None,
               account: str) -> TariffRule:
        """The tariff of ``component`` (and ``zone``) that applies to ``sig``."""
        rule = self._decide("tariffs", _with(sig, component, zone), account)
        assert isinstance(rule, TariffRule)
        return rule

    def norm(self, sig: Signature, component: str | None, account: str) -> NormRule:
        """The norm of ``component`` that applies to ``sig``."""
        rule = self._decide("norms", _with(sig, component, None), account)
        assert isinstance(rule, NormRule)
        return rule

    def _decide(self, kind: str, fact: Signature, account: str) -> RuleBase:
        try:
            rule_id = self.engine.decide(kind, fact)
        except NoRuleError:
            raise CalculationError(
                "no_rule",
                f"ни одно правило вида «{kind}» не подходит к ситуации: {describe(fact)}",
                account=account, service=str(fact.get("service")), signature=dict(fact),
            ) from None
        except AmbiguousRuleError as exc:
            raise CalculationError(
                "ambiguous_rule",
                f"к ситуации подходят сразу несколько правил вида «{kind}» с одинаковым "
                f"приоритетом: {', '.join(exc.rule_ids)}; ситуация: {describe(fact)}",
                account=account, service=str(fact.get("service")), signature=dict(fact),
            ) from None
        return self.rulebook.by_id(rule_id)


def _correction_month(then: object) -> int:
    correction = getattr(then, "annual_correction", None)
    return 0 if correction is None else int(correction.month)


def _season_months(rule: MethodRule, sig: Signature, account: str) -> int:
    """Months of the heating season the signature carries (the calendar of ``facts/``); an
    error naming the rule when the rules give the house no calendar."""
    months = sig.get("heating_season_months")
    if not isinstance(months, int) or isinstance(months, bool) or months <= 0:
        raise CalculationError(
            "no_heating_season",
            f"правило {rule.id} берёт норматив × (месяцы отопительного периода / 12), но для "
            f"дома нет календаря отопительного периода: добавьте в facts/ правило с разделом "
            f"heating_season; ситуация: {describe(sig)}",
            account=account, service=str(sig.get("service")), signature=dict(sig))
    return months


def _with(sig: Signature, component: str | None, zone: str | None) -> Signature:
    fact = dict(sig)
    if component is not None:
        fact["component"] = component
    if zone is not None:
        fact["zone"] = zone
    return fact
