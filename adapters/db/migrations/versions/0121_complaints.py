"""Complaints of consumers (обращения) and their history, for the dispatcher's workflow.

Tables written from ``zhkh.modules.complaints.models.Complaint`` and ``ComplaintEvent``. Then
the protection, on SQLite and PostgreSQL alike: the history (``complaint_events``) is
append-only — a row is never changed or deleted (PostgreSQL: TRUNCATE is refused too); a
complaint is never deleted, and a closed one is never changed. The workflow's record of who
did what and when is the evidence when a consumer disputes a reduction or its refusal.

Revision ID: 0121
Revises: 0123
Create Date: 2026-12-07
"""
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0121"
down_revision: str | None = "0123"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CHANNELS = ("phone", "portal", "visit")
KINDS = ("interruption", "temperature", "pressure", "tko_delay", "unsafe", "other")
STATUSES = ("new", "accepted", "inspection", "confirmed", "rejected", "closed")
"""Frozen copies of the values in ``zhkh.modules.complaints.models`` at this revision."""
MSG_HISTORY = "история обращения не изменяется и не удаляется: в неё только добавляют"
MSG_DELETE = "обращение не удаляется: его закрывают"
MSG_CLOSED = "закрытое обращение не изменяется"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_up() -> list[str]:
    return [
        "CREATE TRIGGER complaint_events_no_update BEFORE UPDATE ON complaint_events "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_HISTORY}'); END",
        "CREATE TRIGGER complaint_events_no_delete BEFORE DELETE ON complaint_events "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_HISTORY}'); END",
        "CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_DELETE}'); END",
        "CREATE TRIGGER complaints_closed_frozen BEFORE UPDATE ON complaints "
        f"WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, '{MSG_CLOSED}'); END",
    ]


def _sqlite_down() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in (
        "complaint_events_no_update", "complaint_events_no_delete", "complaints_no_delete",
        "complaints_closed_frozen")]


def _pg_up() -> list[str]:
    return [
        "CREATE FUNCTION zhkh_complaint_events_frozen() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n    RAISE EXCEPTION '{MSG_HISTORY}' USING ERRCODE = 'restrict_violation';\nEND $$",
        "CREATE TRIGGER complaint_events_frozen BEFORE UPDATE OR DELETE ON complaint_events "
        "FOR EACH ROW EXECUTE FUNCTION zhkh_complaint_events_frozen()",
        "CREATE TRIGGER complaint_events_no_truncate BEFORE TRUNCATE ON complaint_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION zhkh_complaint_events_frozen()",
        "CREATE FUNCTION zhkh_complaints_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "    IF TG_OP = 'UPDATE' AND OLD.status <> 'closed' THEN\n        RETURN NEW;\n    END IF;\n"
        f"    IF TG_OP = 'UPDATE' THEN\n        RAISE EXCEPTION '{MSG_CLOSED}' USING ERRCODE = 'restrict_violation';\n    END IF;\n"
        f"    RAISE EXCEPTION '{MSG_DELETE}' USING ERRCODE = 'restrict_violation';\n"
        "END $$",
        "CREATE TRIGGER complaints_guard BEFORE UPDATE OR DELETE ON complaints "
        "FOR EACH ROW EXECUTE FUNCTION zhkh_complaints_guard()",
        "CREATE TRIGGER complaints_no_truncate BEFORE TRUNCATE ON complaints "
        "FOR EACH STATEMENT EXECUTE FUNCTION zhkh_complaints_guard()",
    ]


def _pg_down() -> list[str]:
    return ["DROP TRIGGER IF EXISTS complaint_events_frozen ON complaint_events",
            "DROP TRIGGER IF EXISTS complaint_events_no_truncate ON complaint_events",
            "DROP FUNCTION IF EXISTS zhkh_complaint_events_frozen()",
            "DROP TRIGGER IF EXISTS complaints_guard ON complaints",
            "DROP TRIGGER IF EXISTS complaints_no_truncate ON complaints",
            "DROP FUNCTION IF EXISTS zhkh_complaints_guard()"]


def _protection(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite_up() if up else _sqlite_down()
    if dialect == "postgresql":
        return _pg_up() if up else _pg_down()
    raise NotImplementedError(f"защита истории обращений не реализована для {dialect}")


def upgrade() -> None:
    op.create_table('complaints',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('caller_name', sa.String(length=200), nullable=True),
    sa.Column('caller_phone', sa.String(length=64), nullable=True),
    sa.Column('account_id', BIG_ID, nullable=True),
    sa.Column('person_id', BIG_ID, nullable=True),
    sa.Column('house_id', BIG_ID, nullable=False),
    sa.Column('premises_id', BIG_ID, nullable=True),
    sa.Column('service', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('incident_id', BIG_ID, nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint(_in("channel", CHANNELS), name=op.f('ck_complaints_channel_allowed')),
    sa.CheckConstraint(_in("kind", KINDS), name=op.f('ck_complaints_kind_allowed')),
    sa.CheckConstraint(_in("status", STATUSES), name=op.f('ck_complaints_status_allowed')),
    sa.CheckConstraint('length(text) > 0', name=op.f('ck_complaints_text_not_empty')),
    sa.CheckConstraint("(status = 'closed') = (due_at IS NULL)", name=op.f('ck_complaints_due_iff_open')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_complaints_account_id_accounts')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_complaints_person_id_persons')),
    sa.ForeignKeyConstraint(['house_id'], ['houses.id'], name=op.f('fk_complaints_house_id_houses')),
    sa.ForeignKeyConstraint(['premises_id'], ['premises.id'], name=op.f('fk_complaints_premises_id_premises')),
    sa.ForeignKeyConstraint(['incident_id'], ['quality_incidents.id'], name=op.f('fk_complaints_incident_id_quality_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints'))
    )
    op.create_index('ix_complaints_status_due', 'complaints', ['status', 'due_at'], unique=False)
    op.create_index('ix_complaints_house_status', 'complaints', ['house_id', 'status'], unique=False)
    op.create_index(op.f('ix_complaints_account_id'), 'complaints', ['account_id'], unique=False)
    op.create_index(op.f('ix_complaints_person_id'), 'complaints', ['person_id'], unique=False)
    op.create_index(op.f('ix_complaints_premises_id'), 'complaints', ['premises_id'], unique=False)
    op.create_index(op.f('ix_complaints_created_by'), 'complaints', ['created_by'], unique=False)
    op.create_table('complaint_events',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('complaint_id', BIG_ID, nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.CheckConstraint(_in("from_status", STATUSES), name=op.f('ck_complaint_events_from_status_allowed')),
    sa.CheckConstraint(_in("to_status", STATUSES), name=op.f('ck_complaint_events_to_status_allowed')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_events_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_events'))
    )
    op.create_index('ix_complaint_events_complaint', 'complaint_events', ['complaint_id', 'id'], unique=False)
    for statement in _protection(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _protection(up=False):
        op.execute(statement)
    op.drop_index('ix_complaint_events_complaint', table_name='complaint_events')
    op.drop_table('complaint_events')
    for name in ('ix_complaints_created_by', 'ix_complaints_premises_id', 'ix_complaints_person_id',
                 'ix_complaints_account_id', 'ix_complaints_house_status', 'ix_complaints_status_due'):
        op.drop_index(name, table_name='complaints')
    op.drop_table('complaints')
