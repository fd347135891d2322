"""PostgreSQL roles: the owner migrates, the application runs as a role that owns nothing.

Two roles (README, «Роли базы данных PostgreSQL»):

* the **owner** (``ZHKH_MIGRATION_URL``) owns the schema: ``zhkh db upgrade`` runs the
  migrations as it and then (re)creates the application's role with its grants;
* the **application** (``ZHKH_DATABASE_URL``) owns no table, so it cannot ``ALTER TABLE …
  DISABLE TRIGGER`` nor drop one; it is no superuser, so it cannot ``SET
  session_replication_role = replica`` (which would silence every trigger); it is granted no
  ``TRUNCATE``, and no ``UPDATE``/``DELETE`` on the append-only tables (the triggers refuse
  those anyway). It reads and writes the rest, uses the sequences, and may refresh the ledger's
  statistics through the owner's ``zhkh_analyze_ledger_lines()`` (migration 0114).

When both URLs name the same user (or ``ZHKH_MIGRATION_URL`` is unset) nothing is created:
a development database run by one role, without this protection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from zhkh.adapters.db.engine import create_db_engine, normalize_url

APPEND_ONLY = ("audit_log", "payments", "payment_allocations", "payment_registries",
               "registry_lines", "provider_transfers", "issued_documents",
               "issued_certificates")
"""Tables no statement of the application updates or deletes (their triggers refuse it)."""
READ_ONLY = ("alembic_version",)
"""Tables the application only reads."""


class RoleError(RuntimeError):
    """The application's role cannot be made least-privileged (it is a superuser, or owns
    tables)."""


@dataclass(frozen=True)
class AppRole:
    """The application's login role as its URL names it."""

    name: str
    password: str | None


def app_role_of(app_url: str, migration_url: str) -> AppRole | None:
    """The application's role when it differs from the owner's (PostgreSQL), else None."""
    app, owner = make_url(normalize_url(app_url)), make_url(normalize_url(migration_url))
    if app.get_backend_name() != "postgresql" or not app.username:
        return None
    if app.username == owner.username:
        return None
    return AppRole(app.username, app.password)


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def grant_statements(conn: Connection, role: str) -> list[str]:
    """The grants of the application's role on the current database (idempotent)."""
    r = _quote(conn, role)
    database = _quote(conn, conn.exec_driver_sql("SELECT current_database()").scalar_one())
    append_only = ", ".join(APPEND_ONLY)
    return [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"REVOKE UPDATE, DELETE ON {append_only} FROM {r}",
        f"REVOKE INSERT, UPDATE, DELETE ON {', '.join(READ_ONLY)} FROM {r}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {r}",
        f"GRANT EXECUTE ON FUNCTION zhkh_analyze_ledger_lines() TO {r}",
    ]


def ensure_app_role(migration_url: str, app_url: str) -> AppRole | None:
    """Create (or update) the application's role of ``app_url`` as the owner of
    ``migration_url`` and grant it what the application needs, nothing more. Returns the role,
    or None when there is no separate role to make. Raises :class:`RoleError` when the role
    exists as a superuser or owns tables: it could switch the protection off."""
    role = app_role_of(app_url, migration_url)
    if role is None:
        return None
    engine = create_db_engine(migration_url)
    try:
        with engine.begin() as conn:
            _create_or_check(conn, role)
            for statement in grant_statements(conn, role.name):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
    return role


def _create_or_check(conn: Connection, role: AppRole) -> None:
    found = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                         {"r": role.name}).first()
    r = _quote(conn, role.name)
    limits = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    password = ""
    if role.password is not None:
        literal = conn.exec_driver_sql("SELECT quote_literal(%(p)s)", {"p": role.password})
        password = f" PASSWORD {literal.scalar_one()}"
    if found is None:
        conn.exec_driver_sql(f"CREATE ROLE {r} LOGIN {limits}{password}")
        return
    if found.rolsuper or found.rolbypassrls:
        raise RoleError(f"роль приложения {role.name} — суперпользователь или обходит RLS: "
                        "она могла бы отключить защитные триггеры; задайте другую роль "
                        "в ZHKH_DATABASE_URL")
    owned = conn.execute(text(
        "SELECT count(*) FROM pg_class c JOIN pg_roles o ON o.oid = c.relowner "
        "WHERE o.rolname = :r AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"),
        {"r": role.name}).scalar_one()
    if owned:
        raise RoleError(f"роль приложения {role.name} владеет таблицами ({owned}): владелец "
                        "может отключить защитные триггеры; задайте другую роль в "
                        "ZHKH_DATABASE_URL")
    conn.exec_driver_sql(f"ALTER ROLE {r} LOGIN {limits}{password}")
