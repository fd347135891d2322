"""The penalty state as one row per account (``penalty_states``), its inputs packed.

0127 kept the state as a row per input (``penalty_state``: about six per account) and a head
row per account (``penalty_state_heads``). The penalty phase rewrites the state of every
account it runs over each month: measured at 50,000 accounts, deleting and writing those
rows (each with its index entries; the head also with its foreign key checked row by row)
cost the server more than reading the month's bookings. Now one row per account holds its
month, the rules version and the inputs as packed integers (see the model); no foreign key:
a cache, rebuildable from the ledger at any time.

The old tables are dropped, not converted: the next run of the penalty phase reads those
accounts whole (as for any account without a state) and builds the new state.

Revision ID: 0128
Revises: 0127
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0128"
down_revision: str | None = "0127"
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
    op.drop_table("penalty_state_heads")
    op.drop_table("penalty_state")
    op.create_table(
        "penalty_states",
        sa.Column("account_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("as_of", PERIOD, nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        *_period_checks("as_of", op.f("ck_penalty_states_as_of_format")),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_penalty_states")),
    )


def downgrade() -> None:
    op.drop_table("penalty_states")
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
