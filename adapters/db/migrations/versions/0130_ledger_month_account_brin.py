"""PostgreSQL: the ledger's BRIN summarises the account beside the booking month.

The penalty phase reads, per batch of accounts, every line a closed month booked for them.
With the BRIN of ``period_booked`` alone that was the whole month's pages for every batch, so
0127 read them through ``(account_id, period_for)`` and a partial index of the lines booked
about an earlier month — which walks each account's entries of all its months: every leaf of
a 2 GB index per run at a million accounts, read from disk when the month's pages are not in
memory. Lines arrive in booking order, and within a month in the run's order of accounts, so
a BRIN of ``(period_booked, account_id)`` finds the month's pages of a range of accounts
(≈40 MB for 20,000 accounts of a million, one query instead of three). It answers whatever
the BRIN of ``period_booked`` answered and replaces it; the partial index 0127 made for the
phase goes (no other reader).

Revision ID: 0130
Revises: 0129
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0130"
down_revision: str | None = "0129"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_ledger_lines_booked_account_brin", "ledger_lines",
                    ["period_booked", "account_id"], postgresql_using="brin")
    op.drop_index("ix_ledger_lines_booked_brin", table_name="ledger_lines")
    op.drop_index("ix_ledger_lines_account_booked_other", table_name="ledger_lines")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_ledger_lines_account_booked_other", "ledger_lines",
                    ["account_id", "period_booked"],
                    postgresql_where=sa.text("period_for <> period_booked"))
    op.create_index("ix_ledger_lines_booked_brin", "ledger_lines", ["period_booked"],
                    postgresql_using="brin")
    op.drop_index("ix_ledger_lines_booked_account_brin", table_name="ledger_lines")
