"""Paging shared by every list of the API: the ``Page`` a list answers with and the one SQL
helper that cuts a page out of a query and counts the whole."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, the total matching the filters, the window asked for."""

    items: list[T]
    total: int
    limit: int
    offset: int


def page(session: Session, stmt: Select[Any], *, limit: int, offset: int,
         order_by: Any) -> tuple[list[Any], int]:
    """One page of ``stmt`` in ``order_by`` order (a column or a tuple of columns) and the
    count of all its rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    orders = order_by if isinstance(order_by, tuple) else (order_by,)
    rows = session.scalars(stmt.order_by(*orders).limit(limit).offset(offset))
    return list(rows), total
