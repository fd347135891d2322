"""Penalty and allocation cases of the methodologists' examples.

A case may, instead of a situation, hold

``penalties:`` — ``{calc_date, debts: [{account, period, amount, due_date?}], payments: [...]}``
with ``expect_penalties:`` — ``[{account, period, penalty, rates?, days_300?, days_130?,
grace_days?, moratorium_days?}]`` (every listed debt must match exactly), or

``allocate:`` — ``{payment: {amount, period?, to_penalties?}, open_lines: [{period, key, amount,
kind?}]}`` with ``expect_allocation:`` — ``{lines: [{key, amount, period?, kind?}], advance}``
(the listed lines are all the lines there must be, in any order).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from zhkh.kernel.allocation import OpenLine, Payment, allocate
from zhkh.kernel.allocation.rulebook import allocation_policy_from_rulebook
from zhkh.kernel.calc.balance import BalanceInput, account_penalties
from zhkh.kernel.money import format_kopecks, to_kopecks
from zhkh.kernel.penalties import policy_from_rulebook
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook


def check_penalties(raw: dict[str, Any], expect: list[dict[str, Any]], rulebook: Rulebook
                    ) -> list[str]:
    """Differences between the penalties computed for ``raw`` and the expected lines."""
    balance = BalanceInput.model_validate(raw)
    if balance.calc_date is None:
        return ["в penalties нужна дата расчёта calc_date"]
    got = {
        (account, str(line.period)): line
        for account, line in account_penalties(
            balance, policy_from_rulebook(rulebook), balance.calc_date
        )
    }
    problems = []
    for want in expect:
        key = (str(want["account"]), str(want["period"]))
        line = got.get(key)
        if line is None:
            problems.append(f"нет пеней по счёту {key[0]} за {key[1]}")
            continue
        tiers = dict(line.tier_days)
        actual = {
            "penalty": format_kopecks(line.penalty),
            "days_300": tiers.get(300, 0),
            "days_130": tiers.get(130, 0),
            "grace_days": line.grace_days,
            "moratorium_days": line.moratorium_days,
            "rates": [format(r, "f") for r in line.rates],
        }
        for field, value in actual.items():
            if field in want and _norm(want[field]) != _norm(value):
                problems.append(
                    f"{key[0]} {key[1]}: {field} ожидалось {want[field]}, получено {value}")
    return problems


def check_allocation(raw: dict[str, Any], expect: dict[str, Any], rulebook: Rulebook
                     ) -> list[str]:
    """Differences between the allocation of ``raw`` and the expected lines and advance."""
    p = raw["payment"]
    payment = Payment(
        to_kopecks(str(p["amount"])),
        period=Period.parse(p["period"]) if p.get("period") else None,
        to_penalties=bool(p.get("to_penalties", False)),
    )
    lines = [
        OpenLine(Period.parse(str(o["period"])), str(o["key"]), to_kopecks(str(o["amount"])),
                 o.get("kind", "principal"))
        for o in raw["open_lines"]
    ]
    result = allocate(payment, lines, allocation_policy_from_rulebook(rulebook))
    got = sorted((str(a.period), a.key, a.kind, format_kopecks(a.amount)) for a in result.lines
                 if a.amount)
    want = sorted(
        (str(w.get("period", _only_period(lines, w["key"]))), str(w["key"]),
         w.get("kind", "principal"), format_kopecks(to_kopecks(str(w["amount"]))))
        for w in expect.get("lines", [])
    )
    problems = []
    if got != want:
        problems.append(f"строки распределения: ожидалось {want}, получено {got}")
    advance = format_kopecks(result.advance)
    if "advance" in expect and _norm(expect["advance"]) != _norm(advance):
        problems.append(f"аванс: ожидалось {expect['advance']}, получено {advance}")
    return problems


def _only_period(lines: list[OpenLine], key: str) -> Period:
    periods = {ln.period for ln in lines if ln.key == key}
    return periods.pop() if len(periods) == 1 else Period(1900, 1)


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return [_norm(v) for v in value]
    try:
        return Decimal(str(value)).normalize()
    except ArithmeticError:
        return str(value)
