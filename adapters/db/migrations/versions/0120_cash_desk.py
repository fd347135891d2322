"""The cash desk: cash shifts and their receipts, and the ``senior_cashier`` role for API keys.

Tables of ``zhkh.modules.cashdesk.models``. Then the protection, on SQLite and PostgreSQL
alike (as the payments tables of 0108):

* a receipt is never updated or deleted, and never written into a closed shift;
* a shift is never deleted and is updated once: the close, which sets the closing fields
  and leaves the cashier, the desk, the opening time and float as they were; a closed shift
  is never updated again (PostgreSQL: TRUNCATE of either table refused too).

The role list of ``api_keys`` (a CHECK) is rebuilt with ``senior_cashier`` as 0109 did; a
downgrade fails while a key of the role exists (no key is deleted by it).

Revision ID: 0120
Revises: 0121 (0117 when written; chained after main's latest)
Create Date: 2026-12-07
"""
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0120"
down_revision: str | None = "0121"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

ROLES_BEFORE = ("admin", "methodologist", "operator", "passport_officer", "cashier",
                "dispatcher", "analyst", "auditor", "external_system", "accountant")
ROLES_AFTER = (*ROLES_BEFORE, "senior_cashier")
ROLE_CHECK = "ck_api_keys_role_allowed"

MSG_RECEIPT = ("кассовые записи не изменяются и не удаляются: ошибочная оплата сторнируется "
               "новой записью")
MSG_CLOSED = "смена закрыта: в неё ничего не записывается"
MSG_SHIFT = "кассовая смена не удаляется и изменяется один раз — при закрытии"
CLOSING = ("closed_at", "closed_by", "cash_kopecks", "card_kopecks", "expected_cash_kopecks",
           "counted_cash_kopecks")
KEPT = ("id", "cashier", "desk", "opened_at", "opening_float_kopecks")


def _closing_once(op_: str) -> str:
    """SQL: the update is the close (``op_``: SQLite's ``IS NOT``, PostgreSQL's ``IS
    DISTINCT FROM``)."""
    kept = " AND ".join(f"NOT (NEW.{c} {op_} OLD.{c})" for c in KEPT)
    return f"OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL AND {kept}"


def _shift_closed(row: str) -> str:
    return (f"EXISTS (SELECT 1 FROM cash_shifts s WHERE s.id = {row}.shift_id "
            "AND s.closed_at IS NOT NULL)")


SQLITE_UP = [
    f"CREATE TRIGGER cash_receipts_no_update BEFORE UPDATE ON cash_receipts "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_RECEIPT}'); END",
    f"CREATE TRIGGER cash_receipts_no_delete BEFORE DELETE ON cash_receipts "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_RECEIPT}'); END",
    f"CREATE TRIGGER cash_receipts_shift_open BEFORE INSERT ON cash_receipts "
    f"WHEN {_shift_closed('NEW')} BEGIN SELECT RAISE(ABORT, '{MSG_CLOSED}'); END",
    f"CREATE TRIGGER cash_shifts_no_delete BEFORE DELETE ON cash_shifts "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_SHIFT}'); END",
    f"CREATE TRIGGER cash_shifts_closed_once BEFORE UPDATE ON cash_shifts "
    f"WHEN NOT ({_closing_once('IS NOT')}) BEGIN SELECT RAISE(ABORT, '{MSG_SHIFT}'); END",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "cash_receipts_no_update", "cash_receipts_no_delete", "cash_receipts_shift_open",
    "cash_shifts_no_delete", "cash_shifts_closed_once")]

