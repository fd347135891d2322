"""Tables of the cash desk (касса): cash shifts and the receipts taken in them.

A shift (кассовая смена) is one cashier at one desk from its opening to its closing: the
opening float (размен) in the drawer, and at the close the totals by method that were
reconciled with the payments finance holds, the cash expected in the drawer and the cash
counted. A cashier has at most one open shift (a partial unique index, so that two requests
at the same moment cannot both open one).

A receipt is one finance payment taken at the desk (``kind = 'payment'``) or the storno of one
handed back from the drawer or to the card (``kind = 'refund'``): its method, and for cash the
sum tendered and the change given. The payment itself, its allocation and the balance are
finance's (``payments`` with channel ``cashdesk``).

Money is never edited, as in finance (migration 0120, SQLite and PostgreSQL alike): a receipt
is never updated or deleted, nor written into a closed shift; a shift is never deleted, and
is updated once — when it closes, which sets the closing fields and nothing else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from zhkh.modules.db.base import Base, IdPK, UtcDateTime, integer_check, one_of

METHODS = ("cash", "card")
RECEIPT_KINDS = ("payment", "refund")
CLOSING = ("closed_at", "closed_by", "cash_kopecks", "card_kopecks", "expected_cash_kopecks",
           "counted_cash_kopecks")
"""The fields a shift's close sets (all at once; null while it is open)."""


class CashShift(Base):
    """Кассовая смена: a cashier at a desk from the opening to the close."""

    __tablename__ = "cash_shifts"
    __table_args__ = (
        CheckConstraint("opening_float_kopecks >= 0", name="float_nonnegative"),
        CheckConstraint("counted_cash_kopecks IS NULL OR counted_cash_kopecks >= 0",
                        name="counted_nonnegative"),
        CheckConstraint("(" + " AND ".join(f"{c} IS NULL" for c in CLOSING) + ") OR ("
                        + " AND ".join(f"{c} IS NOT NULL" for c in CLOSING) + ")",
                        name="closed_whole"),
        *(integer_check(c) for c in ("opening_float_kopecks", "cash_kopecks", "card_kopecks",
                                     "expected_cash_kopecks", "counted_cash_kopecks")),
        Index("ux_cash_shifts_open_cashier", "cashier", unique=True,
              sqlite_where=text("closed_at IS NULL"),
              postgresql_where=text("closed_at IS NULL")),
        Index("ix_cash_shifts_opened_at", "opened_at"),
    )

    id: Mapped[IdPK]
    cashier: Mapped[str] = mapped_column(String(128))
    """The principal who opened it (``api_key:3:…`` or a signed-in user)."""
    desk: Mapped[str] = mapped_column(String(100))
    """Where: the cash desk's name or place (``Касса 1, ул. Ленина, 1``)."""
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    opening_float_kopecks: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(128))
    cash_kopecks: Mapped[int | None]
    """Cash taken less cash handed back, as reconciled at the close."""
    card_kopecks: Mapped[int | None]
    expected_cash_kopecks: Mapped[int | None]
    """The opening float plus the cash total: what the drawer should hold."""
    counted_cash_kopecks: Mapped[int | None]


class CashReceipt(Base):
    """A payment taken at the desk, or the storno of one handed back, in a shift."""

    __tablename__ = "cash_receipts"
    __table_args__ = (
        one_of("method", METHODS),
        one_of("kind", RECEIPT_KINDS),
        CheckConstraint("(kind = 'payment' AND amount_kopecks > 0) OR "
                        "(kind = 'refund' AND amount_kopecks < 0)", name="amount_signed"),
        CheckConstraint("(method = 'card' AND tendered_kopecks IS NULL AND change_kopecks "
                        "IS NULL) OR (method = 'cash' AND kind = 'refund' AND tendered_kopecks "
                        "IS NULL AND change_kopecks IS NULL) OR (method = 'cash' AND kind = "
                        "'payment' AND change_kopecks >= 0 AND tendered_kopecks - "
                        "change_kopecks = amount_kopecks)", name="change_adds_up"),
        *(integer_check(c) for c in ("amount_kopecks", "tendered_kopecks", "change_kopecks")),
    )

    id: Mapped[IdPK]
    shift_id: Mapped[int] = mapped_column(ForeignKey("cash_shifts.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(8))
    amount_kopecks: Mapped[int]
    """The payment's amount (a refund: the storno's, negative)."""
    tendered_kopecks: Mapped[int | None]
    """Cash handed over by the payer (a cash payment only)."""
    change_kopecks: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
