"""Engines for the two supported backends: an SQLite file (default) and PostgreSQL (psycopg 3).

SQLite: WAL journal, foreign keys on, a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE`` so two writers queue at BEGIN instead of failing at their first write
(the SQLAlchemy "serializable isolation / savepoints" recipe: pysqlite's own BEGIN is
disabled and emitted in the ``begin`` event). A connection marked read-only
(``execution_options(zhkh_sqlite_begin="DEFERRED")``) starts with a plain BEGIN.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
BEGIN_OPTION = "zhkh_sqlite_begin"


def normalize_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver for PostgreSQL (``postgresql://`` and
    ``postgres://`` are rewritten to ``postgresql+psycopg://``); other URLs unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_db_engine(url: str, *, echo: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``, configured per backend. Its errors never carry the statement's
    parameters (``hide_parameters``): they are values of requests, personal data among them,
    and an error's text ends up in logs."""
    url = normalize_url(url)
    kwargs.setdefault("hide_parameters", True)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, echo=echo, **kwargs)
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, echo=echo, **kwargs)
    raise ValueError(f"неподдерживаемая база данных {backend!r} в ZHKH_DATABASE_URL: "
                     "ожидается sqlite:///файл или postgresql://…")


def _sqlite_engine(url: str, *, echo: bool, **kwargs: Any) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, echo=echo, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy: pysqlite would otherwise issue its own
    # deferred BEGIN lazily and break both BEGIN IMMEDIATE and SAVEPOINT.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
    if mode not in ("IMMEDIATE", "DEFERRED", "EXCLUSIVE"):
        raise ValueError(f"{BEGIN_OPTION}={mode!r}: ожидается IMMEDIATE, DEFERRED или EXCLUSIVE")
    conn.exec_driver_sql(f"BEGIN {mode}")
