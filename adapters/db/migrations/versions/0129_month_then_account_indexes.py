"""Payments and their allocation rows indexed by month, then account.

The penalty phase asks, per batch of accounts, which of them had a payment posted in the open
month but dated before it (or a storno): ``posted_period = M AND account_id BETWEEN …``. With
an index of ``posted_period`` alone PostgreSQL's reused (generic) plan preferred the accounts'
index and read every payment of every account of the batch — 13 s of a million-account phase
for a month without a single late payment. ``(posted_period, account_id)`` answers it as one
index range, and serves whatever ``posted_period`` alone served; it replaces that index, so a
payment written costs no more index entries than before.

Likewise the allocation rows a closed month booked, read per batch by the phase: 0127 indexed
them ``(account_id, period_booked)``, which a range of accounts reads entry by entry through all
their months (about seventy entries an account for the two it wants: ≈5 s of the server's time
in a million-account phase); ``(period_booked, account_id)`` holds a month's rows of a range of
accounts side by side. Nothing else read the index 0127 made; this one replaces it.

Revision ID: 0129
Revises: 0128
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0129"
down_revision: str | None = "0128"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_payments_posted_account", "payments", ["posted_period", "account_id"])
    op.drop_index("ix_payments_posted_period", table_name="payments")
    op.create_index("ix_payment_allocations_booked_account", "payment_allocations",
                    ["period_booked", "account_id"])
    op.drop_index("ix_payment_allocations_account_booked", table_name="payment_allocations")


def downgrade() -> None:
    op.create_index("ix_payment_allocations_account_booked", "payment_allocations",
                    ["account_id", "period_booked"])
    op.drop_index("ix_payment_allocations_booked_account", table_name="payment_allocations")
    op.create_index("ix_payments_posted_period", "payments", ["posted_period"])
    op.drop_index("ix_payments_posted_account", table_name="payments")
