"""A month's run and close as money sees them.

``run_month``: billing's monthly run, then the month's penalties of every account (the phase
replaces its own lines, so a rerun replaces them too). ``close_month``: the final penalties
(every payment of the month is in), billing's pre-close checks and closing (which opens the
next month), then the advances are spent on the bill that now exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from zhkh.kernel.period import Period
from zhkh.modules.billing.charges import UnitOfWork, new_run_id
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.periods import CloseReport, close_period
from zhkh.modules.billing.run import RunReport, run_period
from zhkh.modules.finance.payments import settle_all
from zhkh.modules.finance.penalties import PenaltyReport, book_penalties
from zhkh.modules.finance.service import FinanceRules
from zhkh.modules.registry.models import Account

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class MonthRun:
    """The charges of a run and the penalties booked after it."""

    run: RunReport
    penalties: PenaltyReport


@dataclass(slots=True)
class MonthClose:
    """The final penalties, the closing (with its checks) and the advances spent."""

    penalties: PenaltyReport
    close: CloseReport
    settled_rows: int = 0


def _accounts(unit: UnitOfWork) -> list[int]:
    with unit() as session:
        return list(session.scalars(select(Account.id).order_by(Account.id)))


def run_month(unit: UnitOfWork, calculator: BatchCalculator, rules: FinanceRules, period: str,
              **run: object) -> MonthRun:
    """Billing's run of ``period`` (``run``: its options) and the month's penalties."""
    report = run_period(unit, calculator, period, **run)  # type: ignore[arg-type]
    penalties = book_penalties(unit, _accounts(unit), Period.parse(report.period),
                               rules.penalty, version=rules.version, run_id=report.run_id)
    return MonthRun(report, penalties)


def close_month(unit: UnitOfWork, rules: FinanceRules, period: str, *, actor: str,
                factor: int = 10) -> MonthClose:
    """Final penalties, then close ``period`` if no blocking check fails (``PeriodClosedError``
    for a period not open); after a closing, the advances are spent on its bill in the month
    just opened (dated its first day)."""
    month = Period.parse(period)
    run_id = new_run_id(str(month), "close")
    penalties = book_penalties(unit, _accounts(unit), month, rules.penalty,
                               version=rules.version, run_id=run_id)
    with unit() as session:
        close = close_period(session, str(month), actor=actor, factor=factor)
    outcome = MonthClose(penalties, close)
    if close.closed and close.opened:
        opened = Period.parse(close.opened)
        with unit() as session:
            outcome.settled_rows = settle_all(session, rules.book,
                                              booked_on=opened.first_day,
                                              period=close.opened)
    return outcome
