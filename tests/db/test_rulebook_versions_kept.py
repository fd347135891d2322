"""Rulebook versions kept in the database (issue 15 §2), on SQLite and PostgreSQL: publishing
stores the files once and makes the version current; a kept version loads again with the same
hash and gives the same lines to the kopeck, even after the rules folder changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

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
    row.files = {**row.files, "services.yaml": row.files["services.yaml"] + "\n# правка\n"}
    session.flush()
    with pytest.raises(RulebookError, match="не совпадает"):
        load(session, book.version)
