"""The rows a bank registry writes — its lines, payments and allocation rows — in bulk.

On PostgreSQL (psycopg) each table is one ``COPY … FROM STDIN`` of text built here, a row per
f-string, instead of psycopg's ``write_row`` (which dumps every value through its type's
adapter: about a third of the Python time of a million-line file). Elsewhere the same values
go through :func:`~zhkh.modules.db.bulk.insert_rows`. Either way the values written are the
same (tests import the same files on both databases) and nothing commits here: the caller's
transaction holds the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhkh.modules.db.bulk import COPY_SPECIAL, copy_text, insert_rows
from zhkh.modules.finance.allocating import Key
from zhkh.modules.finance.models import Allocation, Payment, RegistryLine
from zhkh.modules.finance.repository import ALLOCATION_COLUMNS

LINE_COLUMNS = ("id", "registry_id", "line_no", "operation_id", "paid_on", "account_text",
                "payer", "address", "period", "amount_kopecks", "commission_kopecks", "status",
                "raw")
PAYMENT_COLUMNS = ("id", "account_id", "paid_on", "amount_kopecks", "commission_kopecks",
                   "channel", "operation_id", "designated_period", "registry_line_id",
                   "posted_period", "actor", "reason")
ROWS_PER_CHUNK = 5000
_SPECIAL = re.compile(r"[\\\t\n\r]").search

AllocationRow = tuple[int, int, Key | None, int, str, date]
"""(payment id, account id, key or None for the advance, kopecks, note, day paid)."""


def _text(value: str | None) -> str:
    """A text value in COPY text format (``\\N`` for None)."""
    if value is None:
        return "\\N"
    return value.translate(COPY_SPECIAL) if _SPECIAL(value) else value


def _copying(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "postgresql" and bind.dialect.driver == "psycopg"


def _chunks(rows: Iterable[Any], line: Callable[[Any], str]) -> Iterator[str]:
    buffer: list[str] = []
    for row in rows:
        buffer.append(line(row))
        if len(buffer) >= ROWS_PER_CHUNK:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def write_lines(session: Session, rows: Iterable[tuple[Any, ...]]) -> None:
    """Registry lines: tuples in :data:`LINE_COLUMNS` order."""
    if not _copying(session):
        insert_rows(session, RegistryLine.__table__, LINE_COLUMNS, rows)
        return
    days: dict[date, str] = {}

    def line(r: tuple[Any, ...]) -> str:
        day = days.get(r[4]) or days.setdefault(r[4], r[4].isoformat())
        return (f"{r[0]}\t{r[1]}\t{r[2]}\t{_text(r[3])}\t{day}\t{_text(r[5])}\t{_text(r[6])}\t"
                f"{_text(r[7])}\t{_text(r[8])}\t{r[9]}\t{r[10]}\t{r[11]}\t{_text(r[12])}\n")

    copy_text(session, RegistryLine.__table__, LINE_COLUMNS, _chunks(rows, line))


def write_payments(session: Session, rows: Iterable[tuple[Any, ...]]) -> None:
    """Payments: tuples in :data:`PAYMENT_COLUMNS` order."""
    if not _copying(session):
        insert_rows(session, Payment.__table__, PAYMENT_COLUMNS, rows)
        return
    days: dict[date, str] = {}

    def line(r: tuple[Any, ...]) -> str:
        day = days.get(r[2]) or days.setdefault(r[2], r[2].isoformat())
        return (f"{r[0]}\t{r[1]}\t{day}\t{r[3]}\t{r[4]}\t{r[5]}\t{_text(r[6])}\t{_text(r[7])}\t"
                f"{r[8]}\t{r[9]}\t{_text(r[10])}\t{_text(r[11])}\n")

    copy_text(session, Payment.__table__, PAYMENT_COLUMNS, _chunks(rows, line))


def write_allocations(session: Session, rows: Iterable[AllocationRow], *, booked_on: date,
                      period_booked: str, rule_id: str) -> None:
    """Allocation rows of a registry's payments, each booked on ``booked_on`` in
    ``period_booked`` under ``rule_id`` (what ``FinanceRepository.write_parts`` writes for
    the same parts)."""
    if not _copying(session):
        insert_rows(session, Allocation.__table__, ALLOCATION_COLUMNS, (
            (pid, account, key.service if key else None, key.provider_id if key else None,
             key.period if key else None, key.kind if key else "advance", amount, day,
             booked_on, period_booked, rule_id, note)
            for pid, account, key, amount, note, day in rows))
        return
    # a key's text by the key object's id (the keys are the open keys' own objects, held
    # here with their text so that no id is reused): hashing a Key per row cost more
    keys: dict[int, tuple[Key | None, str]] = {id(None): (None, "\\N\t\\N\t\\N\tadvance")}
    days: dict[date, str] = {}
    tail = f"\t{booked_on.isoformat()}\t{_text(period_booked)}\t{_text(rule_id)}\t"
    last: list[str] = ["", ""]  # the note before and its COPY text (a payment's rows share it)

    def line(r: AllocationRow) -> str:
        pid, account, key, amount, note, day = r
        known = keys.get(id(key))
        if known is None:
            assert key is not None
            known = keys[id(key)] = (key, f"{_text(key.service)}\t{key.provider_id}\t"
                                          f"{_text(key.period)}\t{key.kind}")
        key_text = known[1]
        if note is not last[0]:
            last[0], last[1] = note, _text(note)
        day_text = days.get(day) or days.setdefault(day, day.isoformat())
        return f"{pid}\t{account}\t{key_text}\t{amount}\t{day_text}{tail}{last[1]}\n"

    copy_text(session, Allocation.__table__, ALLOCATION_COLUMNS, _chunks(rows, line))
