"""Signature attributes the rulebook derives (``rules/facts/``) before signatures are built.

A situation may state ``house.heating_season``, ``house.heating_season_months`` and a
service's ``meter_access_refusals`` itself (the stateless API, the methodologists' examples).
Left out (None), they are derived here from the rulebook the calculation runs with: the
heating-season calendar for the period and the house (in season; months of the season in the
period's year), and the count of the dated refusal acts (``access_refusals``) that the rule
says count. The monthly run always leaves them to the rules, so a draft rulebook (``rules
diff``) or a recalculation with the rules as known now uses its own calendar and counting.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.situation import Account, Situation
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook
from zhkh.kernel.rulebook.kinds.facts import AccessRefusals, HeatingSeason, Rule, winner


def season_calendar(rulebook: Rulebook, *, house_type: str, heat_meter: bool,
                    heating_payment: str) -> HeatingSeason | None:
    """The heating-season calendar of such a house; None when no rule gives one."""
    fact = {"house_type": house_type, "house_heat_meter": heat_meter,
            "heating_payment": heating_payment}
    rule = _winner(rulebook, "heating_season", fact)
    return None if rule is None else rule.heating_season  # a winner has its section


def heating_season(rulebook: Rulebook, period: Period, *, house_type: str, heat_meter: bool,
                   heating_payment: str) -> bool | None:
    """Whether ``period`` is in the heating season of such a house; None when no rule gives
    a calendar (the attribute is then left out of the signature)."""
    season = season_calendar(rulebook, house_type=house_type, heat_meter=heat_meter,
                             heating_payment=heating_payment)
    return None if season is None else season.in_season(period)


def heating_season_months(rulebook: Rulebook, period: Period, *, house_type: str,
                          heat_meter: bool, heating_payment: str) -> int | None:
    """Months of the heating season (partial ones included) in the calendar year of
    ``period`` for such a house — the ф. 2(1) coefficient is this / 12; None when no rule
    gives a calendar."""
    season = season_calendar(rulebook, house_type=house_type, heat_meter=heat_meter,
                             heating_payment=heating_payment)
    return None if season is None else season.months_in_year(period.year)


def access_refusals(rulebook: Rulebook, period: Period, service: str,
                    acts: list[date]) -> int:
    """How many of the refusal ``acts`` count for ``period`` (every act before the period
    when no rule covers the service: the section's defaults)."""
    if not acts:
        return 0
    rule = _winner(rulebook, "meter_access_refusals", {"service": service})
    counting = rule.meter_access_refusals if rule is not None else None
    return (AccessRefusals() if counting is None else counting).count(acts, period)


def with_derived_facts(situation: Situation, rulebook: Rulebook) -> Situation:
    """The situation with the attributes it left out filled from the rulebook (the same
    object when it left none out)."""
    period = situation.period_value
    house = situation.house
    update: dict[str, Any] = {}
    if house.heating_season is None or house.heating_season_months is None:
        calendar = season_calendar(rulebook, house_type=house.house_type,
                                   heat_meter=house.heat_meter,
                                   heating_payment=house.heating_payment)
        derived: dict[str, Any] = {}
        if calendar is not None and house.heating_season is None:
            derived["heating_season"] = calendar.in_season(period)
        if calendar is not None and house.heating_season_months is None:
            derived["heating_season_months"] = calendar.months_in_year(period.year)
        if derived:
            update["house"] = house.model_copy(update=derived)
    accounts = [_with_refusals(a, rulebook, period) for a in situation.accounts]
    if any(new is not old for new, old in zip(accounts, situation.accounts, strict=True)):
        update["accounts"] = accounts
    return situation.model_copy(update=update) if update else situation


def _with_refusals(account: Account, rulebook: Rulebook, period: Period) -> Account:
    services = [
        s.model_copy(update={"meter_access_refusals": access_refusals(
            rulebook, period, s.service, list(s.access_refusals))})
        if s.meter_access_refusals is None and s.access_refusals else s
        for s in account.services]
    if all(new is old for new, old in zip(services, account.services, strict=True)):
        return account
    return account.model_copy(update={"services": services})


def _winner(rulebook: Rulebook, section: str, fact: dict[str, Any]) -> Rule | None:
    try:
        return winner(rulebook.rules("facts"), section, fact)
    except ValueError as exc:  # only a rulebook built in code can tie: the loader refuses it
        raise CalculationError("ambiguous_rule", str(exc)) from None


__all__ = ["access_refusals", "heating_season", "heating_season_months", "season_calendar",
           "with_derived_facts"]
