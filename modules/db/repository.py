"""The base of every module repository, and SQL helpers for dated ranges.

Repositories flush but never commit: the request or the run that owns the session commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import BigInteger, ColumnElement, and_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

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

    def _add_all(self, objs: Iterable[M]) -> list[M]:
        items = list(objs)
        self.session.add_all(items)
        self.session.flush()
        return items


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
