"""Bulk paths: write many rows with COPY (PostgreSQL) or executemany, stream rows in batches.

The monthly run never goes row by row through the ORM. Writers run inside the caller's
transaction (the same DBAPI connection as the session), so a failed run leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable, FromClause

Executor = Session | Connection
TableLike = Table | FromClause
"""A table, or a mapped class's ``__table__`` (typed as a FromClause by SQLAlchemy)."""


def _table(table: TableLike) -> Table:
    if not isinstance(table, Table):
        raise TypeError(f"ожидалась таблица, получено {table!r}")
    return table


def _driver(conn: Connection) -> Any:
    """The DBAPI connection under ``conn`` (psycopg's or sqlite3's)."""
    raw = conn.connection.driver_connection
    if raw is None:  # only once the connection was invalidated
        raise RuntimeError("соединение с базой закрыто")
    return raw


def _connection(target: Executor) -> Connection:
    if isinstance(target, Session):
        target.flush()  # pending ORM rows (a period, an account) must precede the COPY
        return target.connection()
    return target


def insert_rows(
    target: Executor,
    table: TableLike,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    chunk: int = 10_000,
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns the count written.

    PostgreSQL with psycopg 3: one ``COPY … FROM STDIN``. SQLite: multi-row ``INSERT …
    VALUES (…), (…)`` statements through the driver (values pass the columns' SQLAlchemy bind
    processors, as on the ORM path) — one statement per row costs a statement journal per row
    once the table has a trigger. Other backends: executemany in chunks of ``chunk`` rows.
    Database constraints and triggers apply on every path.
    """
    conn = _connection(target)
    table = _table(table)
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(f"в таблице {table.name} нет столбцов {unknown}")
    checked = _checked(rows, columns)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        return _copy_rows(conn, table, columns, checked)
    if conn.dialect.name == "sqlite" and not _python_defaults(table, columns):
        return _sqlite_values(conn, table, columns, checked)
    statement = table.insert()
    written = 0
    iterator = iter(checked)
    while batch := list(islice(iterator, chunk)):
        conn.execute(statement, [dict(zip(columns, row, strict=True)) for row in batch])
        written += len(batch)
    return written


SQLITE_VARIABLES = 16_000
"""Bound values per SQLite statement (the limit is 32 766 since SQLite 3.32)."""


def _python_defaults(table: Table, columns: Sequence[str]) -> bool:
    """True when a column left out has a Python-side default (only SQLAlchemy applies it)."""
    return any(c.default is not None for c in table.c if c.name not in columns)


def _sqlite_values(conn: Connection, table: Table, columns: Sequence[str],
                   rows: Iterable[Sequence[Any]]) -> int:
    width = len(columns)
    per = max(1, SQLITE_VARIABLES // width)
    procs = [table.c[c].type._cached_bind_processor(conn.dialect) for c in columns]
    if any(procs):
        rows = (tuple(v if p is None or v is None else p(v)
                      for p, v in zip(procs, row, strict=True))
                for row in rows)
    quote = conn.dialect.identifier_preparer.quote
    head = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            "VALUES ")
    one = "(" + ", ".join("?" * width) + ")"
    full = head + ", ".join([one] * per)
    raw = _driver(conn)
    dbapi_error = conn.dialect.loaded_dbapi.Error
    written = 0
    iterator = iter(rows)
    try:
        while batch := list(islice(iterator, per)):
            sql = full if len(batch) == per else head + ", ".join([one] * len(batch))
            raw.execute(sql, [v for row in batch for v in row])
            written += len(batch)
    except dbapi_error as err:
        raise DBAPIError.instance(head, None, err, dbapi_error) from err
    return written


def copy_text(target: Executor, table: TableLike, columns: Sequence[str],
              chunks: Iterable[str | bytes]) -> None:
    """``COPY table (columns) FROM STDIN`` (PostgreSQL, psycopg 3) of text already in COPY
    text format (tab-separated, ``\\N`` for NULL, escaped by the caller; see
    :func:`copy_escape`), as str or as UTF-8 bytes. Constraints and triggers apply as for any
    COPY."""
    conn = _connection(target)
    table = _table(table)
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw = _driver(conn)
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for chunk in chunks:
                copy.write(chunk if isinstance(chunk, bytes) else chunk.encode())
    except dbapi_error as err:
        raise DBAPIError.instance(sql, None, err, dbapi_error) from err


COPY_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(value: str | None) -> str:
    """A text value in COPY text format (``\\N`` for None)."""
    return "\\N" if value is None else value.translate(COPY_SPECIAL)


def _checked(rows: Iterable[Sequence[Any]], columns: Sequence[str]
             ) -> Iterator[Sequence[Any]]:
    width = len(columns)
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"строка {number}: {len(row)} значений, ожидалось {width} "
                             f"({', '.join(columns)})")
        yield row


def _copy_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    raw = _driver(conn)
    dbapi_error = conn.dialect.loaded_dbapi.Error
    written = 0
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
    except dbapi_error as err:
        # the same exception classes as the ORM path (IntegrityError for a trigger refusal)
        raise DBAPIError.instance(sql, None, err, dbapi_error) from err
    return written


def stream_rows(target: Executor, statement: Executable, *, batch: int = 10_000
                ) -> Iterator[Sequence[Row[Any]]]:
    """Run ``statement`` and yield its rows in lists of at most ``batch``.

    Uses ``yield_per``: a server-side cursor on PostgreSQL, a lazily fetched cursor on SQLite,
    so memory holds one batch, not the result.
    """
    result = target.execute(statement, execution_options={"yield_per": batch})
    try:
        yield from result.partitions()
    finally:
        result.close()


def stream_columns(target: Executor, statement: Executable, *, batch: int = 10_000
                   ) -> Iterator[dict[str, list[Any]]]:
    """Like :func:`stream_rows` but each batch is columnar: ``{column name: [values…]}``."""
    result = target.execute(statement, execution_options={"yield_per": batch})
    try:
        keys = list(result.keys())
        for part in result.partitions():
            values = list(zip(*part, strict=True))
            yield {key: list(col) for key, col in zip(keys, values, strict=True)}
    finally:
        result.close()
