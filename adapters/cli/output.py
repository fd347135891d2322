"""Listings printed by the finance commands: one description of the columns, four forms.

``table`` is for a person at an 80-column terminal: money and counts never wrap (text columns
shrink and are cut with «…» instead), amounts are in rubles with a comma and no currency sign
(the title says «₽» or «руб.»). ``csv`` and ``xlsx`` carry the Russian column titles and
every column; money in CSV is the JSON form (``1234.56``), in XLSX a number with two
decimals (written from the exact decimal text, never through a binary float of ours).
``json`` is the service's read model as the API returns it.

XLSX is written with XlsxWriter: a write-only library without dependencies, released often,
that streams rows (``constant_memory``), which is all a report needs; it is read back in the
tests with openpyxl, an independent implementation.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from zhkh.adapters.cli.shared import EXIT_INPUT, console, errors, fail
from zhkh.adapters.print import fmt
from zhkh.kernel.money import format_kopecks

Kind = Literal["text", "code", "money", "int", "count"]


class Format(StrEnum):
    """How a listing is printed."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its Russian title and what it holds: ``text`` is cut with «…» in a narrow terminal,
    ``code`` (account numbers, dates) is shown whole, ``money`` is kopecks, ``int`` an id,
    ``count`` a quantity shown grouped (``3 660``; a text cell as given: ``8,3``). ``wide``
    columns appear in CSV and XLSX only (bank details, long texts)."""

    title: str
    kind: Kind = "text"
    wide: bool = False


@dataclass(slots=True)
class Listing:
    """Rows of a report with their columns; ``total`` is a last row set apart; ``data`` is
    the JSON-ready read model printed for ``json``."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    data: Any
    total: Sequence[Any] | None = None
    notes: list[str] = field(default_factory=list)
    total_in_table: bool = True
    """False when a total row would be too wide for a terminal (the caller prints it
    otherwise); CSV and XLSX always carry it."""


def rubles(kopecks: int) -> str:
    """Kopecks in a table cell: ``1 234,56`` (no-break space between thousands, ``−`` for a
    negative amount; the column's title says «₽»)."""
    return fmt.money(kopecks)


def emit(listing: Listing, fmt: Format, out: Path | None, *,
         extra: Callable[[Console], None] | None = None) -> None:
    """Print ``listing`` in ``fmt`` to the terminal, or write it to ``out`` (replaced whole:
    a reader never sees half a file). XLSX needs ``out``. ``extra`` prints more after a table
    (breakdowns). ``notes`` follow a table; with another format they go to stderr, so
    the data printed stays clean."""
    if fmt is Format.table:
        if out is not None:
            fail("таблица печатается на экран; для файла выберите --format csv, json или "
                 "xlsx", EXIT_INPUT)
        print_table(listing, console)
        if extra is not None:
            extra(console)
    elif fmt is Format.xlsx:
        if out is None:
            fail("для формата xlsx укажите файл: --out ИМЯ.xlsx", EXIT_INPUT)
        _replace(out, lambda path: write_xlsx(listing, path))
        errors.print(f"Записан файл {out}: строк {len(listing.rows)}", soft_wrap=True)
    else:
        text = to_csv(listing) if fmt is Format.csv else to_json(listing.data)
        if out is None:
            console.file.write(text)
            console.file.flush()
        else:
            _replace(out, lambda path: path.write_text(text, encoding="utf-8", newline=""))
            errors.print(f"Записан файл {out}: строк {len(listing.rows)}", soft_wrap=True)
    for note in listing.notes:
        (console if fmt is Format.table else errors).print(note)


def print_table(listing: Listing, target: Console) -> None:
    """The listing as a compact rich table (a rule under the header, one space between
    columns, no edges). Numbers and codes are never wrapped nor cut: the text columns share
    what the terminal has left and are cut with «…» (the CSV and JSON carry them whole)."""
    table = Table(title=listing.title, box=box.SIMPLE_HEAD, padding=0, show_edge=False,
                  title_justify="left")
    shown = [i for i, c in enumerate(listing.columns) if not c.wide]
    rows = [[_cell(row[i], listing.columns[i].kind) for i in shown] for row in listing.rows]
    total = ([_cell(listing.total[i], listing.columns[i].kind) for i in shown]
             if listing.total is not None and listing.total_in_table else None)
    every = [*rows, *([total] if total else [])]
    widths = [max([cell_len(listing.columns[i].title), *(cell_len(r[n]) for r in every)])
              for n, i in enumerate(shown)]
    texts = [n for n, i in enumerate(shown) if listing.columns[i].kind == "text"]
    left = target.width - sum(w for n, w in enumerate(widths) if n not in texts) \
        - len(shown) + 1
    room: dict[int, int] = {}
    for k, n in enumerate(sorted(texts, key=lambda n: widths[n])):
        # the narrowest take what they need, the rest share what is left
        room[n] = max(8, min(widths[n], left // (len(texts) - k)))
        left -= room[n]
    for n, i in enumerate(shown):
        c = listing.columns[i]
        if c.kind == "text":
            table.add_column(c.title, overflow="ellipsis", no_wrap=True, max_width=room[n])
        elif c.kind == "code":
            table.add_column(c.title, no_wrap=True, min_width=widths[n])
        else:
            table.add_column(c.title, justify="right", no_wrap=True, min_width=widths[n])
    for cells in rows:
        table.add_row(*cells)
    if total is not None:
        table.add_section()
        table.add_row(*total, style="bold")
    target.print(table)


def _cell(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        return rubles(value)
    if kind == "count" and isinstance(value, int):
        return fmt.count(value)
    return str(value)


def to_csv(listing: Listing) -> str:
    """CSV (comma, UTF-8, Russian titles in the header); money as ``1234.56``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.title for c in listing.columns])
    rows: Iterable[Sequence[Any]] = listing.rows
    if listing.total is not None:
        rows = [*listing.rows, listing.total]
    for row in rows:
        writer.writerow(["" if v is None else format_kopecks(v) if c.kind == "money" else v
                         for c, v in zip(listing.columns, row, strict=True)])
    return buffer.getvalue()


def to_json(data: Any) -> str:
    """The read model as indented JSON (Cyrillic as is)."""
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [d.model_dump(mode="json") if hasattr(d, "model_dump") else d for d in data]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_xlsx(listing: Listing, path: Path) -> None:
    """One sheet: the title, the header, the rows and the total; money as numbers with two
    decimals, counts as integers."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet(listing.title[:31].translate(str.maketrans("[]:*?/\\",
                                                                              "()_____")))
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
        sheet.write_string(0, 0, listing.title, bold)
        for col, c in enumerate(listing.columns):
            sheet.write_string(1, col, c.title, bold)
            sheet.set_column(col, col, 16 if c.kind == "money" else max(12, len(c.title) + 2))
        rows = [(r, False) for r in listing.rows]
        if listing.total is not None:
            rows.append((listing.total, True))
        for n, (row, is_total) in enumerate(rows, start=2):
            for col, (c, value) in enumerate(zip(listing.columns, row, strict=True)):
                if value is None:
                    continue
                if c.kind == "money":
                    sheet.write_number(n, col, Decimal(value).scaleb(-2),
                                       money_bold if is_total else money)
                elif c.kind == "int" or (c.kind == "count" and isinstance(value, int)):
                    sheet.write_number(n, col, int(value), bold if is_total else None)
                else:
                    sheet.write_string(n, col, str(value), bold if is_total else None)


def _replace(out: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside ``out`` and rename it over ``out``."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
