"""Run Alembic from code: the CLI's ``zhkh db upgrade`` calls :func:`upgrade`.

Alembic is configured entirely here (no ``alembic.ini`` to find at run time); the scripts
live in ``zhkh/adapters/db/migrations``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from zhkh.adapters.db.engine import create_db_engine, normalize_url
from zhkh.adapters.db.roles import ensure_app_role

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic ``Config`` for ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not a main option: ini interpolation would mangle a '%'.
    config.attributes["url"] = normalize_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def upgrade_as_owner(app_url: str, migration_url: str | None = None) -> str | None:
    """Migrate as the owner (``migration_url``; ``app_url`` when unset) and then, on PostgreSQL
    with two roles, create or update the application's least-privileged role of ``app_url``
    (``adapters/db/roles.py``). Returns the application's role name when one was made."""
    upgrade(migration_url or app_url)
    if migration_url is None:
        return None
    role = ensure_app_role(migration_url, app_url)
    return None if role is None else role.name


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision`` (default: empty)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The newest revision shipped with this version of zhkh."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None for an unmigrated database)."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