PG_FUNCTIONS = {
    "zhkh_cash_receipts_frozen": f"RAISE EXCEPTION '{MSG_RECEIPT}' USING ERRCODE = "
                                 "'restrict_violation';",
    "zhkh_cash_receipts_inserted": f"""IF {_shift_closed('NEW')} THEN
        RAISE EXCEPTION '{MSG_CLOSED}' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;""",
    "zhkh_cash_shifts_changed": f"""IF TG_OP = 'UPDATE' AND {_closing_once('IS DISTINCT FROM')} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MSG_SHIFT}' USING ERRCODE = 'restrict_violation';""",
}
PG_UP = [
    *(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    {body}\n"
      f"END $$" for name, body in PG_FUNCTIONS.items()),
    "CREATE TRIGGER cash_receipts_frozen BEFORE UPDATE OR DELETE ON cash_receipts "
    "FOR EACH ROW EXECUTE FUNCTION zhkh_cash_receipts_frozen()",
    "CREATE TRIGGER cash_receipts_no_truncate BEFORE TRUNCATE ON cash_receipts "
    "FOR EACH STATEMENT EXECUTE FUNCTION zhkh_cash_receipts_frozen()",
    "CREATE TRIGGER cash_receipts_inserted BEFORE INSERT ON cash_receipts "
    "FOR EACH ROW EXECUTE FUNCTION zhkh_cash_receipts_inserted()",
    "CREATE TRIGGER cash_shifts_changed BEFORE UPDATE OR DELETE ON cash_shifts "
    "FOR EACH ROW EXECUTE FUNCTION zhkh_cash_shifts_changed()",
    "CREATE TRIGGER cash_shifts_no_truncate BEFORE TRUNCATE ON cash_shifts "
    "FOR EACH STATEMENT EXECUTE FUNCTION zhkh_cash_receipts_frozen()",
]


def _roles(roles: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{r}'" for r in roles)
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint(op.f(ROLE_CHECK), type_="check")
        batch.create_check_constraint(op.f(ROLE_CHECK), f"role IN ({listed})")


def upgrade() -> None:
    _roles(ROLES_AFTER)
    op.create_table('cash_shifts',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('cashier', sa.String(length=128), nullable=False),
    sa.Column('desk', sa.String(length=100), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('opening_float_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=128), nullable=True),
    sa.Column('cash_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('card_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('expected_cash_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('counted_cash_kopecks', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('opening_float_kopecks >= 0', name=op.f('ck_cash_shifts_float_nonnegative')),
    sa.CheckConstraint('counted_cash_kopecks IS NULL OR counted_cash_kopecks >= 0', name=op.f('ck_cash_shifts_counted_nonnegative')),
    sa.CheckConstraint('(' + ' AND '.join(f'{c} IS NULL' for c in CLOSING) + ') OR (' + ' AND '.join(f'{c} IS NOT NULL' for c in CLOSING) + ')', name=op.f('ck_cash_shifts_closed_whole')),
    *(sa.CheckConstraint(f'{c} = CAST({c} AS BIGINT)', name=op.f(f'ck_cash_shifts_{c}_integer'))
      for c in ('opening_float_kopecks', 'cash_kopecks', 'card_kopecks', 'expected_cash_kopecks', 'counted_cash_kopecks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_shifts'))
    )
    op.create_index('ux_cash_shifts_open_cashier', 'cash_shifts', ['cashier'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
    op.create_index('ix_cash_shifts_opened_at', 'cash_shifts', ['opened_at'], unique=False)
    op.create_table('cash_receipts',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('shift_id', BIG_ID, nullable=False),
    sa.Column('payment_id', BIG_ID, nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('amount_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('tendered_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('change_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("method IN ('cash', 'card')", name=op.f('ck_cash_receipts_method_allowed')),
    sa.CheckConstraint("kind IN ('payment', 'refund')", name=op.f('ck_cash_receipts_kind_allowed')),
    sa.CheckConstraint("(kind = 'payment' AND amount_kopecks > 0) OR (kind = 'refund' AND amount_kopecks < 0)", name=op.f('ck_cash_receipts_amount_signed')),
    sa.CheckConstraint("(method = 'card' AND tendered_kopecks IS NULL AND change_kopecks IS NULL) OR (method = 'cash' AND kind = 'refund' AND tendered_kopecks IS NULL AND change_kopecks IS NULL) OR (method = 'cash' AND kind = 'payment' AND change_kopecks >= 0 AND tendered_kopecks - change_kopecks = amount_kopecks)", name=op.f('ck_cash_receipts_change_adds_up')),
    *(sa.CheckConstraint(f'{c} = CAST({c} AS BIGINT)', name=op.f(f'ck_cash_receipts_{c}_integer'))
      for c in ('amount_kopecks', 'tendered_kopecks', 'change_kopecks')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_cash_receipts_payment_id_payments')),
    sa.ForeignKeyConstraint(['shift_id'], ['cash_shifts.id'], name=op.f('fk_cash_receipts_shift_id_cash_shifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_receipts')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_cash_receipts_payment_id'))
    )
    op.create_index(op.f('ix_cash_receipts_shift_id'), 'cash_receipts', ['shift_id'], unique=False)
    for statement in PG_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    op.drop_table('cash_receipts')
    op.drop_table('cash_shifts')
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    _roles(ROLES_BEFORE)
