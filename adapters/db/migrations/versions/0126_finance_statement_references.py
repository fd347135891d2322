"""PostgreSQL: the references of payments, their allocation rows and registry lines checked
once per statement, not once per row.

A bank registry COPYs its lines, payments and allocation rows: a million-line file is about
four million rows. Their nine foreign keys checked each row on its own (an SPI query, an index
probe and a ``FOR KEY SHARE`` lock of the referenced row, per reference, per row): measured,
about 60 % of the server's CPU of an import. As for the ledger (0101), each table now has one
``AFTER INSERT … FOR EACH STATEMENT`` trigger over its transition table that refuses the whole
statement — so the whole import, which is one transaction — when any reference is missing,
naming the table, the column and the first missing value (SQLSTATE ``foreign_key_violation``:
the same ``IntegrityError`` as a foreign key). Every writer is checked, the service's bulk
paths and a single payment through the API alike: nobody can write a dangling row.

The other direction:

* ``payments``, ``registry_lines``, ``payment_registries`` are append-only (0108: update,
  delete and truncate refused), so a payment, a line or a file referenced cannot go away;
* ``accounts``, ``providers``, ``billing_periods`` get row triggers refusing a delete or a key
  change of a row still referenced, as ``ON DELETE RESTRICT`` would (deleting an open period
  that holds payments stays refused with an ``IntegrityError``). Instead of the foreign keys'
  per-row ``FOR KEY SHARE`` locks, such a delete first takes the finance lock exclusively
  (``FINANCE_LOCK``, ``modules/finance/repository.py``): every posting of money holds that lock
  (shared for one account, exclusive for a file) to its commit, so the delete waits for
  postings in flight and then sees their rows.

SQLite keeps its foreign keys (its writers are serialised, the checks are in-process index
probes, and dropping one there means rebuilding the table with its triggers); the models still
declare them, marked as enforced by these triggers on PostgreSQL
(:data:`zhkh.modules.db.base.TRIGGER_ENFORCED`).

Revision ID: 0126
Revises: 0124
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0126"
down_revision: str | None = "0124"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FINANCE_LOCK = 0x7A686B68
"""Frozen copy of ``zhkh.modules.finance.repository.FINANCE_LOCK``."""

MSG_MISSING = "ссылка на несуществующую запись"
MSG_REFERENCED = "на запись ссылаются оплаты или их распределение; удаление запрещено"

# (table, column, referenced table, referenced key, what it is in Russian)
REFERENCES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "registry_lines": (
        ("registry_id", "payment_registries", "id", "реестр id"),
    ),
    "payments": (
        ("account_id", "accounts", "id", "лицевой счёт id"),
        ("registry_line_id", "registry_lines", "id", "строка реестра id"),
        ("reverses_id", "payments", "id", "сторнируемая оплата id"),
        ("posted_period", "billing_periods", "period", "расчётный период"),
    ),
    "payment_allocations": (
        ("payment_id", "payments", "id", "оплата id"),
        ("account_id", "accounts", "id", "лицевой счёт id"),
        ("provider_id", "providers", "id", "поставщик id"),
        ("period_booked", "billing_periods", "period", "расчётный период"),
    ),
}


def _fk_name(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def _check_block(table: str, column: str, target: str, key: str, label: str) -> str:
    # distinct values first (a file pays each account once or twice, its rows name one
    # period and two providers), then one anti-join: a missing value refuses the statement
    return f"""
    SELECT min(v.{column}::text) INTO missing
      FROM (SELECT DISTINCT n.{column} FROM new_rows n WHERE n.{column} IS NOT NULL) v
     WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{key} = v.{column});
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION '{table}.{column}: {MSG_MISSING} ({label} %)', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;"""


def _references_function(table: str) -> str:
    blocks = "".join(_check_block(table, *ref) for ref in REFERENCES[table])
    return f"""
CREATE FUNCTION zhkh_{table}_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN{blocks}
    RETURN NULL;
END $$"""


# referenced tables that may be deleted or re-keyed: (table, key, [(child table, column)])
GUARDED = (
    ("accounts", "id", (("payments", "account_id"), ("payment_allocations", "account_id"))),
    ("providers", "id", (("payment_allocations", "provider_id"),)),
    ("billing_periods", "period", (("payments", "posted_period"),
                                   ("payment_allocations", "period_booked"))),
)


def _guard_function(table: str, key: str, children: tuple[tuple[str, str], ...]) -> str:
    used = " OR ".join(f"EXISTS (SELECT 1 FROM {child} c WHERE c.{column} = OLD.{key})"
                       for child, column in children)
    return f"""
CREATE FUNCTION zhkh_{table}_finance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.{key} IS DISTINCT FROM OLD.{key} THEN
        PERFORM pg_advisory_xact_lock({FINANCE_LOCK});
        IF {used} THEN
            RAISE EXCEPTION '{MSG_REFERENCED} (% %)', TG_TABLE_NAME, OLD.{key}
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, refs in REFERENCES.items():
        for column, target, _key, _label in refs:
            op.drop_constraint(_fk_name(table, column, target), table, type_="foreignkey")
        op.execute(_references_function(table))
        op.execute(f"""CREATE TRIGGER {table}_references AFTER INSERT ON {table}
           REFERENCING NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION zhkh_{table}_references()""")
    for table, key, children in GUARDED:
        op.execute(_guard_function(table, key, children))
        op.execute(f"""CREATE TRIGGER {table}_finance_guard BEFORE UPDATE OR DELETE ON {table}
           FOR EACH ROW EXECUTE FUNCTION zhkh_{table}_finance_guard()""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, _key, _children in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_finance_guard ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS zhkh_{table}_finance_guard()")
    for table, refs in REFERENCES.items():
        op.execute(f"DROP TRIGGER IF EXISTS {table}_references ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS zhkh_{table}_references()")
        for column, target, key, _label in refs:
            op.create_foreign_key(_fk_name(table, column, target), table, target, [column],
                                  [key])
