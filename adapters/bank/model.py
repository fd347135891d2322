"""What a payment registry is made of once read: lines, footer, totals. Money is integer
kopecks; dates are ``datetime.date``; nothing here knows the file's layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import NamedTuple

from zhkh.kernel.period import Period

MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards of the reader: a file above ``max_bytes`` is refused before it is read, and a
    line above ``max_line_bytes`` is refused without reading it whole."""

    max_bytes: int = MAX_BYTES
    max_line_bytes: int = 64 * 1024


@dataclass(frozen=True, slots=True)
class Reading:
    """A meter reading that came inside a registry line (``CounterVal_<counter>:<value>``):
    ``counter`` is the meter's number on the payment document, as written."""

    counter: str
    value: Decimal


class RegistryLine(NamedTuple):
    """One payment of a registry. ``amount`` (> 0) is what the payer paid and what the account
    is credited with; ``commission`` (≥ 0) is the bank's fee kept apart; ``amount_to_transfer``
    is what the bank sends on, when the format says. ``account`` is the ЛС as written.

    ``line_number`` and ``raw`` (the decoded line) are filled by the parser; the renderer
    ignores them. A NamedTuple rather than a frozen dataclass: a frozen dataclass spends
    ~4 µs per instance in ``__init__``, four seconds of a million-line registry.
    """

    payment_date: date
    account: str
    amount: int
    commission: int = 0
    amount_to_transfer: int | None = None
    payment_time: time | None = None
    operation_id: str | None = None
    payer: str | None = None
    address: str | None = None
    period: Period | None = None
    branch: str | None = None
    cashier: str | None = None
    document_number: str | None = None
    channel: str | None = None
    readings: tuple[Reading, ...] = ()
    line_number: int = 0
    raw: str = ""

    @property
    def identity(self) -> tuple[str | None, date, int]:
        """What makes a line the same payment across re-exported files: bank operation id,
        payment date and amount."""
        return (self.operation_id, self.payment_date, self.amount)


@dataclass(frozen=True, slots=True)
class Totals:
    """Line count and sums of a registry (kopecks). ``amount_to_transfer`` is None when the
    format has no such column."""

    line_count: int
    amount: int
    commission: int
    amount_to_transfer: int | None


@dataclass(frozen=True, slots=True)
class Footer:
    """The control line as written by the bank (``=…``); a total the profile does not carry
    is None."""

    line_number: int
    line_count: int | None = None
    amount: int | None = None
    amount_to_transfer: int | None = None
    commission: int | None = None
    order_number: str | None = None
    order_date: date | None = None
    raw: str = ""


@dataclass(frozen=True, slots=True)
class RegistrySummary:
    """What a streamed registry tells after its last line: the file's identity (``content_hash``
    is the sha256 hex of its bytes), size, totals of the lines and the footer as written."""

    profile: str
    file_name: str | None
    content_hash: str
    size: int
    totals: Totals
    footer: Footer | None


@dataclass(frozen=True, slots=True)
class ParsedRegistry:
    """A payment registry that passed every check: each line is valid, the footer (when the
    format has one) equals the totals of the lines. ``content_hash`` is the sha256 (hex) of the
    file's bytes, the identity of the file for duplicate checks."""

    profile: str
    file_name: str | None
    content_hash: str
    size: int
    lines: tuple[RegistryLine, ...]
    totals: Totals
    footer: Footer | None


@dataclass(frozen=True, slots=True)
class FooterInput:
    """What the renderer cannot compute for a footer: the bank's payment order."""

    order_number: str | None = None
    order_date: date | None = None
