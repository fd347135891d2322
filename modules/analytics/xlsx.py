"""The collection report as an XLSX workbook (XlsxWriter, in memory): a sheet of months and a
sheet of groups, each with its total row. Money is a number with two decimals made from the
exact kopecks (``Decimal.scaleb``), never from a float of ours; the rate a percent number."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from zhkh.modules.analytics.collection import GROUP_TITLES, Collection, age_labels

MONTHS_SHEET = "По месяцам"


GROUP_SHEETS = {"house": "По домам", "provider": "По поставщикам", "service": "По услугам",
                "company": "По управляющим организациям"}
"""The title of the groups' sheet per grouping (a sheet title is at most 31 characters)."""


def group_sheet_title(report: Collection) -> str:
    """The title of the groups' sheet of ``report``."""
    return GROUP_SHEETS[report.by]


def collection_xlsx(report: Collection) -> bytes:
    """The workbook's bytes. Months: month, charged, paid, posted, rate; groups: name, code,
    charged, paid, rate, debt, debt by age. The last row of each sheet is «Итого»."""
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        styles = {"bold": book.add_format({"bold": True}),
                  "money": book.add_format({"num_format": "#,##0.00"}),
                  "money_bold": book.add_format({"num_format": "#,##0.00", "bold": True}),
                  "rate": book.add_format({"num_format": "0.0"}),
                  "rate_bold": book.add_format({"num_format": "0.0", "bold": True})}
        months = [[m.period, m.charged, m.paid, m.posted, m.rate] for m in report.months]
        total_month = ["Итого", sum(m.charged for m in report.months),
                       sum(m.paid for m in report.months),
                       sum(m.posted for m in report.months), None]
        _sheet(book, styles, MONTHS_SHEET,
               ["Месяц", "Начислено, руб.", "Оплачено, руб.", "Проведено платежей, руб.",
                "Собираемость, %"], "tmmmr", months, total_month)
        groups = [[g.name, g.key or "", g.charged, g.paid, g.rate, g.debt_total, *g.debt]
                  for g in report.groups]
        t = report.total
        _sheet(book, styles, group_sheet_title(report),
               [GROUP_TITLES[report.by], "Код", "Начислено, руб.", "Оплачено, руб.",
                "Собираемость, %", "Долг, руб.", *(f"Долг {a} дн., руб." for a in age_labels())],
               "ttmmrm" + "m" * len(t.debt), groups,
               ["Итого", "", t.charged, t.paid, t.rate, t.debt_total, *t.debt])
    return buffer.getvalue()


def _sheet(book: Any, styles: dict[str, Any], title: str, header: Sequence[str], kinds: str,
           rows: Sequence[Sequence[Any]], total: Sequence[Any]) -> None:
    sheet = book.add_worksheet(title)
    for col, name in enumerate(header):
        sheet.write_string(0, col, name, styles["bold"])
        sheet.set_column(col, col, 16 if kinds[col] != "t" else 28)
    for n, row in enumerate([*rows, total], start=1):
        bold = n == len(rows) + 1
        for col, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is None:
                continue
            if kind == "m":
                sheet.write_number(n, col, Decimal(value).scaleb(-2),
                                   styles["money_bold" if bold else "money"])
            elif kind == "r":
                sheet.write_number(n, col, Decimal(value).scaleb(-1),
                                   styles["rate_bold" if bold else "rate"])
            else:
                sheet.write_string(n, col, str(value), styles["bold"] if bold else None)
