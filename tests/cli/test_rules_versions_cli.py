"""``zhkh rules publish``, ``rules versions``, ``calculate --rules-version`` and
``rules regress --base VERSION``: a past rulebook reproduced exactly from the database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from zhkh.adapters.cli.main import app
from zhkh.adapters.db import upgrade
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "examples" / "metered_flat.json"


def _invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "120"})


def test_a_published_version_is_reproduced_after_the_rules_changed(tmp_path):
    url = f"sqlite:///{tmp_path / 'zhkh.sqlite'}"
    upgrade(url)
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    old = load_rulebook(folder).version
    published = _invoke("rules", "publish", folder, "--by", "Петрова", "--database", url)
    assert published.exit_code == 0, published.output
    assert old in published.output
    before = _invoke("calculate", EXAMPLE, "--rules", folder)
    water = folder / "tariffs" / "water.yaml"
    water.write_text(water.read_text(encoding="utf-8").replace('"59.06"', '"61.00"'),
                     encoding="utf-8")
    changed = _invoke("calculate", EXAMPLE, "--rules", folder)
    assert json.loads(changed.output)["total"] != json.loads(before.output)["total"]
    again = _invoke("calculate", EXAMPLE, "--rules-version", old, "--database", url)
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == json.loads(before.output)
    listed = _invoke("rules", "versions", "--database", url)
    assert old in listed.output and "Петрова" in listed.output
    regress = _invoke("rules", "regress", "--draft", folder, "--base", old, "--database", url,
                      "--examples", 20, "--seed", 2, "--no-shrink", "--period", "2026-10",
                      "--out", tmp_path / "out", "--time-limit", 600)
    assert regress.exit_code == 0, regress.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["base_version"] == old
    # the kept version is the base exactly: only the changed tariff's lines differ from it
    changed = set(report["differences"]["by_rule"])
    assert changed & {"cold_water.vodokanal", "hot_water.water.vodokanal"}, changed
    assert changed <= {"cold_water.vodokanal", "hot_water.water.vodokanal"} | {
        r.id for kind in ("methods", "norms", "benefits", "quality", "absence")
        for r in load_rulebook(RULES_DIR).rules(kind)}
    assert all(i["holds"] for i in report["invariants"])


def test_an_unknown_version_is_refused_naming_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'zhkh.sqlite'}"
    upgrade(url)
    result = _invoke("calculate", EXAMPLE, "--rules-version", "0123456789ab", "--database", url)
    assert result.exit_code == 2 and "0123456789ab" in result.output
