"""Benefit assignments (passport) and quality incidents (complaints), read by the monthly run.

Chained after 0102 so the history keeps one head (the id 0003 was reserved when 0100 was the
head).

Revision ID: 0103
Revises: 0102
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0103"
down_revision: str | None = "0102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INCIDENT_KINDS = ("interruption", "temperature", "pressure", "tko_delay", "unsafe")
"""Frozen copy of ``zhkh.modules.complaints.models.INCIDENT_KINDS`` at this revision."""


def upgrade() -> None:
    op.create_table(
        "benefit_assignments",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("account_id", BIG_ID, nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.CheckConstraint("date_to IS NULL OR date_to >= date_from",
                           name=op.f("ck_benefit_assignments_dates_ordered")),
        sa.CheckConstraint("length(category) > 0",
                           name=op.f("ck_benefit_assignments_category_not_empty")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_benefit_assignments_account_id_accounts")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_benefit_assignments_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_assignments")),
    )
    op.create_index("ix_benefit_assignments_account_dates", "benefit_assignments",
                    ["account_id", "date_from"], unique=False)
    op.create_index(op.f("ix_benefit_assignments_person_id"), "benefit_assignments",
                    ["person_id"], unique=False)
    kinds = ", ".join(f"'{k}'" for k in INCIDENT_KINDS)
    op.create_table(
        "quality_incidents",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("house_id", BIG_ID, nullable=False),
        sa.Column("premises_id", BIG_ID, nullable=True),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("magnitude_micro", sa.BigInteger(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_quality_incidents_kind_allowed")),
        sa.CheckConstraint("ended_at IS NULL OR ended_at > started_at",
                           name=op.f("ck_quality_incidents_times_ordered")),
        sa.CheckConstraint("magnitude_micro = CAST(magnitude_micro AS BIGINT)",
                           name=op.f("ck_quality_incidents_magnitude_micro_integer")),
        sa.CheckConstraint("magnitude_micro IS NULL OR magnitude_micro >= 0",
                           name=op.f("ck_quality_incidents_magnitude_nonnegative")),
        sa.ForeignKeyConstraint(["house_id"], ["houses.id"],
                                name=op.f("fk_quality_incidents_house_id_houses")),
        sa.ForeignKeyConstraint(["premises_id"], ["premises.id"],
                                name=op.f("fk_quality_incidents_premises_id_premises")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_incidents")),
    )
    op.create_index("ix_quality_incidents_house_started", "quality_incidents",
                    ["house_id", "started_at"], unique=False)
    op.create_index(op.f("ix_quality_incidents_premises_id"), "quality_incidents",
                    ["premises_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_quality_incidents_premises_id"), table_name="quality_incidents")
    op.drop_index("ix_quality_incidents_house_started", table_name="quality_incidents")
    op.drop_table("quality_incidents")
    op.drop_index(op.f("ix_benefit_assignments_person_id"), table_name="benefit_assignments")
    op.drop_index("ix_benefit_assignments_account_dates", table_name="benefit_assignments")
    op.drop_table("benefit_assignments")
