"""The lines a calculation owns in its own month, and how they are replaced.

A calculation of a month owns its charges, the month's own recalculations (a temporary
absence), benefits and quality reductions (``OWN_KINDS``); recalculations of closed months
booked in it belong to the recalculation that booked them. The monthly run, the queue and the
online recalculation all replace an account's own lines through :func:`replace_charges`, in
the caller's transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from zhkh.modules.billing.compute import BatchCalculator, Computed, ledger_rows
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.repository import LedgerRepository, RunErrorRepository

UnitOfWork = Callable[[], AbstractContextManager[Session]]
"""A callable giving a session that commits when its block ends (``Database.session``)."""

Progress = Callable[[int, int], None]
"""Called after each batch with (houses done, houses in total)."""

DELETE_CHUNK = 900
"""Account ids per DELETE on SQLite (under its limit of bound parameters)."""


def new_run_id(period: str, kind: str) -> str:
    """``<period>:<UTC timestamp to µs>:<kind>:<random>`` — sortable by time within a period."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{period}:{stamp}:{kind}:{secrets.token_hex(2)}"


OWN_KINDS = ("charge", "recalculation", "benefit", "quality_reduction")
"""What a run computes for its own month: charges, the month's own recalculations (a
temporary absence), benefits and quality reductions. Recalculations of closed months booked
in it are kept."""


def replace_charges(session: Session, period: str, account_ids: Sequence[int],
                    computed: Computed, provider_ids: dict[str, int], version: str,
                    run_id: str) -> int:
    """Delete the lines of ``account_ids`` about ``period`` booked in it and write the computed
    ones and the errors; returns the number of lines written."""
    ledger = LedgerRepository(session)
    ids = list(account_ids)
    # PostgreSQL takes the ids as one array parameter; SQLite in IN lists of DELETE_CHUNK
    chunk = len(ids) or 1 if session.get_bind().dialect.name == "postgresql" else DELETE_CHUNK
    for i in range(0, len(ids), chunk):
        ledger.delete_for_recompute(period, account_ids=ids[i:i + chunk], kinds=OWN_KINDS,
                                    own_month=True)
    written = ledger.write_lines(ledger_rows(computed.lines, provider_ids, period_booked=period,
                                             version=version, run_id=run_id))
    if computed.errors:
        RunErrorRepository(session).add_many(
            run_id, ((e.account_id, e.service, e.code, e.message) for e in computed.errors))
    return written


def recompute_open(session: Session, calculator: BatchCalculator, account_ids: Sequence[int],
                   period: str, run_id: str) -> list[dict[str, Any]]:
    """Replace the charge lines of ``account_ids`` booked in the open ``period`` with freshly
    computed ones; returns the new lines as JSON-ready dicts. A calculation error of an
    account is stored as a run error and its lines are removed."""
    facts = FactsReader(session, period, calculator.common).for_accounts(account_ids)
    computed = calculator.compute(facts)
    replace_charges(session, period, account_ids, computed, facts.provider_ids,
                    calculator.version, run_id)
    return [{**line.model_dump(), "period_for": period, "period_booked": period,
             "rulebook_version": calculator.version} for _, line in computed.lines]
