"""Rulebook versions kept in the database (issue 15 §2), on SQLite and PostgreSQL: publishing
stores the files once and makes the version current; a kept version loads again with the same
hash and gives the same lines to the kopeck, even after the rules folder changed."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.rulebook import RulebookError, load_rulebook
from zhkh.modules.errors import NotFound
from zhkh.modules.rulebooks.models import RulebookVersion
from zhkh.modules.rulebooks.service import keep, load, publish, versions
from zhkh.rules import RULES_DIR

EXAMPLE = Path(__file__).parents[2] / "examples" / "metered_flat.json"


def _lines(rulebook):
    situation = Situation.model_validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    return calculate(situation, rulebook, engine_for(rulebook)).model_dump(mode="json")


def test_a_published_version_reproduces_exactly_after_the_folder_changed(session, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    old = load_rulebook(folder)
    publish(session, old, by="Петрова")
    before = _lines(old)
    water = folder / "tariffs" / "water.yaml"
    water.write_text(water.read_text(encoding="utf-8").replace('"59.06"', '"61.00"'),
                     encoding="utf-8")
    new = load_rulebook(folder)
    publish(session, new, by="Иванов")
    assert _lines(new)["total"] != before["total"]
    again = load(session, old.version)
    assert again.version == old.version
    assert _lines(again) == before
    listed = {v["version"]: v for v in versions(session)}
    assert listed[old.version]["published_by"] == "Петрова" and not listed[old.version]["current"]
    assert listed[new.version]["current"] and listed[new.version]["published_by"] == "Иванов"


def test_keeping_a_version_twice_stores_it_once(session):
    book = load_rulebook(RULES_DIR)
    keep(session, book)
    keep(session, book)
    assert session.query(RulebookVersion).filter_by(version=book.version).count() == 1


def test_an_unknown_or_altered_version_is_refused(session):
    with pytest.raises(NotFound):
        load(session, "0123456789ab")
    book = load_rulebook(RULES_DIR)
    row = keep(session, book)
    # the table's triggers refuse storing altered files, so the alteration stays in memory
    with session.no_autoflush:
        row.files = {**row.files, "services.yaml": row.files["services.yaml"] + "\n# правка\n"}
        with pytest.raises(RulebookError, match="не совпадает"):
            load(session, book.version)
    session.expunge(row)


def test_a_kept_version_is_never_deleted_or_altered(session):
    """Migration 0123: the evidence of how lines were computed is append-only."""
    version = keep(session, load_rulebook(RULES_DIR)).version
    session.flush()
    refused = [
        ("DELETE FROM rulebook_versions WHERE version = :v", "не удаляется"),
        ("UPDATE rulebook_versions SET files = '{}' WHERE version = :v", "не изменяется"),
        ("UPDATE rulebook_versions SET version = 'abc' WHERE version = :v", "не изменяется"),
        ("UPDATE rulebook_versions SET stored_at = '2020-01-01' WHERE version = :v",
         "не изменяется"),
    ]
    for sql, message in refused:
        with pytest.raises(DBAPIError, match=message), session.begin_nested():
            session.execute(text(sql), {"v": version})
    assert session.execute(text("SELECT count(*) FROM rulebook_versions WHERE version = :v"),
                           {"v": version}).scalar_one() == 1


def test_truncating_kept_versions_is_refused(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    keep(session, load_rulebook(RULES_DIR))
    session.flush()
    with pytest.raises(DBAPIError, match="не удаляется"), session.begin_nested():
        session.execute(text("TRUNCATE rulebook_versions"))


def test_publishing_is_written_once_and_a_republished_version_only_becomes_current(
        session, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    old = load_rulebook(folder)
    first = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    publish(session, old, by="Петрова", at=first)
    water = folder / "tariffs" / "water.yaml"
    water.write_text(water.read_text(encoding="utf-8").replace('"59.06"', '"61.00"'),
                     encoding="utf-8")
    publish(session, load_rulebook(folder), by="Иванов")
    again = publish(session, old, by="Сидоров", at=datetime(2026, 12, 1, tzinfo=UTC))
    assert again.current and again.published_by == "Петрова"
    listed = {v["version"]: v for v in versions(session)}
    assert [v for v, r in listed.items() if r["current"]] == [old.version]
    with pytest.raises(DBAPIError, match="опубликована впервые"), session.begin_nested():
        session.execute(text("UPDATE rulebook_versions SET published_by = 'Сидоров' "
                             "WHERE version = :v"), {"v": old.version})
    # the mark of the current version moves freely
    session.execute(text("UPDATE rulebook_versions SET \"current\" = :f WHERE version = :v"),
                    {"f": False, "v": old.version})
