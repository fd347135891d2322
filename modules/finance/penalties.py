"""Penalties booked from the ledger (ЖК РФ ст. 155 ч. 14): a phase of the monthly run, and the
same for one account after a payment.

A debt is the bill of a month ``B``: every line booked in ``B`` other than penalties (a
recalculation of an old month is owed with the bill that shows it, so it is due with that bill,
not from the old month's due date), minus the principal paid to ``B`` by allocation rows, each
part on the day it was allocated. The compiled penalty kernel gives the penalty of each bill
accrued by the last day of the open month ``M``, ``P_M(B)``. What lands in ``M``:

* ``P_M(B) − booked(B)`` as a ``penalty`` line, where ``booked(B)`` is what earlier months
  booked for ``B``; and for an account whose past changed after ``M − 1`` closed (a payment
  dated before ``M`` but posted in ``M``, a storno):
* ``P_{M−1}(B) − booked(B)`` as a ``recalculation`` line about ``M − 1`` (a closed month's
  penalties change only by recalculation), and ``P_M(B) − P_{M−1}(B)`` as the penalty.

Bills of closed months never change, so ``P`` of a bill paid off before ``M`` stays what was
booked. Each amount is split over the providers of ``B`` in proportion to their charges in it
(largest remainder), so a penalty is owed to the provider whose money was late. The lines of
the service ``penalty`` booked in ``M`` belong to this phase: it deletes and writes them again,
so a rerun replaces them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from zhkh.kernel.penalties import PenaltyPolicy
from zhkh.kernel.period import Period
from zhkh.modules.billing.fast_batch import BATCH_SETTINGS
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import LedgerRow
from zhkh.modules.billing.run import collector_paused
from zhkh.modules.db.bulk import insert_rows
from zhkh.modules.db.repository import (
    among,
    among_value,
    ids_params,
    range_params,
    within_range,
)
from zhkh.modules.finance import penalty_state
from zhkh.modules.finance.models import Payment, PenaltyFinal
from zhkh.modules.finance.penalty_columns import (
    PENALTY,
    Lines,
    concat_lines,
    empty_lines,
    final_months_columns,
    horizon_of,
    lines_columns,
    read_columns,
    unique,
    write_lines,
)

BATCH = 20_000
"""Accounts per unit of work of the phase."""
WORKERS = 2
"""Units of work of the phase at once on PostgreSQL: most of a batch is the server's work
(reading the month's bookings, writing the lines and the state), so with two batches in
flight one is computed in Python while the other's statements run, and the server's work of
both spreads over two processes."""


@lru_cache(maxsize=4)
def _statements(dialect: str) -> tuple[Any, Any]:
    """The delete of the open month's penalty lines and the read of the changed accounts
    (parameters ``ids``, ``month``, ``first_day``), built and compiled once: every payment
    through the API runs them for its account."""
    lines: Any = LedgerLine.__table__
    ledger, payments = lines.c, Payment.__table__.c
    month: Any = bindparam("month")
    drop = delete(lines).where(
        ledger.period_booked == month, ledger.service == PENALTY,
        among_value(ledger.account_id, dialect))
    late = select(payments.account_id).where(
        payments.posted_period == month, within_range(payments.account_id),
        (payments.paid_on < bindparam("first_day")) | payments.reverses_id.is_not(None))
    return drop, late


def changed_accounts(session: Session, account_ids: Sequence[int], month: Period) -> set[int]:
    """The accounts whose past changed in the open ``month``: a payment posted in it but dated
    before it, or a storno."""
    session.flush()  # read on the connection: what the session holds must be there
    conn = session.connection()
    late = _statements(conn.dialect.name)[1]
    found = conn.execute(late, {**range_params(account_ids), "month": str(month),
                                "first_day": month.first_day}).scalars()
    return set(found) & set(account_ids)


@dataclass(slots=True)
class PenaltyReport:
    """What the phase booked: line counts and kopecks of penalties and their corrections."""

    accounts: int = 0
    lines: int = 0
    penalty_kopecks: int = 0
    correction_kopecks: int = 0


def _replace(session: Session, account_ids: Sequence[int], month: Period,
             policy: PenaltyPolicy, *, version: str, run_id: str, finals: bool,
             incremental: bool = False) -> Lines:
    dialect = session.get_bind().dialect.name
    ids = list(account_ids)
    session.flush()  # the delete runs on the connection, past the session
    conn = session.connection()
    if dialect == "postgresql":
        # the run's batch settings (see there): at the default cost of a random page the
        # planner read the whole ledger once per batch for the month's bill of its accounts;
        # and no JIT: a batch's reads take tens of milliseconds, their compiling about ten
        for name, value in {**BATCH_SETTINGS, "jit": "off"}.items():
            conn.exec_driver_sql(f"SET LOCAL {name} = {value}")
    conn.execute(_statements(dialect)[0], {**ids_params(conn, ids),
                                           "month": str(month)})
    changed = changed_accounts(session, ids, month)
    served = empty_lines()
    if incremental and penalty_state.usable(policy):
        cols, ids = penalty_state.state_columns(session, ids, month, policy, version=version,
                                                changed=changed)
        served = lines_columns(cols, policy, month)[0]
        write_lines(session, served, month, version=version, run_id=run_id)
        if not ids:
            return served
    lines = _replace_whole(session, ids, month, policy, version=version, run_id=run_id,
                           finals=finals, changed=changed & set(ids))
    if incremental and penalty_state.usable(policy):
        penalty_state.rebuild_state(session, ids, month, policy, version=version)
    return concat_lines(served, lines)


def _replace_whole(session: Session, ids: list[int], month: Period, policy: PenaltyPolicy,
                   *, version: str, run_id: str, finals: bool, changed: set[int]) -> Lines:
    """The phase for ``ids`` from their whole history (less the final bills)."""
    dialect = session.get_bind().dialect.name
    use_finals = finals and policy.rate_for_paid != "calculation_date"
    horizons: dict[int, str | None] = {}
    if use_finals:
        if changed:  # read whole: a storno may have reopened a bill thought final
            session.execute(delete(PenaltyFinal).where(
                among(PenaltyFinal.account_id, sorted(changed), dialect)),
                execution_options={"synchronize_session": False})
        horizons = dict(session.execute(select(PenaltyFinal.account_id, horizon_of(str(month)))
                                        .where(among(PenaltyFinal.account_id, ids, dialect),
                                               PenaltyFinal.version == version)).all())
    cols = read_columns(session, ids, month, finals_version=version if use_finals else None,
                        changed=changed)
    lines, net, debts = lines_columns(cols, policy, month)
    write_lines(session, lines, month, version=version, run_id=run_id)
    if use_finals:
        session.execute(delete(PenaltyFinal).where(among(PenaltyFinal.account_id, ids, dialect)),
                        execution_options={"synchronize_session": False})
        insert_rows(session, PenaltyFinal.__table__,
                    ("account_id", "final_before", "as_of", "prior_before", "version"),
                    ((a, m, str(month), horizons.get(a), version)
                     for a, m in final_months_columns(cols, debts, net, ids, month).items()))
    return lines


def replace_penalties(session: Session, account_ids: Sequence[int], month: Period,
                      policy: PenaltyPolicy, *, version: str, run_id: str,
                      finals: bool = True, incremental: bool = False) -> list[LedgerRow]:
    """Delete the penalty lines booked in the open ``month`` for ``account_ids`` and write
    them again from the current ledger and payments; returns the lines written.

    ``finals`` (the default): bills whose penalty is final are not read again
    (``penalty_finals``), and each account's final month is stored again after the month is
    booked. Lines written are the same as with ``finals=False`` (which reads every bill):
    a final bill's penalty equals what was booked for it, so it books nothing. Not used when
    the rules take a paid debt's rate on the calculation date (a paid bill's penalty then
    moves with the rate). An account whose past changed in ``month`` is read whole.
    The work is done over arrays (:mod:`penalty_columns`).

    ``incremental``: accounts with a penalty state (:mod:`penalty_state`) as of ``month`` or
    the month before are computed from it and this month's payments (the state moved to
    ``month``); the others are read whole as above and their state rebuilt. The lines are the
    same either way.
    """
    return _replace(session, account_ids, month, policy, version=version, run_id=run_id,
                    finals=finals, incremental=incremental).rows(month, version=version,
                                                                 run_id=run_id)


def book_penalties(unit: Callable[[], object], account_ids: Sequence[int], month: Period,
                   policy: PenaltyPolicy, *, version: str, run_id: str,
                   batch: int = BATCH, finals: bool = True,
                   incremental: bool = True, workers: int | None = None) -> PenaltyReport:
    """The run's phase: :func:`replace_penalties` over ``account_ids`` in units of work of
    ``batch`` accounts (each atomic); ``finals`` and ``incremental`` as there (the run keeps
    the penalty state by default: the state and the lines of a batch commit together).

    ``workers`` units of work run at once (default: :data:`WORKERS` on PostgreSQL, one on
    SQLite, which has one writer). Batches hold disjoint accounts. A failed batch stops the
    phase (no further batch starts; the error is raised once those running have ended);
    batches committed before it stay committed, as when they run one by one."""
    report = PenaltyReport()
    ids = list(account_ids)
    if workers is None:
        with unit() as session:  # type: ignore[attr-defined]
            dialect = session.get_bind().dialect.name
        workers = WORKERS if dialect == "postgresql" else 1

    def one(part: list[int]) -> Lines:
        with collector_paused(), unit() as session:  # type: ignore[attr-defined]
            return _replace(session, part, month, policy, version=version, run_id=run_id,
                            finals=finals, incremental=incremental)

    def add(lines: Lines) -> None:
        report.accounts += int(unique(lines.account).size)
        report.lines += len(lines)
        report.penalty_kopecks += int(lines.amount[~lines.correction].sum())
        report.correction_kopecks += int(lines.amount[lines.correction].sum())

    parts = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    if workers <= 1 or len(parts) <= 1:
        for part in parts:
            add(one(part))
        return report
    running: deque[Future[Lines]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zhkh-penalties") as pool:
        upcoming = iter(parts)
        try:
            while True:
                while len(running) < workers and (waiting := next(upcoming, None)) is not None:
                    running.append(pool.submit(one, waiting))
                if not running:
                    break
                add(running.popleft().result())
        finally:
            for future in running:
                future.cancel()
    return report


def rebuild_penalty_state(unit: Callable[[], object], account_ids: Sequence[int],
                          month: Period, policy: PenaltyPolicy, *, version: str,
                          batch: int = BATCH) -> int:
    """Build the penalty state of ``account_ids`` as of ``month`` from the ledger
    (:func:`penalty_state.rebuild_state`) in units of work of ``batch`` accounts, replacing
    what was stored; returns the number of bills kept. The same state the run keeps month by
    month: for a database whose state was lost, or to check the kept one."""
    ids = list(account_ids)
    kept = 0
    for i in range(0, len(ids), batch):
        with unit() as session:  # type: ignore[attr-defined]
            cols = penalty_state.rebuild_state(session, ids[i:i + batch], month, policy,
                                               version=version)
        kept += int(unique(cols.c_key).size)
    return kept


__all__ = ["PenaltyReport", "book_penalties", "changed_accounts", "horizon_of",
           "rebuild_penalty_state", "replace_penalties"]
