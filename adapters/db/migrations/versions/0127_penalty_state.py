"""The penalty state: per account the inputs of its open bills as of the start of a month
(``penalty_state``, ``penalty_state_heads``), so the month's penalty phase reads the open bills
and one month's bookings instead of 36 months of history (``modules.finance.penalty_state``).

Two indexes serve the read of one month's bookings of a batch of accounts:
``payment_allocations (account_id, period_booked)`` and, on PostgreSQL (whose ledger has only a
BRIN on ``period_booked``), a partial index of the ledger lines booked in a month about an
earlier one (``period_for <> period_booked``: recalculations, corrections — few lines, so the
bulk COPY of the month's charges does not pay for it); the other lines of a month are found
by ``(account_id, period_for)``. ``penalty_state`` has no foreign key: it is a cache rewritten
every month, and PostgreSQL checked the key row by row in its COPY.

Revision ID: 0127
Revises: 0124
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0127"
down_revision: str | None = "0126"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PERIOD = sa.String(length=7).with_variant(sa.String(length=7, collation="C"), "postgresql")


def _period_checks(column: str, name: str) -> list[sa.CheckConstraint]:
    """``column`` is ``YYYY-MM`` (frozen copy of ``zhkh.modules.db.base.period_check``)."""
    forms = {
        "postgresql": f"{column} ~ '^[1-9][0-9]{{3}}-(0[1-9]|1[0-2])$'",
        "sqlite": f"{column} GLOB '[1-9][0-9][0-9][0-9]-[01][0-9]' "
                  f"AND substr({column}, 6, 2) BETWEEN '01' AND '12'",
    }
    return [sa.CheckConstraint(sql, name=name).ddl_if(dialect=d) for d, sql in forms.items()]


def upgrade() -> None:
    op.create_table(
        "penalty_state",
        sa.Column("account_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("bill", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("sub", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("amount_kopecks", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "bill", "kind", "sub",
                                name=op.f("pk_penalty_state")),
    )
    op.create_table(
        "penalty_state_heads",
        sa.Column("account_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("as_of", PERIOD, nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        *_period_checks("as_of", op.f("ck_penalty_state_heads_as_of_format")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_penalty_state_heads_account_id_accounts")),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_penalty_state_heads")),
    )
    op.create_index("ix_payment_allocations_account_booked", "payment_allocations",
                    ["account_id", "period_booked"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_ledger_lines_account_booked_other", "ledger_lines",
                        ["account_id", "period_booked"],
                        postgresql_where=sa.text("period_for <> period_booked"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_ledger_lines_account_booked_other", table_name="ledger_lines")
    op.drop_index("ix_payment_allocations_account_booked", table_name="payment_allocations")
    op.drop_table("penalty_state_heads")
    op.drop_table("penalty_state")
