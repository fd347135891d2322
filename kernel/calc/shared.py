"""The facts of a communal flat's shared meter for the rows of its rooms (``shared_meter``).

Per shared meter of the situation: the residents registered on the period's last day and the
area of the rooms' accounts that have it, plus the rooms outside the situation
(``SharedMeter.other_persons``, ``other_area``); per row: the flat's readings and the room's
weight over the flat's, by persons (area when nobody is registered in the flat) or by area,
as the method rule's ``split`` says.
"""

from __future__ import annotations

from datetime import date

from zhkh.kernel.calc.decide import MethodDecision
from zhkh.kernel.calc.methods.base import UNKNOWN
from zhkh.kernel.calc.methods.shared_meter import BY_AREA, BY_PERSONS
from zhkh.kernel.calc.situation import Account, AccountService, Situation
from zhkh.kernel.money import to_micro
from zhkh.kernel.period import Period

SharedFacts = tuple[int, int, int, int, int]
"""(previous reading, current reading, the room's weight, the flat's, basis), 1e-6 readings."""


def registered_on(account: Account, day: date) -> int:
    """Residents registered in the premises on ``day`` (owners are not counted here)."""
    return sum(1 for r in account.residents if r.start <= day and (r.end is None or day <= r.end))


def flat_totals(situation: Situation) -> dict[str, tuple[int, int]]:
    """Shared meter id → (residents, area 1e-6) of every room sharing it, in the situation
    and outside it."""
    last = situation.period_value.last_day
    out: dict[str, tuple[int, int]] = {}
    for account in situation.accounts:
        for service in account.services:
            shared = service.shared_meter
            if shared is None:
                continue
            persons, area = out.get(shared.id, (shared.other_persons,
                                                to_micro(shared.other_area)))
            out[shared.id] = (persons + registered_on(account, last),
                              area + to_micro(account.area))
    return out


def shared_facts(account: Account, service: AccountService, decision: MethodDecision,
                 totals: dict[str, tuple[int, int]], period: Period) -> SharedFacts:
    """The row facts of a room's account with a shared meter (UNKNOWN readings when missing)."""
    shared = service.shared_meter
    assert shared is not None  # the rule read shared_meter: present
    single = sorted((r for r in shared.readings if r.zone == "single"), key=lambda r: r.date)
    prev = [r for r in single if r.date < period.first_day]
    cur = [r for r in single if period.first_day <= r.date <= period.last_day]
    persons, area = totals[shared.id]
    split = getattr(decision.rule.then, "split", "persons")
    if split == "persons" and persons > 0:
        weight, total, basis = registered_on(account, period.last_day), persons, BY_PERSONS
    else:
        weight, total, basis = to_micro(account.area), area, BY_AREA
    return (to_micro(prev[-1].value) if prev else UNKNOWN,
            to_micro(cur[-1].value) if cur else UNKNOWN, weight, total, basis)
