"""The base of every module repository, and SQL helpers for dated ranges.

Repositories flush but never commit: the request or the run that owns the session commits once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    any_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.types import UserDefinedType

from zhkh.modules.db.base import Base
from zhkh.modules.errors import NotFound

M = TypeVar("M", bound=Base)


def get_or_not_found(session: Session, model: type[M], key: Any, *, code: str, message: str,
                     obj: str) -> M:
    """The ``model`` row of ``key``, or :class:`~zhkh.modules.errors.NotFound` (``code``,
    ``message``, ``obj``) for the API's 404."""
    found = session.get(model, key)
    if found is None:
        raise NotFound(code, message, obj=obj)
    return found


class Repository:
    """SQL of one module over a caller-owned session (never commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _require(self, model: type[M], key: Any) -> M:
        found = self.session.get(model, key)
        if found is None:
            raise NotFound("not_found", f"{model.__tablename__}: запись {key!r} не найдена",
                           obj=f"{model.__tablename__}:{key}")
        return found

    def _add(self, obj: M) -> M:
        self.session.add(obj)
        self.session.flush()  # ids and server defaults become known; nothing is committed
        return obj

    def _insert(self, model: type[M], values: dict[str, Any]) -> M:
        """Insert one ``model`` row of ``values`` (every column but the generated ones) with
        one Core ``INSERT … RETURNING`` of the columns the server generates; returns it
        persistent in the session with those known, as a flushed ORM insert would leave it.
        The session is flushed first, so what it holds precedes the row. For the writes of
        every request (a payment, an audit entry), where the ORM's unit of work cost about as
        much as the statement itself."""
        generated = tuple(c for c in model.__table__.c if c.name not in values)
        self.session.flush()
        row = self.session.connection().execute(
            _insert_returning(model.__table__, tuple(c.name for c in generated)), values).one()
        obj = model(**values, **row._asdict())
        make_transient_to_detached(obj)
        self.session.add(obj)  # persistent; nothing is emitted
        return obj

    def _add_all(self, objs: Iterable[M]) -> list[M]:
        items = list(objs)
        self.session.add_all(items)
        self.session.flush()
        return items


@lru_cache(maxsize=16)
def _insert_returning(table: Any, returned: tuple[str, ...]) -> Any:
    """``INSERT INTO table … RETURNING returned``, built once per table."""
    return table.insert().returning(*(table.c[name] for name in returned))


def overlapping(date_from: Any, date_to: Any, first: date, last: date) -> ColumnElement[bool]:
    """SQL condition: the inclusive range ``[date_from, date_to]`` (open end = NULL) meets
    ``[first, last]``."""
    return and_(date_from <= last, or_(date_to.is_(None), date_to >= first))


def active_on(date_from: Any, date_to: Any, day: date) -> ColumnElement[bool]:
    """SQL condition: the inclusive range ``[date_from, date_to]`` contains ``day``."""
    return overlapping(date_from, date_to, day, day)


def among(column: Any, ids: Sequence[int], dialect: str, *, name: str = "ids"
          ) -> ColumnElement[bool]:
    """``column IN ids`` for thousands of ids.

    PostgreSQL: ``column IN (SELECT unnest(:ids))`` — one array parameter, which the planner
    joins as a set (an index probe per id). ``column = ANY(:ids)`` would be planned as a filter:
    with tens of thousands of ids it chose sequential scans of the whole ledger or readings
    table, once per batch of a run. Elsewhere an ``IN`` list (keep it under the driver's limit
    of bound parameters).
    """
    if dialect == "postgresql":
        return column.in_(select(func.unnest(bindparam(name, list(ids),
                                                       type_=ARRAY(BigInteger)))))
    return column.in_(list(ids))


def among_param(column: Any, dialect: str, name: str = "ids") -> ColumnElement[bool]:
    """:func:`among` with the ids left as the parameter ``name`` (a list given at execution),
    so that a statement run on every request is built and compiled once."""
    if dialect == "postgresql":
        return column.in_(select(func.unnest(bindparam(name, type_=ARRAY(BigInteger)))))
    return column.in_(bindparam(name, expanding=True))


class IdArrayText(UserDefinedType[str]):
    """A ``BIGINT[]`` parameter given as its text form (``{1,2,3}``), passed to the driver as
    is and rendered with a ``::BIGINT[]`` cast: psycopg sends the text untyped, so the server
    reads it once as the array the parameter is."""

    cache_ok = True
    render_bind_cast = True

    def get_col_spec(self, **kw: Any) -> str:
        return "BIGINT[]"


def among_value(column: Any, dialect: str, name: str = "ids") -> ColumnElement[bool]:
    """``column`` among the ids of the parameters :func:`ids_params` gives under ``name``: the
    ids as ONE bound value, and their least and greatest id. The value is an array in its text
    form on PostgreSQL (:class:`IdArrayText`; psycopg dumping a list of 20,000 ints took 20 ms
    of Python, a ``CAST`` of a text in the SQL was parsed again per row in a generic plan) and
    a JSON list on SQLite (an expanding ``IN`` of 20,000 values cost 40 ms of compiling).

    The bounds change nothing in the answer; they are what the planner can estimate. With
    ``= ANY(array)`` alone PostgreSQL guessed a few hundred rows and read the whole ledger
    in parallel once per batch of the penalty phase; with the range beside it, it reads the
    index (``IN (SELECT unnest(…))`` as :func:`among_param` was worse still for the phase:
    the unnest as the inner side of a nested loop without hashing, 27 s for one delete)."""
    lo = bindparam(f"{name}_lo", type_=BigInteger)
    hi = bindparam(f"{name}_hi", type_=BigInteger)
    if dialect == "sqlite":
        listed = column.in_(select(literal_column("value")).select_from(
            func.json_each(bindparam(name, type_=String))))
    elif dialect == "postgresql":
        listed = column == any_(bindparam(name, type_=IdArrayText()))
    else:
        listed = among_param(column, dialect, name)
    return and_(column >= lo, column <= hi, listed)


def within_range(column: Any, name: str = "ids") -> ColumnElement[bool]:
    """``column`` between the least and the greatest of the ids :func:`ids_params` (or
    :func:`range_params`) gives under ``name`` — a superset of them, for a read whose rows the
    caller filters to the ids itself.

    A read of a batch of the run is planned once and then reused by PostgreSQL as a generic
    plan, which knows neither the ids nor how many they are: with ``= ANY(ids)`` it read every
    payment of every account of a batch to find the month's few (13 s of a million-account
    phase); a range alone is planned as the index range it is."""
    return and_(column >= bindparam(f"{name}_lo", type_=BigInteger),
                column <= bindparam(f"{name}_hi", type_=BigInteger))


def range_params(ids: Sequence[int], name: str = "ids") -> dict[str, Any]:
    """The parameters of :func:`within_range` named ``name`` for ``ids``."""
    return {f"{name}_lo": min(ids, default=1), f"{name}_hi": max(ids, default=0)}


def ids_params(conn: Any, ids: Sequence[int], name: str = "ids") -> dict[str, Any]:
    """The parameters of :func:`among_value` named ``name`` for ``ids`` on ``conn``."""
    values = [int(a) for a in ids]
    bounds = range_params(values, name)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return {name: json.dumps(values), **bounds}
    if dialect == "postgresql":
        return {name: "{" + ",".join(map(str, values)) + "}", **bounds}
    return {name: values, **bounds}
