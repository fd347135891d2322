"""COPY text of many rows built at once from columns: numbers, texts and picks from small tables.

A row is its segments written one after the other, with no separator added: the caller puts
the tabs and the row's newline into the table entries (a ledger line is mostly constant per
row template, so most of it is one pick). Kinds of segment:

* ``Int(values)`` — an int64 array, written in decimal;
* ``Text(values)`` — a list of str, written as they are (escaped by the caller);
* ``Pick(indexes, table)`` — ``table[indexes[i]]`` (a list of str).

The compiled ``zhkh.modules.db._copy.join_rows`` writes the rows into one ``bytes`` (UTF-8);
:func:`join_rows_python` is its pure-Python twin, which tests hold it to.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from zhkh.kernel._compiled import compiled


class Int(NamedTuple):
    values: np.ndarray


class Text(NamedTuple):
    values: list[str]


class Pick(NamedTuple):
    indexes: np.ndarray
    table: Sequence[str]


Segment = Int | Text | Pick


def join_rows_python(kinds: list[str], values: list, tables: list, lo: int, hi: int) -> bytes:
    """Rows ``lo`` … ``hi - 1`` in UTF-8 (see :mod:`copy_rows`); the twin of the compiled one."""
    columns = []
    for kind, column, table in zip(kinds, values, tables, strict=True):
        if kind == "int":
            columns.append([str(v) for v in column[lo:hi].tolist()])
        elif kind == "text":
            columns.append(list(column[lo:hi]))
        elif kind == "pick":
            entries = list(table)
            picked = column[lo:hi].tolist()
            if any(k < 0 or k >= len(entries) for k in picked):
                raise IndexError("index out of the table")
            columns.append([entries[k] for k in picked])
        else:
            raise ValueError(f"unknown kind {kind!r}")
    return "".join("".join(row) for row in zip(*columns, strict=True)).encode()


_copy = compiled("zhkh.modules.db._copy", "текст COPY строк журнала")
join_rows = join_rows_python if _copy is None else _copy.join_rows  # the twin: same bytes, slower


def _spread(segments: Sequence[Segment]) -> tuple[list[str], list, list, int]:
    kinds, values, tables, rows = [], [], [], None
    column: np.ndarray | list[str]
    for seg in segments:
        if isinstance(seg, Int):
            kinds.append("int")
            column = np.ascontiguousarray(seg.values, dtype=np.int64)
            table = None
        elif isinstance(seg, Text):
            kinds.append("text")
            column, table = seg.values, None
        else:
            kinds.append("pick")
            column = np.ascontiguousarray(seg.indexes, dtype=np.int64)
            table = list(seg.table)
        if rows is not None and len(column) != rows:
            raise ValueError(f"segments of {rows} and {len(column)} rows")
        rows = len(column)
        values.append(column)
        tables.append(table)
    return kinds, values, tables, rows or 0


def copy_rows(segments: Sequence[Segment], *, rows_per_chunk: int = 20_000) -> Iterator[bytes]:
    """The rows of ``segments`` (all of one length) as UTF-8 COPY text, ``rows_per_chunk`` rows
    per chunk; a chunk is exactly the concatenation of its rows' segments."""
    kinds, values, tables, rows = _spread(segments)
    for lo in range(0, rows, rows_per_chunk):
        yield join_rows(kinds, values, tables, lo, min(lo + rows_per_chunk, rows))
