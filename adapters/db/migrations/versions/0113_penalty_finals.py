"""Penalties in the run read only the open bills: per account the month below which every
bill's penalty is final (``penalty_finals``), and on PostgreSQL a partial index that finds a
batch's penalty lines of the open month for the phase's delete.

Before it, the phase re-read 36 months of history of every account every month (149 accounts/s
for 20,000 accounts × 36 months), and on PostgreSQL its ``DELETE … service = 'penalty' AND
account_id IN (…)`` was planned as a nested loop of BRIN bitmap ANDs per account (minutes for
100,000 accounts).

Revision ID: 0113
Revises: 0112
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0113"
down_revision: str | None = "0112"
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
        "penalty_finals",
        sa.Column("account_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("final_before", PERIOD, nullable=False),
        sa.Column("as_of", PERIOD, nullable=False),
        sa.Column("prior_before", PERIOD, nullable=True),
        sa.Column("version", sa.String(length=64), nullable=False),
        *_period_checks("final_before", op.f("ck_penalty_finals_final_before_format")),
        *_period_checks("as_of", op.f("ck_penalty_finals_as_of_format")),
        *_period_checks("prior_before", op.f("ck_penalty_finals_prior_before_format")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_penalty_finals_account_id_accounts")),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_penalty_finals")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_ledger_lines_penalty_account", "ledger_lines",
                        ["account_id", "period_booked"],
                        postgresql_where=sa.text("service = 'penalty'"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_ledger_lines_penalty_account", table_name="ledger_lines")
    op.drop_table("penalty_finals")
