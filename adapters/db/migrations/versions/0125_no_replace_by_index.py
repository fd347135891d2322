"""The SQLite REPLACE guards of 0114 look a key up by its index, not by scanning the table.

0114 wrote each guard as one ``EXISTS (SELECT 1 FROM t o WHERE (key 1) OR (key 2) …)``. SQLite
plans that ``OR`` as a full scan of the table (``SCAN o``) for every inserted row: one payment
posted through the API scanned all payments (≈10 ms at 50,000 payments, growing with the table),
and a bank registry scanned ``registry_lines`` once per line. The same guard written as one
``EXISTS`` per key is the same condition (``∃ (a ∨ b) ≡ ∃ a ∨ ∃ b``) and each ``EXISTS`` is a
lookup in the key's unique index (``SEARCH o USING INDEX``). Tables guarded on one key only
(the ledger, the audit log, allocation rows, billing periods) were already searched by index and
are left as they are. PostgreSQL has no such triggers (its guards are other); nothing changes
there.

Revision ID: 0125
Revises: 0120
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0125"
down_revision: str | None = "0120"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MSG_ROW = ("запись с таким ключом уже есть: таблица только пополняется, замена (REPLACE) "
           "запрещена")

# table → unique keys (columns, extra condition on both rows): the multi-key guards of 0114
KEYS: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "payments": [(("id",), ""), (("registry_line_id",), ""), (("reverses_id",), "")],
    "payment_registries": [(("id",), ""), (("content_hash",), "")],
    "registry_lines": [(("id",), ""), (("operation_id", "paid_on", "amount_kopecks"),
                                       "o.status <> 'duplicate' AND NEW.status <> 'duplicate'")],
    "provider_transfers": [(("id",), ""), (("provider_id", "date_from", "date_to"), "")],
    "issued_documents": [(("id",), ""), (("kind", "period", "sequence"), ""), (("number",), ""),
                         (("account_id", "period"),
                          "o.kind = 'monthly' AND NEW.kind = 'monthly'")],
    "issued_certificates": [(("id",), ""), (("kind", "period", "sequence"), ""),
                            (("number",), "")],
}


def _match(columns: tuple[str, ...], extra: str) -> str:
    parts = [f"o.{c} = NEW.{c}" for c in columns]
    if extra:
        parts.append(extra)
    return " AND ".join(parts)


def guard(table: str, *, by_index: bool) -> str:
    """The guard of ``table``: one ``EXISTS`` per key (``by_index``) or 0114's single one."""
    keys = KEYS[table]
    if by_index:
        when = " OR ".join(f"EXISTS (SELECT 1 FROM {table} o WHERE {_match(c, e)})"
                           for c, e in keys)
    else:
        when = (f"EXISTS (SELECT 1 FROM {table} o WHERE "
                + " OR ".join(f"({_match(c, e)})" for c, e in keys) + ")")
    return (f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN {when} BEGIN SELECT RAISE(ABORT, '{MSG_ROW}'); END")


def _rewrite(by_index: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in KEYS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
        op.execute(guard(table, by_index=by_index))


def upgrade() -> None:
    _rewrite(by_index=True)


def downgrade() -> None:
    _rewrite(by_index=False)
