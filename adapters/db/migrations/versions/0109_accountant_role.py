"""The ``accountant`` role (бухгалтер) allowed for API keys.

The role list of ``api_keys`` is a CHECK constraint (``modules/access/permissions.py`` ROLES);
it is rebuilt with the new role (SQLite rebuilds the table in batch mode). A downgrade fails
while a key of the role exists (the old constraint refuses it): no key is deleted by it.

Revision ID: 0109
Revises: 0108
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0109"
down_revision: str | None = "0108"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("admin", "methodologist", "operator", "passport_officer", "cashier", "dispatcher",
          "analyst", "auditor", "external_system")
AFTER = (*BEFORE, "accountant")
NAME = "ck_api_keys_role_allowed"


def _recreate(roles: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{r}'" for r in roles)
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint(op.f(NAME), type_="check")
        batch.create_check_constraint(op.f(NAME), f"role IN ({listed})")


def upgrade() -> None:
    _recreate(AFTER)


def downgrade() -> None:
    _recreate(BEFORE)
