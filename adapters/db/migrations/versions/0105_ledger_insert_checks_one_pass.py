"""PostgreSQL: a COPY of ledger lines is checked in one pass over its rows.

Two statement-level triggers checked an inserted statement of lines: that no line is booked in
a closed period (0002) and that every line points at an existing account, provider and
booking period (0101). Between them they scanned the statement's transition table up to
seven times; a scan copies out every line with its explain text, ≈3.4 ms per 20,000 lines.
One trigger now reads the three referenced columns once, takes their distinct values, locks
the referenced rows as before (periods ``FOR SHARE``, so a concurrent closing waits; accounts
and providers ``FOR KEY SHARE``, as a foreign key would) and refuses the statement with the
same messages and error codes, a closed period first. Missing references are found by
comparing counts; only a refused statement looks for the value to name. (A first version
found them by anti-joins of the CTEs: planned as nested loops, they made a 1 M-account run's
COPYs quadratic — 700 s of server CPU instead of 112.)

Also the period-format checks of a line, two regular expressions per line on PostgreSQL
(≈1.7 µs of server CPU a line): ``period_booked`` is a billing period (the trigger above
refuses any other value), and billing periods are checked for format themselves; a charge's
``period_for`` equals its ``period_booked`` (``charge_in_own_period``). So the booked-period
check is dropped and the ``period_for`` check is kept for lines other than charges. SQLite
keeps its checks and triggers: its GLOB form is cheap and its inserts are row by row.

Server CPU per COPY'd line, 1 M lines in COPYs of 200,000 (a batch), two measurements each:
9.2 / 8.2 → 7.2 / 6.1 µs. A monthly run of 1 M accounts: 146.8 → 112.4 s of server CPU.

Revision ID: 0105
Revises: 0104
Create Date: 2026-11-28
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0105"
down_revision: str | None = "0104"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MSG_LINE_CLOSED = "журнал начислений: период закрыт, его строки не добавляются и не удаляются"
MSG_MISSING = "журнал начислений: строка ссылается на несуществующий объект"
PERIOD_RE = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


def _refuse_missing(counter: str, column: str, table: str, key: str, label: str) -> str:
    """PL/pgSQL: when ``counter`` > 0, name the least missing value of ``column`` and refuse."""
    return f"""
    IF {counter} > 0 THEN
        SELECT min(n.{column}) INTO missing FROM new_rows n
        WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = n.{column});
        RAISE EXCEPTION '{MSG_MISSING}: {label} %', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;"""


PG_INSERTED = f"""
CREATE FUNCTION zhkh_ledger_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed text;
    accounts_missing bigint;
    providers_missing bigint;
    periods_missing bigint;
    missing text;
BEGIN
    WITH keys AS MATERIALIZED (
        SELECT n.account_id, n.provider_id, n.period_booked FROM new_rows n),
    periods AS MATERIALIZED (SELECT DISTINCT k.period_booked AS period FROM keys k),
    accounts_ AS MATERIALIZED (SELECT DISTINCT k.account_id AS id FROM keys k),
    providers_ AS MATERIALIZED (SELECT DISTINCT k.provider_id AS id FROM keys k),
    locked_periods AS MATERIALIZED (
        SELECT p.period, p.status FROM billing_periods p
        WHERE p.period IN (SELECT w.period FROM periods w) FOR SHARE),
    locked_accounts AS MATERIALIZED (
        SELECT a.id FROM accounts a WHERE a.id IN (SELECT w.id FROM accounts_ w)
        FOR KEY SHARE),
    locked_providers AS MATERIALIZED (
        SELECT p.id FROM providers p WHERE p.id IN (SELECT w.id FROM providers_ w)
        FOR KEY SHARE)
    SELECT (SELECT min(l.period) FROM locked_periods l WHERE l.status = 'closed'),
           (SELECT count(*) FROM accounts_) - (SELECT count(*) FROM locked_accounts),
           (SELECT count(*) FROM providers_) - (SELECT count(*) FROM locked_providers),
           (SELECT count(*) FROM periods) - (SELECT count(*) FROM locked_periods)
    INTO closed, accounts_missing, providers_missing, periods_missing;
    IF closed IS NOT NULL THEN
        RAISE EXCEPTION '{MSG_LINE_CLOSED} (%)', closed USING ERRCODE = 'restrict_violation';
    END IF;
{_refuse_missing("accounts_missing", "account_id", "accounts", "id", "лицевой счёт id")}{
    _refuse_missing("providers_missing", "provider_id", "providers", "id", "поставщик id")}{
    _refuse_missing("periods_missing", "period_booked", "billing_periods", "period",
                    "расчётный период")}
    RETURN NULL;
END $$"""

_OLD_TRIGGERS = {
    "ledger_lines_closed_insert": "zhkh_ledger_lines_closed_insert",
    "ledger_lines_references": "zhkh_ledger_lines_references",
}


def _older(name: str) -> ModuleType:
    """An earlier migration of this folder, loaded from its file (Alembic loads migrations by
    path, not as a package)."""
    spec = importlib.util.spec_from_file_location(f"zhkh_migration_{name}",
                                                  Path(__file__).with_name(f"{name}.py"))
    if spec is None or spec.loader is None:
        raise ImportError(f"migration {name} not found beside {__file__}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _old_functions() -> list[str]:
    """The two functions this migration replaces, as their migrations created them."""
    return [_older("0002_ledger_protection")._pg_closed_check(
                "zhkh_ledger_lines_closed_insert", "new_rows"),
            _older("0101_ledger_statement_references").PG_REFERENCES]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger, function in _OLD_TRIGGERS.items():
        op.execute(f"DROP TRIGGER {trigger} ON ledger_lines")
        op.execute(f"DROP FUNCTION {function}()")
    op.execute(PG_INSERTED)
    op.execute("""CREATE TRIGGER ledger_lines_inserted AFTER INSERT ON ledger_lines
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION zhkh_ledger_lines_inserted()""")
    op.drop_constraint(op.f("ck_ledger_lines_period_booked_format"), "ledger_lines",
                       type_="check")
    op.drop_constraint(op.f("ck_ledger_lines_period_for_format"), "ledger_lines", type_="check")
    op.create_check_constraint(op.f("ck_ledger_lines_period_for_format"), "ledger_lines",
                               f"kind = 'charge' OR period_for ~ '{PERIOD_RE}'")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint(op.f("ck_ledger_lines_period_for_format"), "ledger_lines", type_="check")
    for column in ("period_for", "period_booked"):
        op.create_check_constraint(op.f(f"ck_ledger_lines_{column}_format"), "ledger_lines",
                                   f"{column} ~ '{PERIOD_RE}'")
    op.execute("DROP TRIGGER ledger_lines_inserted ON ledger_lines")
    op.execute("DROP FUNCTION zhkh_ledger_lines_inserted()")
    for sql in _old_functions():
        op.execute(sql)
    for trigger, function in _OLD_TRIGGERS.items():
        op.execute(f"""CREATE TRIGGER {trigger} AFTER INSERT ON ledger_lines
           REFERENCING NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION {function}()""")
