"""Database adapter: engines (SQLite file with WAL, PostgreSQL via psycopg 3), the unit of
work, Alembic migrations run from code, and the bulk ledger writer/readers."""

from zhkh.adapters.db.engine import create_db_engine, normalize_url
from zhkh.adapters.db.migrate import current_revision, downgrade, head_revision, upgrade
from zhkh.adapters.db.session import Database, session_scope

__all__ = [
    "Database",
    "create_db_engine",
    "current_revision",
    "downgrade",
    "head_revision",
    "normalize_url",
    "session_scope",
    "upgrade",
]
