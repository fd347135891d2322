"""Ledger protection in the database itself, on SQLite and PostgreSQL.

* ledger lines are append-only: every UPDATE is refused;
* lines booked in a closed period cannot be inserted or deleted (an open period may be
  recomputed: delete its lines and write them again in one transaction);
* a closed period is final: it cannot be re-opened, edited or deleted; no period is renamed
  (corrections of a closed month are recalculation lines booked in an open month);
* the audit log is never updated or deleted;
* PostgreSQL: TRUNCATE of the ledger and of the audit log is refused (it skips row triggers).

On PostgreSQL the period checks are statement-level triggers over transition tables, so a
COPY of a million lines checks the periods once, and they lock the period rows
``FOR SHARE``, so a concurrent closing waits for the writer (or the writer sees it closed).
On SQLite writers are serialised by ``BEGIN IMMEDIATE``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MSG_LINE_UPDATE = ("журнал начислений: строки не изменяются; исправление записывается "
                   "новой строкой (перерасчёт или корректировка)")
MSG_LINE_CLOSED = "журнал начислений: период закрыт, его строки не добавляются и не удаляются"
MSG_PERIOD_CLOSED = "расчётный период закрыт: повторное открытие, изменение и удаление запрещены"
MSG_PERIOD_RENAME = "расчётный период не переименовывается"
MSG_AUDIT = "журнал аудита не изменяется и не удаляется"

_CLOSED_BOOKED = ("EXISTS (SELECT 1 FROM billing_periods p "
                  "WHERE p.period = {row}.period_booked AND p.status = 'closed')")

SQLITE_UP = [
    f"""CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE ON ledger_lines
    BEGIN SELECT RAISE(ABORT, '{MSG_LINE_UPDATE}'); END""",
    f"""CREATE TRIGGER ledger_lines_closed_insert BEFORE INSERT ON ledger_lines
    WHEN {_CLOSED_BOOKED.format(row="NEW")}
    BEGIN SELECT RAISE(ABORT, '{MSG_LINE_CLOSED}'); END""",
    f"""CREATE TRIGGER ledger_lines_closed_delete BEFORE DELETE ON ledger_lines
    WHEN {_CLOSED_BOOKED.format(row="OLD")}
    BEGIN SELECT RAISE(ABORT, '{MSG_LINE_CLOSED}'); END""",
    f"""CREATE TRIGGER billing_periods_no_rename BEFORE UPDATE OF period ON billing_periods
    WHEN NEW.period <> OLD.period
    BEGIN SELECT RAISE(ABORT, '{MSG_PERIOD_RENAME}'); END""",
    f"""CREATE TRIGGER billing_periods_closed_final BEFORE UPDATE ON billing_periods
    WHEN OLD.status = 'closed'
    BEGIN SELECT RAISE(ABORT, '{MSG_PERIOD_CLOSED}'); END""",
    f"""CREATE TRIGGER billing_periods_closed_delete BEFORE DELETE ON billing_periods
    WHEN OLD.status = 'closed'
    BEGIN SELECT RAISE(ABORT, '{MSG_PERIOD_CLOSED}'); END""",
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{MSG_AUDIT}'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{MSG_AUDIT}'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS " + name for name in (
        "ledger_lines_no_update", "ledger_lines_closed_insert", "ledger_lines_closed_delete",
        "billing_periods_no_rename", "billing_periods_closed_final",
        "billing_periods_closed_delete", "audit_log_no_update", "audit_log_no_delete")
]


def _pg_closed_check(function: str, rows: str) -> str:
    """A statement-level trigger function refusing rows of ``rows`` booked in a closed period."""
    return f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed text;
BEGIN
    SELECT min(p.period) INTO closed FROM (
        SELECT p.period, p.status FROM billing_periods p
        WHERE p.period IN (SELECT DISTINCT r.period_booked FROM {rows} r)
        FOR SHARE) p
    WHERE p.status = 'closed';
    IF closed IS NOT NULL THEN
        RAISE EXCEPTION '{MSG_LINE_CLOSED} (%)', closed USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$"""


def _pg_refuse(function: str, message: str, result: str) -> str:
    return f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
    RETURN {result};
END $$"""


PG_PERIOD_GUARD = f"""
CREATE FUNCTION zhkh_billing_periods_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.period <> OLD.period THEN
        RAISE EXCEPTION '{MSG_PERIOD_RENAME} (%)', OLD.period
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'closed' THEN
        RAISE EXCEPTION '{MSG_PERIOD_CLOSED} (%)', OLD.period
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$"""

PG_UP = [
    _pg_refuse("zhkh_ledger_lines_no_update", MSG_LINE_UPDATE, "NULL"),
    _pg_closed_check("zhkh_ledger_lines_closed_insert", "new_rows"),
    _pg_closed_check("zhkh_ledger_lines_closed_delete", "old_rows"),
    _pg_refuse("zhkh_audit_log_frozen", MSG_AUDIT, "NULL"),
    PG_PERIOD_GUARD,
    """CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE ON ledger_lines
       FOR EACH ROW EXECUTE FUNCTION zhkh_ledger_lines_no_update()""",
    """CREATE TRIGGER ledger_lines_no_truncate BEFORE TRUNCATE ON ledger_lines
       FOR EACH STATEMENT EXECUTE FUNCTION zhkh_ledger_lines_no_update()""",
    """CREATE TRIGGER ledger_lines_closed_insert AFTER INSERT ON ledger_lines
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION zhkh_ledger_lines_closed_insert()""",
    """CREATE TRIGGER ledger_lines_closed_delete AFTER DELETE ON ledger_lines
       REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION zhkh_ledger_lines_closed_delete()""",
    """CREATE TRIGGER billing_periods_guard BEFORE UPDATE OR DELETE ON billing_periods
       FOR EACH ROW EXECUTE FUNCTION zhkh_billing_periods_guard()""",
    """CREATE TRIGGER audit_log_frozen BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION zhkh_audit_log_frozen()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION zhkh_audit_log_frozen()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_lines_no_update ON ledger_lines",
    "DROP TRIGGER IF EXISTS ledger_lines_no_truncate ON ledger_lines",
    "DROP TRIGGER IF EXISTS ledger_lines_closed_insert ON ledger_lines",
    "DROP TRIGGER IF EXISTS ledger_lines_closed_delete ON ledger_lines",
    "DROP TRIGGER IF EXISTS billing_periods_guard ON billing_periods",
    "DROP TRIGGER IF EXISTS audit_log_frozen ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP FUNCTION IF EXISTS zhkh_ledger_lines_no_update()",
    "DROP FUNCTION IF EXISTS zhkh_ledger_lines_closed_insert()",
    "DROP FUNCTION IF EXISTS zhkh_ledger_lines_closed_delete()",
    "DROP FUNCTION IF EXISTS zhkh_billing_periods_guard()",
    "DROP FUNCTION IF EXISTS zhkh_audit_log_frozen()",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return PG_UP if up else PG_DOWN
    raise NotImplementedError(f"защита журнала не реализована для {dialect}")


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
