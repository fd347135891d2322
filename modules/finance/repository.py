"""SQL of the finance module: payments, allocation rows, open keys, advances, registries.

Bulk reads take many accounts at once (``among``); bulk writes go through ``insert_rows`` (COPY
on PostgreSQL). Nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, Table, func, select, text, union_all

from zhkh.modules.billing.models import BillingPeriod, LedgerLine
from zhkh.modules.db.bulk import copy_text, insert_rows
from zhkh.modules.db.repository import Repository, among, among_param
from zhkh.modules.finance.allocating import Key, Part
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.registry.models import Account

CHUNK = 900
"""Ids per IN list on SQLite (its bound-parameter limit is well above; PostgreSQL takes one
array)."""

FINANCE_LOCK = 0x7A686B68  # "zhkh"
"""PostgreSQL advisory lock of money posting: bulk work (a registry file, spending every
advance) takes it exclusively, work on one account shares it and locks the account's row."""

BULK_WORK_MEM = "256MB"
"""``work_mem`` of a bulk posting's transaction on PostgreSQL (see ``work_in_bulk``)."""

ALLOCATION_COLUMNS = ("payment_id", "account_id", "service", "provider_id", "bill_period", "kind",
                      "amount_kopecks", "paid_on", "booked_on", "period_booked", "rule_id",
                      "note")


