"""Acts of refused access to a meter (акты о недопуске), for the ×1.5 of electricity by norm.

Revision ID: 0102
Revises: 0101
Create Date: 2026-11-28

A standing act (not cancelled) is unique per premises, service and act number: a partial
unique index, which SQLite and PostgreSQL both support.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0102"
down_revision: str | None = "0101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = "meter_access_refusals"
STANDING = sa.text("cancelled_at IS NULL")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("premises_id", BIG_ID, nullable=False),
        sa.Column("account_id", BIG_ID, nullable=True),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("meter_id", BIG_ID, nullable=True),
        sa.Column("refused_on", sa.Date(), nullable=False),
        sa.Column("act_number", sa.String(length=64), nullable=False),
        sa.Column("drawn_up_by", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("(cancelled_at IS NULL) = (cancel_reason IS NULL)",
                           name=op.f(f"ck_{TABLE}_cancel_has_reason")),
        sa.CheckConstraint("length(act_number) > 0",
                           name=op.f(f"ck_{TABLE}_act_number_present")),
        sa.ForeignKeyConstraint(["premises_id"], ["premises.id"],
                                name=op.f(f"fk_{TABLE}_premises_id_premises")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f(f"fk_{TABLE}_account_id_accounts")),
        sa.ForeignKeyConstraint(["meter_id"], ["meters.id"],
                                name=op.f(f"fk_{TABLE}_meter_id_meters")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_account_id"), TABLE, ["account_id"], unique=False)
    op.create_index(f"ix_{TABLE}_premises_service", TABLE,
                    ["premises_id", "service", "refused_on"], unique=False)
    op.create_index(f"uq_{TABLE}_standing_act", TABLE, ["premises_id", "service", "act_number"],
                    unique=True, sqlite_where=STANDING, postgresql_where=STANDING)


def downgrade() -> None:
    op.drop_index(f"uq_{TABLE}_standing_act", table_name=TABLE)
    op.drop_index(f"ix_{TABLE}_premises_service", table_name=TABLE)
    op.drop_index(op.f(f"ix_{TABLE}_account_id"), table_name=TABLE)
    op.drop_table(TABLE)
