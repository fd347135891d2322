"""No data statement reopens a closed period or changes a closed line or an audit entry.

SQLite: ``INSERT OR REPLACE`` (and ``REPLACE``, and an ``INSERT`` whose conflict clause is
REPLACE) deletes the row it conflicts with **without** firing its delete triggers (SQLite
fires them only with ``PRAGMA recursive_triggers``, which a client of the file need not set),
so a closed month could be reopened, a ledger line or an audit entry replaced. A BEFORE
INSERT trigger per protected table refuses an insert that would meet a protected row on any
of its unique keys — a closed billing period, any ledger line (append-only), any audit entry,
any row of the append-only finance tables and issued documents — so REPLACE never gets to
delete. ``INSERT … ON CONFLICT DO UPDATE`` fires the update triggers, which refuse already.

PostgreSQL: ``TRUNCATE`` skips row triggers; ``billing_periods`` had no TRUNCATE trigger (the
ledger, the audit log, the finance tables and the issued documents have). The application's
role owns nothing and is not granted TRUNCATE (``adapters/db/roles.py``), so it can neither
truncate, disable a trigger nor set ``session_replication_role``; these triggers hold for the
owner too. ``zhkh_analyze_ledger_lines()`` lets a role that does not own the ledger refresh its
statistics after a bulk write (ANALYZE needs the owner before PostgreSQL 17).

Revision ID: 0114
Revises: 0113
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0114"
down_revision: str | None = "0113"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MSG_PERIOD = "расчётный период закрыт: повторное открытие, изменение и удаление запрещены"
MSG_ROW = ("запись с таким ключом уже есть: таблица только пополняется, замена (REPLACE) "
           "запрещена")

# table → (unique keys (columns, extra condition on both rows), condition on the old row)
_ALWAYS = ""
PROTECTED: dict[str, tuple[list[tuple[tuple[str, ...], str]], str]] = {
    "billing_periods": ([(("period",), "")], "o.status = 'closed'"),
    "ledger_lines": ([(("id",), "")], _ALWAYS),
    "audit_log": ([(("id",), "")], _ALWAYS),
    "payments": ([(("id",), ""), (("registry_line_id",), ""), (("reverses_id",), "")], _ALWAYS),
    "payment_allocations": ([(("id",), "")], _ALWAYS),
    "payment_registries": ([(("id",), ""), (("content_hash",), "")], _ALWAYS),
    "registry_lines": ([(("id",), ""), (("operation_id", "paid_on", "amount_kopecks"),
                                        "o.status <> 'duplicate' AND NEW.status <> 'duplicate'")],
                       _ALWAYS),
    "provider_transfers": ([(("id",), ""), (("provider_id", "date_from", "date_to"), "")],
                           _ALWAYS),
    "issued_documents": ([(("id",), ""), (("kind", "period", "sequence"), ""), (("number",), ""),
                          (("account_id", "period"),
                           "o.kind = 'monthly' AND NEW.kind = 'monthly'")], _ALWAYS),
    "issued_certificates": ([(("id",), ""), (("kind", "period", "sequence"), ""),
                             (("number",), "")], _ALWAYS),
}


def _meets(table: str) -> str:
    keys, old_condition = PROTECTED[table]
    matches = []
    for columns, extra in keys:
        parts = [f"o.{c} = NEW.{c}" for c in columns]
        if extra:
            parts.append(extra)
        matches.append("(" + " AND ".join(parts) + ")")
    where = " OR ".join(matches)
    if old_condition:
        where = f"({where}) AND {old_condition}"
    return f"EXISTS (SELECT 1 FROM {table} o WHERE {where})"


def _sqlite_up() -> list[str]:
    out = []
    for table in PROTECTED:
        message = MSG_PERIOD if table == "billing_periods" else MSG_ROW
        out.append(f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                   f"WHEN {_meets(table)} BEGIN SELECT RAISE(ABORT, '{message}'); END")
    return out


def _sqlite_down() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_replace" for table in PROTECTED]


PG_UP = [
    f"""CREATE FUNCTION zhkh_billing_periods_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MSG_PERIOD} (TRUNCATE)' USING ERRCODE = 'restrict_violation';
    RETURN NULL;
END $$""",
    """CREATE TRIGGER billing_periods_no_truncate BEFORE TRUNCATE ON billing_periods
       FOR EACH STATEMENT EXECUTE FUNCTION zhkh_billing_periods_no_truncate()""",
    """CREATE FUNCTION zhkh_analyze_ledger_lines() RETURNS void LANGUAGE plpgsql
       SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    ANALYZE ledger_lines;
END $$""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS billing_periods_no_truncate ON billing_periods",
    "DROP FUNCTION IF EXISTS zhkh_billing_periods_no_truncate()",
    "DROP FUNCTION IF EXISTS zhkh_analyze_ledger_lines()",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite_up() if up else _sqlite_down()
    if dialect == "postgresql":
        return PG_UP if up else PG_DOWN
    raise NotImplementedError(f"защита от REPLACE/TRUNCATE не реализована для {dialect}")


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)
    # stored idempotent responses expire (ZHKH_IDEMPOTENCY_HOURS): the purge finds them by age
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    for statement in _statements(up=False):
        op.execute(statement)
