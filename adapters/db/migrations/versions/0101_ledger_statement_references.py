"""PostgreSQL: the ledger's references checked once per statement, not once per line.

A monthly run COPYs millions of ledger lines. A foreign key checks each line on its own (an
index probe and a ``FOR KEY SHARE`` lock of the referenced row, per reference, per line):
for ``ledger_lines`` that was over half of the server's cost of a COPY. Here the three
references (account, provider, booking period) become one statement-level trigger over the
transition table: it locks the distinct referenced rows ``FOR KEY SHARE`` — what the foreign
key would lock — and refuses the statement when any is missing. The other direction (a
referenced account, provider or period deleted or renumbered while lines point at it) is
refused by row triggers on those tables, as ``ON DELETE RESTRICT`` would do.

Also drops ``ix_ledger_lines_run``: nothing reads lines by run (run errors carry their own
index), and it cost a B-tree entry of a 40-character key per line.

SQLite keeps its foreign keys (its writes are serialised and small in comparison); the models
still declare all three, marked as enforced by this trigger on PostgreSQL
(:data:`zhkh.modules.db.base.TRIGGER_ENFORCED`).

Revision ID: 0101
Revises: 0100
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0101"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MSG_MISSING = "журнал начислений: строка ссылается на несуществующий объект"
MSG_REFERENCED = "на запись ссылаются строки журнала начислений; удаление запрещено"

FOREIGN_KEYS = (
    ("fk_ledger_lines_account_id_accounts", "account_id", "accounts", "id"),
    ("fk_ledger_lines_provider_id_providers", "provider_id", "providers", "id"),
    ("fk_ledger_lines_period_booked_billing_periods", "period_booked", "billing_periods",
     "period"),
)


def _check_block(column: str, table: str, key: str, label: str) -> str:
    return f"""
    SELECT count(DISTINCT n.{column}) INTO wanted FROM new_rows n;
    SELECT count(*) INTO found FROM (
        SELECT t.{key} FROM {table} t
        WHERE t.{key} IN (SELECT DISTINCT n.{column} FROM new_rows n)
        FOR KEY SHARE) t;
    IF found < wanted THEN
        SELECT min(n.{column}::text) INTO missing FROM new_rows n
        WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = n.{column});
        RAISE EXCEPTION '{MSG_MISSING}: {label} %', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;"""


PG_REFERENCES = f"""
CREATE FUNCTION zhkh_ledger_lines_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
    missing text;
BEGIN{_check_block("account_id", "accounts", "id", "лицевой счёт id")}{
    _check_block("provider_id", "providers", "id", "поставщик id")}{
    _check_block("period_booked", "billing_periods", "period", "расчётный период")}
    RETURN NULL;
END $$"""


def _referenced_guard(function: str, column: str, key: str) -> str:
    return f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.{key} IS DISTINCT FROM OLD.{key})
       AND EXISTS (SELECT 1 FROM ledger_lines l WHERE l.{column} = OLD.{key}) THEN
        RAISE EXCEPTION '{MSG_REFERENCED} (% %)', TG_TABLE_NAME, OLD.{key}
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$"""


GUARDS = (
    ("zhkh_accounts_ledger_guard", "accounts", "account_id", "id"),
    ("zhkh_providers_ledger_guard", "providers", "provider_id", "id"),
    ("zhkh_billing_periods_ledger_guard", "billing_periods", "period_booked", "period"),
)


def upgrade() -> None:
    op.drop_index("ix_ledger_lines_run", table_name="ledger_lines")
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, *_ in FOREIGN_KEYS:
        op.drop_constraint(name, "ledger_lines", type_="foreignkey")
    op.execute(PG_REFERENCES)
    op.execute("""CREATE TRIGGER ledger_lines_references AFTER INSERT ON ledger_lines
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION zhkh_ledger_lines_references()""")
    for function, table, column, key in GUARDS:
        op.execute(_referenced_guard(function, column, key))
        op.execute(f"""CREATE TRIGGER {table}_ledger_guard BEFORE UPDATE OR DELETE ON {table}
           FOR EACH ROW EXECUTE FUNCTION {function}()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for function, table, _column, _key in GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_ledger_guard ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        op.execute("DROP TRIGGER IF EXISTS ledger_lines_references ON ledger_lines")
        op.execute("DROP FUNCTION IF EXISTS zhkh_ledger_lines_references()")
        for name, column, table, key in FOREIGN_KEYS:
            op.create_foreign_key(name, "ledger_lines", table, [column], [key])
    op.create_index("ix_ledger_lines_run", "ledger_lines", ["run_id"], unique=False)