class FinanceRepository(Repository):
    """Reads and writes of payments and their allocation for the services of this module."""

    def _chunks(self, ids: Sequence[int]) -> Iterable[Sequence[int]]:
        if self.dialect == "postgresql":
            yield ids
            return
        for i in range(0, len(ids), CHUNK):
            yield ids[i:i + CHUNK]

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def lock_accounts(self, account_ids: Sequence[int]) -> None:
        """Serialise money posting of these accounts with any other (PostgreSQL: the shared
        finance lock, then the accounts' rows in id order; SQLite writers are serial)."""
        if self.dialect != "postgresql":
            return
        self.session.execute(select(func.pg_advisory_xact_lock_shared(FINANCE_LOCK)))
        self.session.execute(select(Account.id).where(among(Account.id, sorted(account_ids),
                                                            self.dialect))
                             .order_by(Account.id).with_for_update())

    def lock_all(self) -> None:
        """Serialise bulk money posting with all other (PostgreSQL: the exclusive finance
        lock, held to the end of the transaction)."""
        if self.dialect == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(FINANCE_LOCK)))

    def work_in_bulk(self) -> None:
        """PostgreSQL: memory for the sorts and hashes of a bulk posting, to the end of the
        transaction (``SET LOCAL``). A registry's open keys of half a million accounts, and
        the distinct references its triggers check, spilled to disk in batches with the
        default ``work_mem`` of 4 MB (measured: the open keys of 50,000 accounts took 3 s
        instead of 1)."""
        if self.dialect == "postgresql":
            self.session.execute(text(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'"))

    def charged(self, account_ids: Sequence[int]) -> dict[int, dict[Key, int]]:
        """What the bills charge per account and key: the lines booked in closed months, by the
        month of the bill that shows them. The open month is not billed yet (its lines may
        still be computed again); money paid before it closes waits as an advance."""
        out: dict[int, dict[Key, int]] = defaultdict(dict)
        closed = select(BillingPeriod.period).where(BillingPeriod.status == "closed")
        for ids in self._chunks(list(account_ids)):
            stmt = (select(LedgerLine.account_id, LedgerLine.period_booked, LedgerLine.service,
                           LedgerLine.provider_id, func.sum(LedgerLine.amount_kopecks))
                    .where(among(LedgerLine.account_id, ids, self.dialect),
                           LedgerLine.period_booked.in_(closed))
                    .group_by(LedgerLine.account_id, LedgerLine.period_booked, LedgerLine.service,
                              LedgerLine.provider_id))
            for account_id, period, service, provider_id, total in self.session.execute(stmt):
                out[account_id][Key(period, service, provider_id)] = int(total)
        return out

    def paid(self, account_ids: Sequence[int]) -> dict[int, dict[Key, int]]:
        """What payments have paid per account and key (allocation rows other than advance)."""
        out: dict[int, dict[Key, int]] = defaultdict(dict)
        for ids in self._chunks(list(account_ids)):
            stmt = (select(Allocation.account_id, Allocation.bill_period, Allocation.service,
                           Allocation.provider_id, func.sum(Allocation.amount_kopecks))
                    .where(among(Allocation.account_id, ids, self.dialect),
                           Allocation.kind != "advance")
                    .group_by(Allocation.account_id, Allocation.bill_period, Allocation.service,
                              Allocation.provider_id))
            for account_id, period, service, provider_id, total in self.session.execute(stmt):
                # an allocation row has a bill, a service and a provider unless an advance
                key = Key(period, service, provider_id)  # type: ignore[arg-type]
                out[account_id][key] = int(total)
        return out

    def open_keys(self, account_ids: Sequence[int]) -> dict[int, dict[Key, int]]:
        """Charged − paid per account and key (negative: paid beyond the charges); keys that
        net to zero are left out. One statement per chunk of accounts: the bills' lines and the
        payments' rows summed together in the database, only the keys still open returned."""
        out: dict[int, dict[Key, int]] = {a: {} for a in account_ids}
        stmt = _open_keys_statement(self.dialect)
        self.session.flush()  # read on the connection (past the ORM layer, every payment
        conn = self.session.connection()  # reads it): what the session holds must be there
        for ids in self._chunks(list(account_ids)):
            rows = conn.execute(stmt, {"ids_charged": ids, "ids_paid": ids})
            for account_id, period, service, provider_id, amount in rows:
                out[account_id][Key(period, service, provider_id)] = int(amount)
        return out

    def open_keys_in_bulk(self, account_ids: Sequence[int]) -> dict[int, dict[Key, int]]:
        """:meth:`open_keys` of the many accounts of a bank registry, the same result. On
        PostgreSQL, from ``BULK_ACCOUNTS`` accounts on, the ids go into a temporary table with
        statistics (dropped at commit) instead of an array: the planner, which guesses 200
        rows for an array, probed the ledger's and the allocations' indexes once per account
        (measured: about a minute of random reads for 500,000 accounts); knowing the count,
        it joins them by hash over one scan."""
        if self.dialect != "postgresql" or len(account_ids) < BULK_ACCOUNTS:
            return self.open_keys(account_ids)
        self.session.flush()
        conn = self.session.connection()
        conn.exec_driver_sql("DROP TABLE IF EXISTS zhkh_bulk_accounts")
        conn.exec_driver_sql("CREATE TEMPORARY TABLE zhkh_bulk_accounts (id bigint PRIMARY KEY)"
                             " ON COMMIT DROP")
        step = 50_000
        copy_text(conn, _BULK_ACCOUNTS, ("id",), (
            "".join(f"{a}\n" for a in account_ids[i:i + step])
            for i in range(0, len(account_ids), step)))
        conn.exec_driver_sql("ANALYZE zhkh_bulk_accounts")
        out: dict[int, dict[Key, int]] = {a: {} for a in account_ids}
        for account_id, period, service, provider_id, amount in conn.exec_driver_sql(
                _OPEN_KEYS_IN_BULK):
            out[account_id][Key(period, service, provider_id)] = int(amount)
        return out

    def new_ids(self, table: Any, count: int) -> list[int]:
        """``count`` ids for rows of ``table`` written with them by the caller (so that it
        need not read back what it wrote). PostgreSQL: taken from the table's sequence;
        SQLite: after the largest id, which is safe once the transaction has written (SQLite
        writers are serial)."""
        if count <= 0:
            return []
        if self.dialect == "postgresql":
            # the sequence named once: pg_get_serial_sequence per row cost a catalog lookup
            # per id (≈20 µs each, a third of a second per 20,000 lines)
            sequence = self.session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                           {"t": table.name})
            stmt = text("SELECT nextval(CAST(:s AS regclass)) FROM generate_series(1, :n)")
            return list(self.session.scalars(stmt, {"s": sequence, "n": count}))
        start = self.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
        return list(range(start + 1, start + 1 + count))

    def advances(self, account_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        """Per account, the advance left of each payment, ``[(payment id, kopecks)]`` oldest
        payment first (only payments with some advance left). A storno's rows count for the
        payment it reverses."""
        out: dict[int, list[tuple[int, int]]] = defaultdict(list)
        root = _root()
        for ids in self._chunks(list(account_ids)):
            total = func.sum(Allocation.amount_kopecks)
            stmt = (select(Allocation.account_id, root, total)
                    .join(Payment, Payment.id == Allocation.payment_id)
                    .where(among(Allocation.account_id, ids, self.dialect),
                           # an advance row has no bill (a CHECK): this lets the index on
                           # (account, bill period) find only the advance rows
                           Allocation.bill_period.is_(None), Allocation.kind == "advance")
                    .group_by(Allocation.account_id, root)
                    .having(total != 0)
                    .order_by(Allocation.account_id, root))
            for account_id, payment_id, amount in self.session.execute(stmt):
                out[account_id].append((payment_id, int(amount)))
        return out

    def accounts_with_advance(self) -> list[int]:
        """Every account holding some advance."""
        total = func.sum(Allocation.amount_kopecks)
        stmt = (select(Allocation.account_id).where(Allocation.kind == "advance")
                .group_by(Allocation.account_id).having(total > 0)
                .order_by(Allocation.account_id))
        return list(self.session.scalars(stmt))

    def rows_of(self, payment_id: int) -> list[tuple[Key | None, date, int]]:
        """Every allocation row of a payment as (key or None for the advance, day paid,
        kopecks)."""
        stmt = (select(Allocation.bill_period, Allocation.service, Allocation.provider_id,
                       Allocation.paid_on, Allocation.amount_kopecks)
                .where(Allocation.payment_id == payment_id).order_by(Allocation.id))
        return [(Key(p, s, v) if s is not None else None, d, int(a))  # type: ignore[arg-type]
                for p, s, v, d, a in self.session.execute(stmt)]  # (a service: not an advance)

    def add_payment(self, **fields: Any) -> Payment:
        """Insert one payment; returns it persistent in the session with its id and
        ``created_at`` known (as a flushed ORM insert would).

        One Core ``INSERT … RETURNING`` (:meth:`Repository._insert`): every payment through
        the API writes one."""
        # every column set: reading one never loads the row again
        return self._insert(Payment, {**_PAYMENT_DEFAULTS, **fields})

    def write_parts(self, parts: Iterable[tuple[int, Part]], *, booked_on: date,
                    period_booked: str, rule_id: str, paid_on: date | None = None) -> int:
        """Insert allocation rows: ``(account id, part)`` pairs, in bulk; returns the count.
        A row is paid on its part's day, else ``paid_on``, else ``booked_on``."""
        rows = ((part.payment_id, account_id,
                 part.key.service if part.key else None,
                 part.key.provider_id if part.key else None,
                 part.key.period if part.key else None, part.kind, part.amount,
                 part.paid_on or paid_on or booked_on, booked_on, period_booked, rule_id,
                 part.note) for account_id, part in parts)
        return insert_rows(self.session, Allocation.__table__, ALLOCATION_COLUMNS, rows)

    def allocations_of(self, payment_ids: Sequence[int]) -> dict[int, list[Allocation]]:
        """Allocation rows of payments, by payment, in the order written."""
        out: dict[int, list[Allocation]] = defaultdict(list)
        for ids in self._chunks(list(payment_ids)):
            stmt = (select(Allocation).where(among(Allocation.payment_id, ids, self.dialect))
                    .order_by(Allocation.id))
            for row in self.session.scalars(stmt):
                out[row.payment_id].append(row)
        return out

    def reversal_of(self, payment_id: int) -> Payment | None:
        """The storno of a payment, if it was reversed."""
        return self.session.scalar(select(Payment).where(Payment.reverses_id == payment_id))


BULK_ACCOUNTS = 20_000
"""From how many accounts :meth:`FinanceRepository.open_keys_in_bulk` uses a temporary table."""
_BULK_ACCOUNTS = Table("zhkh_bulk_accounts", MetaData(), Column("id", BigInteger))
_OPEN_KEYS_IN_BULK = """
SELECT x.account_id, x.period, x.service, x.provider_id, sum(x.amount)
  FROM (SELECT l.account_id, l.period_booked AS period, l.service, l.provider_id,
               l.amount_kopecks AS amount
          FROM ledger_lines l JOIN zhkh_bulk_accounts a ON a.id = l.account_id
         WHERE l.period_booked IN (SELECT p.period FROM billing_periods p
                                    WHERE p.status = 'closed')
        UNION ALL
        SELECT r.account_id, r.bill_period, r.service, r.provider_id, -r.amount_kopecks
          FROM payment_allocations r JOIN zhkh_bulk_accounts a ON a.id = r.account_id
         WHERE r.kind <> 'advance') x
 GROUP BY x.account_id, x.period, x.service, x.provider_id
HAVING sum(x.amount) <> 0"""
"""The statement of :meth:`FinanceRepository.open_keys` over ``zhkh_bulk_accounts``."""


@lru_cache(maxsize=4)
def _open_keys_statement(dialect: str) -> Any:
    """The statement of :meth:`FinanceRepository.open_keys` (ids as parameters ``ids_charged``
    and ``ids_paid``), built once: every payment runs it."""
    closed = select(BillingPeriod.period).where(BillingPeriod.status == "closed")
    charged = select(LedgerLine.account_id.label("account_id"),
                     LedgerLine.period_booked.label("period"),
                     LedgerLine.service.label("service"),
                     LedgerLine.provider_id.label("provider_id"),
                     LedgerLine.amount_kopecks.label("amount")).where(
        among_param(LedgerLine.account_id, dialect, "ids_charged"),
        LedgerLine.period_booked.in_(closed))
    paid = select(Allocation.account_id, Allocation.bill_period, Allocation.service,
                  Allocation.provider_id, -Allocation.amount_kopecks).where(
        among_param(Allocation.account_id, dialect, "ids_paid"), Allocation.kind != "advance")
    both = union_all(charged, paid).subquery()
    total = func.sum(both.c.amount)
    return (select(both.c.account_id, both.c.period, both.c.service, both.c.provider_id, total)
            .group_by(both.c.account_id, both.c.period, both.c.service, both.c.provider_id)
            .having(total != 0))


_PAYMENT_DEFAULTS: dict[str, Any] = {
    c.name: None for c in Payment.__table__.c if c.name not in ("id", "created_at")}
_PAYMENT_DEFAULTS["commission_kopecks"] = 0


def _root() -> Any:
    """The payment a row's money belongs to: the reversed one for a storno's rows."""
    return func.coalesce(Payment.reverses_id, Payment.id)
