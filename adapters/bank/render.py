"""Payment registries written: lines → the bytes a bank would send, footer computed. The
inverse of reading, for tests, the demo and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from .dbase import render_dbf
from .model import FooterInput, RegistryLine
from .profiles import Profile
from .text import render_text
from .values import format_amount, format_period

NO_ORDER = FooterInput()


def render_registry(lines: Iterable[RegistryLine], profile: Profile, *,
                    footer: FooterInput | None = NO_ORDER) -> bytes:
    """The bytes of a payment registry of ``lines`` in ``profile``'s layout, the inverse of
    reading: its footer carries the computed count and totals (and the payment order of
    ``footer``; ``footer=None`` leaves the control line out). Values are written as
    given — a zero amount or a future date is written, to be refused on reading — but a value
    that cannot be written (it holds the separator or a line end, or a letter the encoding
    lacks) raises :class:`RegistryError` naming the line and field.
    """
    lines = list(lines)
    if profile.kind == "dbf":
        return render_dbf([_dbf_row(line, profile) for line in lines], profile)
    written: dict[object, str] = {}
    rows = (_text_row(line, profile, written) for line in lines)
    footer_row = None
    if footer is not None and profile.footer is not None:
        footer_row = _footer_row(lines, profile, footer)
    return render_text(rows, profile, footer_row)


def _text_row(line: RegistryLine, profile: Profile,
              dates: dict[object, str] | None = None) -> dict[str, object]:
    """The line's values as written; ``dates`` remembers written dates and times."""
    dates = {} if dates is None else dates
    sep = profile.decimal_separator
    day = dates.get(line.payment_date)
    if day is None:
        day = dates[line.payment_date] = line.payment_date.strftime(profile.date_format)
    at = dates.get(line.payment_time, "") if line.payment_time else ""
    if line.payment_time and not at:
        at = dates[line.payment_time] = line.payment_time.strftime(profile.time_format)
    return {
        "date": day, "time": at, "account": line.account,
        "amount": format_amount(line.amount, sep),
        "commission": format_amount(line.commission, sep),
        "amount_to_transfer": "" if line.amount_to_transfer is None else format_amount(
            line.amount_to_transfer, sep),
        "period": format_period(line.period, profile.period_format) if line.period else "",
        "readings": [(r.counter, format(r.value, "f")) for r in line.readings],
        "operation_id": line.operation_id or "", "payer": line.payer or "",
        "address": line.address or "", "branch": line.branch or "",
        "cashier": line.cashier or "", "document_number": line.document_number or "",
        "channel": line.channel or ""}


def _footer_row(lines: list[RegistryLine], profile: Profile,
                footer: FooterInput) -> dict[str, str]:
    sep = profile.decimal_separator
    transfer = sum(line.amount_to_transfer or 0 for line in lines)
    return {"line_count": str(len(lines)),
            "amount_total": format_amount(sum(line.amount for line in lines), sep),
            "transfer_total": format_amount(transfer, sep),
            "commission_total": format_amount(sum(line.commission for line in lines), sep),
            "order_number": footer.order_number or "",
            "order_date": footer.order_date.strftime(profile.date_format)
            if footer.order_date else ""}


def _dbf_row(line: RegistryLine, profile: Profile) -> dict[str, object]:
    text = _text_row(line, replace(profile, decimal_separator="."))
    row: dict[str, object] = {}
    for column in profile.columns:
        value = text[column.field]
        if column.type == "D":
            row[column.field] = line.payment_date if column.field == "date" else None
        elif column.type == "N":
            row[column.field] = Decimal(value) if value else None  # type: ignore[arg-type]
        else:
            row[column.field] = value or None
    return row
