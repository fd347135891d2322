"""Data scope of API keys and the personal-data access log (152-ФЗ).

``api_keys.scope``: NULL = every management company (all existing keys keep seeing
everything), else company ids by commas. ``personal_data_access``: one row per read of a
person's personal data — who, when, whose, what and why — append-only: triggers refuse UPDATE
and DELETE on SQLite and PostgreSQL, ``INSERT OR REPLACE`` over an existing row on SQLite
and TRUNCATE on PostgreSQL (an upsert there is an UPDATE, refused).

Revision ID: 0115
Revises: 0114
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0115"
down_revision: str | None = "0114"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "журнал доступа к персональным данным только дополняется"

SQLITE = [
    f"""CREATE TRIGGER personal_data_access_no_update BEFORE UPDATE ON personal_data_access
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER personal_data_access_no_delete BEFORE DELETE ON personal_data_access
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    # INSERT OR REPLACE over an existing id would delete the row without a DELETE trigger
    f"""CREATE TRIGGER personal_data_access_no_replace BEFORE INSERT ON personal_data_access
    WHEN EXISTS (SELECT 1 FROM personal_data_access WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRES = [
    f"""CREATE FUNCTION personal_data_access_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER personal_data_access_no_change BEFORE UPDATE OR DELETE
    ON personal_data_access FOR EACH ROW EXECUTE FUNCTION personal_data_access_append_only()""",
    """CREATE TRIGGER personal_data_access_no_truncate BEFORE TRUNCATE
    ON personal_data_access FOR EACH STATEMENT
    EXECUTE FUNCTION personal_data_access_append_only()""",
]


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("scope", sa.Text(), nullable=True))
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("what", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_personal_data_access_person_at", "personal_data_access",
                    ["person_id", "at"])
    op.create_index("ix_personal_data_access_at", "personal_data_access", ["at"])
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE personal_data_access")
        op.execute("DROP FUNCTION personal_data_access_append_only()")
    else:
        op.execute("DROP TABLE personal_data_access")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("scope")
