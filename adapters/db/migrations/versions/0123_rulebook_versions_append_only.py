"""Rulebook versions are append-only (issue 15 §2): a kept version is the evidence of how past
lines and documents were computed, so the database itself refuses to delete one (PostgreSQL:
TRUNCATE too) or to change its hash, files or storing time. Publishing may set when and by
whom a version was first published once (NULL → value), and move the ``current`` mark.

Revision ID: 0123
Revises: 0119
Create Date: 2026-12-07
"""
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0123"
down_revision: str | None = "0119"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MSG_DELETE = "сохранённая версия правил не удаляется: по ней посчитаны строки и документы"
MSG_CONTENT = "сохранённая версия правил не изменяется (хеш, файлы, время сохранения)"
MSG_PUBLISHED = "когда и кем версия правил опубликована впервые, уже записано и не изменяется"


def _sqlite_up() -> list[str]:
    return [
        "CREATE TRIGGER rulebook_versions_no_delete BEFORE DELETE ON rulebook_versions "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_DELETE}'); END",
        "CREATE TRIGGER rulebook_versions_content_frozen BEFORE UPDATE ON rulebook_versions "
        "WHEN NEW.version IS NOT OLD.version OR NEW.files IS NOT OLD.files "
        "OR NEW.stored_at IS NOT OLD.stored_at "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_CONTENT}'); END",
        "CREATE TRIGGER rulebook_versions_published_once BEFORE UPDATE ON rulebook_versions "
        "WHEN (OLD.published_at IS NOT NULL AND NEW.published_at IS NOT OLD.published_at) "
        "OR (OLD.published_by IS NOT NULL AND NEW.published_by IS NOT OLD.published_by) "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_PUBLISHED}'); END",
    ]


def _sqlite_down() -> list[str]:
    return ["DROP TRIGGER IF EXISTS rulebook_versions_no_delete",
            "DROP TRIGGER IF EXISTS rulebook_versions_content_frozen",
            "DROP TRIGGER IF EXISTS rulebook_versions_published_once"]


def _pg_up() -> list[str]:
    return [
        "CREATE FUNCTION zhkh_rulebook_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "    IF TG_OP = 'UPDATE' THEN\n"
        "        IF NEW.version IS DISTINCT FROM OLD.version OR NEW.files::text IS DISTINCT FROM OLD.files::text\n"
        "           OR NEW.stored_at IS DISTINCT FROM OLD.stored_at THEN\n"
        f"            RAISE EXCEPTION '{MSG_CONTENT}' USING ERRCODE = 'restrict_violation';\n"
        "        END IF;\n"
        "        IF (OLD.published_at IS NOT NULL AND NEW.published_at IS DISTINCT FROM OLD.published_at)\n"
        "           OR (OLD.published_by IS NOT NULL AND NEW.published_by IS DISTINCT FROM OLD.published_by) THEN\n"
        f"            RAISE EXCEPTION '{MSG_PUBLISHED}' USING ERRCODE = 'restrict_violation';\n"
        "        END IF;\n"
        "        RETURN NEW;\n"
        "    END IF;\n"
        f"    RAISE EXCEPTION '{MSG_DELETE}' USING ERRCODE = 'restrict_violation';\n"
        "END $$",
        "CREATE TRIGGER rulebook_versions_guard BEFORE UPDATE OR DELETE ON rulebook_versions "
        "FOR EACH ROW EXECUTE FUNCTION zhkh_rulebook_versions_guard()",
        "CREATE TRIGGER rulebook_versions_no_truncate BEFORE TRUNCATE ON rulebook_versions "
        "FOR EACH STATEMENT EXECUTE FUNCTION zhkh_rulebook_versions_guard()",
    ]


def _pg_down() -> list[str]:
    return ["DROP TRIGGER IF EXISTS rulebook_versions_guard ON rulebook_versions",
            "DROP TRIGGER IF EXISTS rulebook_versions_no_truncate ON rulebook_versions",
            "DROP FUNCTION IF EXISTS zhkh_rulebook_versions_guard()"]


def _protection(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite_up() if up else _sqlite_down()
    if dialect == "postgresql":
        return _pg_up() if up else _pg_down()
    raise NotImplementedError(f"защита версий правил не реализована для {dialect}")


def upgrade() -> None:
    for statement in _protection(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _protection(up=False):
        op.execute(statement)
