"""The shared declarative base, column types and portable CHECK constraint builders.

Money is ``BigInteger`` kopecks and volumes/areas/tariffs are ``BigInteger`` fixed point 1e-6
(column names say the unit: ``*_kopecks``, ``*_micro``); no column is ever Float or NUMERIC
(SQLite would keep NUMERIC as a binary REAL).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BIG_ID = BigInteger().with_variant(Integer, "sqlite")
"""64-bit ids; on SQLite an ``INTEGER PRIMARY KEY`` so that it is the autoincrementing rowid."""

IdPK = Annotated[int, mapped_column(BIG_ID, primary_key=True, autoincrement=True)]


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back as an aware datetime on both backends.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones and would hand back the naive
    text it stored (``CURRENT_TIMESTAMP`` is UTC), so a moment is converted to UTC before it is
    stored and given UTC's offset when read. A naive moment given to it is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect
                             ) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value



class Base(DeclarativeBase):
    """Declarative base of every zhkh table; one metadata with stable constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {int: BigInteger}  # noqa: RUF012 - SQLAlchemy reads it as a class attr


def import_all_models() -> MetaData:
    """Import ``models`` of every business module (``zhkh.modules.<name>.models``, found on
    disk, so a new module needs no registration) so ``Base.metadata`` holds all tables."""
    import zhkh.modules as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg and importlib.util.find_spec(f"zhkh.modules.{info.name}.models"):
            importlib.import_module(f"zhkh.modules.{info.name}.models")
    return Base.metadata


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """CHECK that ``column`` takes one of ``values`` (portable; NULL passes, as in SQL)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_allowed")


def integer_check(column: str) -> CheckConstraint:
    """CHECK that ``column`` holds an integer.

    SQLite would silently store ``12.5`` as a REAL in an INTEGER column; ``CAST(12.5 AS BIGINT)
    = 12`` makes the check fail there. On PostgreSQL the check is moot: a fraction assigned to a
    BIGINT column is rounded by the assignment cast before any check sees it, so fractions are
    kept out before the database — the writers pass integer kopecks and micro-units, and the API
    refuses a money or volume value with more decimals than its unit holds.
    """
    return CheckConstraint(f"{column} = CAST({column} AS BIGINT)", name=f"{column}_integer")


def period_sql(column: str, dialect: str) -> str:
    """SQL condition that ``column`` is a period ``YYYY-MM`` (year 1000-9999, month 01-12).

    Exact on bytes in both dialects: SQLite's ``GLOB`` and PostgreSQL's regular expression
    compare characters, not collated strings, so no collation can let a non-digit through.
    The SQLite form is also cheap: an ``IN``-list form of the same check made every ledger
    insert ~20 µs slower.
    """
    if dialect == "postgresql":
        return f"{column} ~ '^[1-9][0-9]{{3}}-(0[1-9]|1[0-2])$'"
    return (f"{column} GLOB '[1-9][0-9][0-9][0-9]-[01][0-9]' "
            f"AND substr({column}, 6, 2) BETWEEN '01' AND '12'")


TRIGGER_ENFORCED = "enforced_on_postgresql_by_trigger"
"""``info`` key of a foreign key that exists on SQLite only: on PostgreSQL a statement-level
trigger enforces the same reference (migrations 0101, the ledger's bulk COPY, and 0126, a bank
registry's payments and allocation rows)."""


def sqlite_foreign_key(column: str, target: str, trigger: str) -> ForeignKeyConstraint:
    """A foreign key created on SQLite; on PostgreSQL ``trigger`` enforces it instead."""
    return ForeignKeyConstraint([column], [target], info={TRIGGER_ENFORCED: trigger}).ddl_if(
        dialect="sqlite")


ONLY_ON = "only_on_dialect"
"""``info`` key of an index created on one dialect only (see :func:`dialect_index`)."""


def dialect_index(name: str, *columns: str, dialect: str, **kw: Any) -> Index:
    """An index created only on ``dialect`` (``kw``: dialect options such as
    ``postgresql_using``)."""
    return Index(name, *columns, info={ONLY_ON: dialect}, **kw).ddl_if(dialect=dialect)


def schema_filter(dialect: str):
    """An Alembic ``include_object`` for ``dialect``: leaves out of schema comparison what the
    models declare for other dialects only — foreign keys that PostgreSQL enforces by trigger,
    indexes of one dialect."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if reflected:
            return True
        if type_ == "foreign_key_constraint":
            return dialect == "sqlite" or TRIGGER_ENFORCED not in obj.info
        if type_ == "index":
            return obj.info.get(ONLY_ON, dialect) == dialect
        return True

    return include


def period_check(column: str, *, dialects: tuple[str, ...] = ("sqlite", "postgresql"),
                 postgresql_unless: str | None = None) -> tuple[CheckConstraint, ...]:
    """CHECK that ``column`` is a period ``YYYY-MM``: one constraint per dialect of
    ``dialects``, same name; on PostgreSQL not checked for rows where ``postgresql_unless``
    holds (rows whose period another constraint already vouches for)."""
    def condition(dialect: str) -> str:
        sql = period_sql(column, dialect)
        if dialect == "postgresql" and postgresql_unless:
            return f"{postgresql_unless} OR {sql}"
        return sql

    return tuple(
        CheckConstraint(condition(dialect), name=f"{column}_format").ddl_if(dialect=dialect)
        for dialect in dialects
    )
