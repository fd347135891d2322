"""SQL of billing: periods, the ledger (bulk write, recompute delete, streaming read),
the recalculation queue and run errors.

The database refuses edits of the ledger that these methods do not offer (see
``models``); the repositories check the same rules first to give a clear error early.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from zhkh.kernel.period import Period as Month
from zhkh.modules.billing.models import (
    BillingPeriod,
    LedgerLine,
    RecalculationRequest,
    RunError,
)
from zhkh.modules.db.bulk import insert_rows
from zhkh.modules.db.repository import Repository, among
from zhkh.modules.errors import Conflict
from zhkh.modules.registry.models import Account, Premises


class PeriodClosedError(Conflict):
    """A write that would change a closed period (or needs an open one that is not there)."""

    def __init__(self, message: str) -> None:
        super().__init__("period_closed", message)


class PeriodBeforeStartError(PeriodClosedError):
    """A period before the database's billing start: its facts are history, never billed."""

    def __init__(self, period: str, start: str) -> None:
        super().__init__(f"период {period} раньше начала расчётов в этой базе ({start}): "
                         "данные до начала расчётов — история, новые периоды до него не "
                         "открываются")
        self.code = "period_before_start"


class PeriodNotEmptyError(PeriodClosedError):
    """A period that cannot be dropped: it is closed, or lines or payments are booked in it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = "period_not_empty"


class LedgerRow(NamedTuple):
    """One ledger line for the bulk writer (integers: kopecks and 1e-6 units)."""

    account_id: int
    service: str
    component: str | None
    zone: str | None
    provider_id: int
    period_for: str
    period_booked: str
    kind: str
    method: str | None
    volume_micro: int | None
    tariff_micro: int | None
    amount_kopecks: int
    rulebook_version: str
    explain: str | None
    run_id: str | None


LEDGER_COLUMNS: tuple[str, ...] = LedgerRow._fields


def _now() -> datetime:
    return datetime.now(UTC)


class PeriodRepository(Repository):
    """Billing periods: open, close (final), query."""

    def get(self, period: str) -> BillingPeriod | None:
        """The period ``YYYY-MM`` or None."""
        return self.session.get(BillingPeriod, str(Month.parse(period)))

    def open(self, period: str, *, after_start: bool = False) -> BillingPeriod:
        """Open ``period`` (created if absent; an open one is returned as is).

        Raises :class:`PeriodClosedError` if it is closed: a closed period is never re-opened.
        With ``after_start`` (the operations a user starts: ``period open``, a run) a new
        period before the billing start (:meth:`start`: the first period opened in the
        database) is refused with :class:`PeriodBeforeStartError` — facts dated before the
        start are history. Loading history (tests, migrations of old ledgers) opens freely.
        """
        key = str(Month.parse(period))
        found = self.session.get(BillingPeriod, key)
        if found is not None and found.status == "closed":
            raise PeriodClosedError(f"период {key} закрыт и не может быть открыт снова")
        if found is None and after_start:
            start = self.start()
            if start is not None and key < start:
                raise PeriodBeforeStartError(key, start)
        return found or self._add(BillingPeriod(period=key, status="open"))

    def start(self) -> str | None:
        """The billing start of the database: its earliest period (None before the first)."""
        return self.session.scalar(select(func.min(BillingPeriod.period)))

    def latest(self) -> str | None:
        """The latest period, open or closed (None before the first)."""
        return self.session.scalar(select(func.max(BillingPeriod.period)))

    def all(self) -> list[BillingPeriod]:
        """Every period, oldest first."""
        return list(self.session.scalars(select(BillingPeriod).order_by(BillingPeriod.period)))

    def drop(self, period: str) -> None:
        """Delete a wrongly opened period. Guarantees: only an open period with nothing booked
        in it (no ledger line, no payment, no queued recalculation for it) is deleted, else
        :class:`PeriodNotEmptyError` names what holds it."""
        key = str(Month.parse(period))
        found = self._require(BillingPeriod, key)
        if found.status == "closed":
            raise PeriodNotEmptyError(f"период {key} закрыт: закрытый период не удаляется")
        lines = self.session.scalar(select(func.count()).select_from(LedgerLine)
                                    .where(LedgerLine.period_booked == key))
        queued = self.session.scalar(select(func.count()).select_from(RecalculationRequest)
                                     .where(RecalculationRequest.period_for == key,
                                            RecalculationRequest.processed_at.is_(None)))
        named = [f"{what}: {n}" for n, what in ((lines, "строк начислений"),
                                                 (queued, "счетов в очереди перерасчёта")) if n]
        if named:
            raise PeriodNotEmptyError(f"период {key} не пуст ({'; '.join(named)}): удаляется "
                                      "только ошибочно открытый пустой период")
        try:
            with self.session.begin_nested():
                self.session.delete(found)
                self.session.flush()
        except IntegrityError:  # payments (finance) booked in it hold it by foreign key
            raise PeriodNotEmptyError(f"период {key} не пуст: в нём проведены оплаты или "
                                      "другие финансовые записи") from None

    def close(self, period: str, *, at: datetime | None = None) -> BillingPeriod:
        """Close ``period``: its lines become final. Closing a closed period is a no-op."""
        found = self._require(BillingPeriod, str(Month.parse(period)))
        if found.status != "closed":
            found.status, found.closed_at = "closed", at or _now()
            self.session.flush()
        return found

    def is_closed(self, period: str) -> bool:
        """True when the period exists and is closed."""
        found = self.get(period)
        return found is not None and found.status == "closed"

    def latest_open(self) -> str | None:
        """The latest open period (where new lines are booked), or None."""
        return self.session.scalar(
            select(BillingPeriod.period).where(BillingPeriod.status == "open")
            .order_by(BillingPeriod.period.desc()).limit(1))

    def closed_between(self, since: str, before: str) -> list[str]:
        """Closed periods from ``since`` up to (not including) ``before``, oldest first."""
        stmt = (select(BillingPeriod.period)
                .where(BillingPeriod.status == "closed", BillingPeriod.period >= since,
                       BillingPeriod.period < before)
                .order_by(BillingPeriod.period))
        return list(self.session.scalars(stmt))


class LedgerRepository(Repository):
    """The append-only ledger."""

    def write_lines(self, rows: Iterable[LedgerRow | Sequence[Any]]) -> int:
        """Append lines in bulk (COPY on PostgreSQL, executemany on SQLite); returns the count.

        Rows are tuples in :data:`LEDGER_COLUMNS` order. A line booked in a closed period is
        refused by the database and the whole write fails with the caller's transaction.
        """
        return insert_rows(self.session, LedgerLine.__table__, LEDGER_COLUMNS, rows)

    def delete_for_recompute(self, period_booked: str, *, house_id: int | None = None,
                             account_ids: Sequence[int] | None = None,
                             kinds: Sequence[str] | None = None,
                             own_month: bool = False,
                             services: Sequence[str] | None = None) -> int:
        """Delete lines booked in the open ``period_booked`` (all, or of one house, or of some
        accounts, optionally only some kinds or services, optionally only lines about that month
        itself — not recalculations of earlier months booked there) so they can be computed again;
        returns the count.
        """
        if self.session.get(BillingPeriod, period_booked) is None:
            raise PeriodClosedError(f"период {period_booked} не открыт")
        stmt = delete(LedgerLine).where(LedgerLine.period_booked == period_booked)
        if house_id is not None:
            stmt = stmt.where(LedgerLine.account_id.in_(_accounts_of_house(house_id)))
        if account_ids is not None:
            stmt = stmt.where(among(LedgerLine.account_id, account_ids,
                                     self.session.get_bind().dialect.name))
        if kinds is not None:
            stmt = stmt.where(LedgerLine.kind.in_(list(kinds)))
        if services is not None:
            stmt = stmt.where(LedgerLine.service.in_(list(services)))
        if own_month:
            stmt = stmt.where(LedgerLine.period_for == period_booked)
        if PeriodRepository(self.session).is_closed(period_booked):
            raise PeriodClosedError(f"период {period_booked} закрыт, его строки не удаляются")
        result = self.session.execute(stmt, execution_options={"synchronize_session": False})
        return cast("CursorResult[Any]", result).rowcount  # DML gives a cursor result

    def lines_of_run(self, run_id: str, account_ids: Sequence[int], period: str
                     ) -> list[LedgerLine]:
        """Lines of ``account_ids`` about ``period`` written by one run (an online
        recalculation of a house), by id."""
        return list(self.session.scalars(
            select(LedgerLine).where(LedgerLine.account_id.in_(list(account_ids)),
                                     LedgerLine.period_for == period,
                                     LedgerLine.run_id == run_id).order_by(LedgerLine.id)))

    def lines_of_account(self, account_id: int, *, period_from: str | None = None,
                         period_to: str | None = None) -> list[LedgerLine]:
        """Lines of one account booked in ``[period_from, period_to]`` (the account card), by
        booked period then id."""
        stmt = select(LedgerLine).where(LedgerLine.account_id == account_id)
        if period_from is not None:
            stmt = stmt.where(LedgerLine.period_booked >= period_from)
        if period_to is not None:
            stmt = stmt.where(LedgerLine.period_booked <= period_to)
        return list(self.session.scalars(stmt.order_by(LedgerLine.period_booked, LedgerLine.id)))


def _accounts_of_house(house_id: int):
    return (select(Account.id).join(Premises, Premises.id == Account.premises_id)
            .where(Premises.house_id == house_id))


class RecalculationQueueRepository(Repository):
    """Accounts × periods waiting to be recalculated."""

    def enqueue(self, *, account_id: int, period_for: str, reason: str) -> RecalculationRequest:
        """Queue a recalculation of ``account_id`` for ``period_for``."""
        return self._add(RecalculationRequest(account_id=account_id,
                                              period_for=str(Month.parse(period_for)),
                                              reason=reason))

    def pending(self, *, limit: int | None = None) -> list[RecalculationRequest]:
        """Unprocessed requests, oldest first."""
        stmt = (select(RecalculationRequest).where(RecalculationRequest.processed_at.is_(None))
                .order_by(RecalculationRequest.id).limit(limit))
        return list(self.session.scalars(stmt))

    def mark_processed(self, ids: Sequence[int], *, at: datetime | None = None) -> int:
        """Mark requests processed; returns how many were pending."""
        stmt = (update(RecalculationRequest)
                .where(RecalculationRequest.id.in_(list(ids)),
                       RecalculationRequest.processed_at.is_(None))
                .values(processed_at=at or _now()))
        result = self.session.execute(stmt, execution_options={"synchronize_session": False})
        return cast("CursorResult[Any]", result).rowcount  # DML gives a cursor result


class RunErrorRepository(Repository):
    """Per-account errors a run collected."""

    def add_many(self, run_id: str, errors: Iterable[tuple[int | None, str | None, str, str]]
                 ) -> int:
        """Store ``(account_id, service, code, message)`` errors of a run; returns the count."""
        rows = ((run_id, a, s, c, m) for a, s, c, m in errors)
        return insert_rows(self.session, RunError.__table__,
                           ("run_id", "account_id", "service", "code", "message"), rows)

