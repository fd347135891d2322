"""SQL of the cash desk: shifts and receipts, and the finance payments they name."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.modules.cashdesk.models import CashReceipt, CashShift
from zhkh.modules.errors import NotFound
from zhkh.modules.finance.models import Payment


class CashdeskRepository:
    """Reads and writes of shifts and receipts in the caller's transaction (never commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def shift(self, shift_id: int, *, lock: bool = False) -> CashShift:
        """The shift (locked for the rest of the transaction when ``lock``: a receipt and
        the close of one shift never interleave); ``NotFound`` (``shift_not_found``)."""
        stmt = select(CashShift).where(CashShift.id == shift_id)
        if lock:
            stmt = stmt.with_for_update()
        found = self.session.scalar(stmt)
        if found is None:
            raise NotFound("shift_not_found", f"кассовая смена {shift_id} не найдена",
                           obj=f"cash_shift:{shift_id}")
        return found

    def open_shift_of(self, cashier: str) -> CashShift | None:
        """The cashier's open shift, if any (at most one, by a unique index)."""
        return self.session.scalar(select(CashShift).where(
            CashShift.cashier == cashier, CashShift.closed_at.is_(None)))

    def add_shift(self, shift: CashShift) -> CashShift:
        self.session.add(shift)
        self.session.flush()
        return shift

    def add_receipt(self, receipt: CashReceipt) -> CashReceipt:
        self.session.add(receipt)
        self.session.flush()
        self.session.refresh(receipt)  # created_at from the database
        return receipt

    def receipts(self, shift_id: int) -> list[CashReceipt]:
        """The shift's receipts in the order taken."""
        return list(self.session.scalars(select(CashReceipt).where(
            CashReceipt.shift_id == shift_id).order_by(CashReceipt.id)))

    def receipt_of_payment(self, payment_id: int) -> CashReceipt | None:
        return self.session.scalar(select(CashReceipt).where(
            CashReceipt.payment_id == payment_id))

    def receipt(self, receipt_id: int) -> CashReceipt:
        """The receipt; ``NotFound`` (``receipt_not_found``)."""
        found = self.session.get(CashReceipt, receipt_id)
        if found is None:
            raise NotFound("receipt_not_found", f"кассовая операция {receipt_id} не найдена",
                           obj=f"cash_receipt:{receipt_id}")
        return found

    def payments(self, ids: Sequence[int]) -> dict[int, Payment]:
        """Finance's payments by id."""
        if not ids:
            return {}
        return {p.id: p for p in self.session.scalars(select(Payment).where(
            Payment.id.in_(list(ids))))}

    def stornos_of(self, ids: Sequence[int]) -> dict[int, Payment]:
        """Finance's stornos of the payments ``ids``: original id → storno."""
        if not ids:
            return {}
        return {p.reverses_id: p for p in self.session.scalars(select(Payment).where(
            Payment.reverses_id.in_(list(ids)))) if p.reverses_id is not None}
