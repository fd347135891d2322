"""Migrations build the whole schema from an empty database, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from zhkh.adapters.db import create_db_engine, current_revision, downgrade, head_revision, upgrade
from zhkh.modules.db import import_all_models
from zhkh.modules.db.base import schema_filter


def test_an_empty_database_migrates_to_head_with_every_model_table(backend, empty_database):
    url = empty_database(backend)
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == head_revision()
    engine = create_db_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(import_all_models().tables) <= tables


def test_the_migrated_schema_matches_the_models(backend, engine):
    metadata = import_all_models()
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": schema_filter(conn.dialect.name)}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    assert diff == []


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(backend, empty_database):
    url = empty_database(backend)
    upgrade(url)
    downgrade(url, "base")
    engine = create_db_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert "ledger_lines" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
