"""DBF (dBase III) registries, read and written with the ``dbf`` library.

The library decodes C columns with the profile's code page (not the header's byte, which
banks often leave empty), D columns to dates, and N columns — through the converter given
here — to ``Decimal`` from their text, never to float. The library raises many kinds of
exceptions on a damaged file; each becomes a :class:`RegistryError` here, so a bad DBF is a
refusal like any other.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dbf

from .lines import ORDER, LineBuilder
from .model import RegistryLine
from .profiles import Profile
from .values import FOREIGN_CHAR

_KOPECK = Decimal("0.01")
_CODEPAGES = {"cp866": "cp866", "cp1251": "cp1251"}
# What a damaged file makes the library raise (its own error, or Python's while unpacking).
_LIBRARY_FAULTS = (dbf.DbfError, ValueError, TypeError, KeyError, IndexError, OSError,
                   EOFError, OverflowError, UnicodeError, AttributeError, ArithmeticError,
                   struct.error)


def read_dbf(path: Path, profile: Profile, builder: LineBuilder) -> Iterator[RegistryLine]:
    """The payment lines of a DBF file; deleted records are skipped, as dBase does."""
    try:
        table = dbf.Table(str(path), codepage=_CODEPAGES[profile.encoding],
                          field_data_types={c.column: _decimal_type(c) for c in profile.columns
                                            if c.type == "N"})
        table.open(dbf.READ_ONLY)
    except _LIBRARY_FAULTS as exc:
        raise builder.fail("registry_dbf_unreadable", f"файл не читается как DBF: "
                           f"{_reason(exc)}", None, None) from None
    try:
        _check_columns(table, profile, builder)
        yield from _lines(table, profile, builder)
    finally:
        table.close()


def _check_columns(table: dbf.Table, profile: Profile, builder: LineBuilder) -> None:
    present = {name.upper() for name in table.field_names}
    for column in profile.columns:
        if column.column not in present:
            raise builder.fail("registry_dbf_column", f"в файле нет столбца {column.column}; "
                               f"есть: {', '.join(sorted(present)) or 'никаких'}", None,
                               column.field)


def _lines(table: dbf.Table, profile: Profile, builder: LineBuilder) -> Iterator[RegistryLine]:
    check = profile.encoding != "utf-8"
    number = 0
    try:
        for number, record in enumerate(table, 1):
            if dbf.is_deleted(record):
                continue
            texts = {c.field: _text(_value(record, c.column, c.field, number, builder), profile)
                     for c in profile.columns}
            raw = ";".join(texts.values())
            if check and (odd := FOREIGN_CHAR.search(raw)):
                field = next(f for f, v in texts.items() if odd.group() in v)
                raise builder.fail("registry_encoding", f"знак «{odd.group()}» не бывает в "
                                   "русском тексте — файл, похоже, не в кодировке "
                                   f"{profile.encoding}", number, field)
            yield builder.line(number, raw, [texts.get(name, "") for name in ORDER])
    except _LIBRARY_FAULTS as exc:
        raise builder.fail("registry_dbf_unreadable", f"запись не читается: {_reason(exc)}",
                           number + 1, None) from None


def _text(value: object, profile: Profile) -> str:
    """A DBF value as the text reader would see it: dates in the profile's format, numbers
    with "." and two decimals when they are whole kopecks (otherwise as stored, so that the
    amount reader refuses them with the digits shown)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(profile.date_format)
    if isinstance(value, Decimal):
        if value.is_finite() and value.adjusted() < 16:
            whole = value.quantize(_KOPECK)
            if whole == value:
                return format(whole, "f")
        return format(value, "f")
    return str(value).strip()


def _value(record: dbf.Record, column: str, field: str, number: int,
           builder: LineBuilder) -> object:
    try:
        return record[column]
    except _LIBRARY_FAULTS as exc:
        raise builder.fail("registry_dbf_value", f"значение столбца {column} не читается: "
                           f"{_reason(exc)}", number, field) from None


def _decimal_type(column) -> tuple:
    def to_decimal(raw: bytes) -> Decimal:
        try:
            return Decimal(raw.decode("ascii"))
        except (InvalidOperation, UnicodeDecodeError):
            raise ValueError(f"«{raw.decode('ascii', 'replace')}» — не число") from None
    # (class, value of an empty field, value of a null) as the library takes them
    return (to_decimal, type(None), type(None))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]


def render_dbf(rows: list[dict[str, object]], profile: Profile) -> bytes:
    """A DBF file of ``rows`` (field name → value: str, date or Decimal) in the profile's
    columns and code page."""
    with tempfile.TemporaryDirectory(prefix="zhkh-bank-") as folder:
        path = Path(folder) / "registry.dbf"
        table = dbf.Table(str(path), "; ".join(c.spec for c in profile.columns),
                          codepage=_CODEPAGES[profile.encoding], dbf_type="db3")
        table.open(dbf.READ_WRITE)
        try:
            for row in rows:
                table.append({c.column: row.get(c.field) for c in profile.columns
                              if row.get(c.field) is not None})
        finally:
            table.close()
        return path.read_bytes()
