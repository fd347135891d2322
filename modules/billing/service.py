"""What billing offers the API and the command line — the one file they import from billing
besides its models and schemas.

* The operations, each done by a file named for it: the monthly run (``run_period``,
  ``run.py``), the recalculation of closed months (``recalc_since``, ``recalc.py``), closing
  a period after its checks (``close_period``, ``periods.py``), what a draft rulebook would
  change (``rules_diff``, ``rules_diff.py``) and the online recalculation of one account
  (``recalculate_account``, ``account_calc.py``). Behind them: the facts readers
  (``facts.py``, ``facts_extras.py``, ``columns.py``, ``columns_readings.py``), the columnar
  batch (``fast_batch.py``), the calculator of fact batches (``compute.py``) and the writing of
  a month's own lines (``charges.py``); the SQL of the ledger, periods, queue and run errors
  is in ``repository.py``.
* The account card with its ledger lines.
* Billing's side of the recalculation seam (``modules/seams.py``), which the composition root
  hands to the modules keeping facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhkh.kernel.period import Period as Month
from zhkh.modules.billing.account_calc import recalculate_account, recalculate_house
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.meter_history import meter_histories
from zhkh.modules.billing.periods import CloseReport, close_period
from zhkh.modules.billing.recalc import Booked, recalc_since
from zhkh.modules.billing.repository import (
    LedgerRepository,
    PeriodClosedError,
    PeriodRepository,
    RecalculationQueueRepository,
)
from zhkh.modules.billing.rules_diff import RulesDiff, rules_diff
from zhkh.modules.billing.run import RunReport, run_period
from zhkh.modules.billing.schemas import AccountCard, LedgerLineOut, LedgerPeriodOut
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.registry.schemas import AccountServiceOut
from zhkh.modules.schemas import money_text

__all__ = [
    "Booked",
    "CloseReport",
    "OnlineRecalculation",
    "PeriodClosedError",
    "RulesDiff",
    "RunReport",
    "account_card",
    "close_period",
    "current_period",
    "drop_billing_period",
    "enqueue",
    "list_billing_periods",
    "open_billing_period",
    "recalc_since",
    "recalculate_account",
    "rules_diff",
    "run_period",
]


def account_card(session: Session, number: str, *, period_from: str | None = None,
                 period_to: str | None = None) -> AccountCard:
    """Details, services and ledger lines grouped by booked period (recalculations marked);
    the ledger may be empty before the first monthly run. ``NotFound`` for an unknown
    account."""
    account = registry.get_account(session, number)
    repo = RegistryRepository(session)
    services = repo.account_services(account.id)
    codes = repo.provider_codes(s.provider_id for s in services)
    periods: dict[str, list[Any]] = {}
    for line in LedgerRepository(session).lines_of_account(account.id, period_from=period_from,
                                                           period_to=period_to):
        periods.setdefault(line.period_booked, []).append(line)
    return AccountCard(
        meters=meter_histories(session, account.premises_id, current_period(session)),
        account=registry.account_view(session, account),
        services=[AccountServiceOut(id=s.id, service=s.service, provider=codes[s.provider_id],
                                    date_from=s.date_from, date_to=s.date_to)
                  for s in services],
        periods=[LedgerPeriodOut(period=p, total=money_text(sum(x.amount_kopecks for x in ls)),
                                 lines=[LedgerLineOut.of(x) for x in ls])
                 for p, ls in periods.items()])


def open_billing_period(session: Session, period: str) -> tuple[str, str]:
    """Open ``period``; returns it and the billing start. On a new database it becomes the
    start; a period before the start is refused (``period_before_start``), a closed one too."""
    repo = PeriodRepository(session)
    opened = repo.open(period, after_start=True).period
    start = repo.start()
    assert start is not None, "a period was just opened"
    return opened, start


def list_billing_periods(session: Session) -> list[Any]:
    """Every billing period, oldest (the start) first."""
    return PeriodRepository(session).all()


def drop_billing_period(session: Session, period: str) -> None:
    """Delete a wrongly opened empty period (see ``PeriodRepository.drop``)."""
    PeriodRepository(session).drop(period)


def current_period(session: Session) -> str:
    """The latest open billing period, or the month of today when none is open."""
    return PeriodRepository(session).latest_open() or str(Month.of(date.today()))


def enqueue(session: Session, account_ids: Iterable[int], period: str, reason: str) -> None:
    """Queue the accounts for recalculation from ``period`` by the next run."""
    queue = RecalculationQueueRepository(session)
    for account_id in account_ids:
        queue.enqueue(account_id=account_id, period_for=period, reason=reason)


class OnlineRecalculation:
    """Billing's :class:`~zhkh.modules.seams.Recalculation`: a change recalculates its accounts
    at once with ``calculator`` (closed months → recalculation lines in the open one), or
    queues them for the next run."""

    def __init__(self, calculator: BatchCalculator) -> None:
        self.calculator = calculator

    def current_period(self, session: Session) -> str:
        """See :func:`current_period`."""
        return current_period(session)

    def recalculate_account(self, session: Session, number: str, period: str
                            ) -> list[dict[str, Any]]:
        """See :func:`~zhkh.modules.billing.account_calc.recalculate_account`."""
        return recalculate_account(session, number, period, calculator=self.calculator)

    def recalculate_house(self, session: Session, house_id: int, period: str
                          ) -> dict[str, list[dict[str, Any]] | dict[str, Any]]:
        """See :func:`recalculate_house`."""
        return recalculate_house(session, house_id, period, calculator=self.calculator)

    def enqueue(self, session: Session, account_ids: Iterable[int], period: str,
                reason: str) -> None:
        """See :func:`enqueue`."""
        enqueue(session, account_ids, period, reason)
