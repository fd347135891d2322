"""``zhkh rules regress`` from the command line: a methodologist's draft with a new tariff, and
one that breaks the methodologist's own invariant (exit code 1, shrunk example saved)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from zhkh.adapters.cli.main import app
from zhkh.rules import RULES_DIR

runner = CliRunner()


def _draft(tmp_path: Path) -> Path:
    draft = tmp_path / "draft"
    shutil.copytree(RULES_DIR, draft)
    water = draft / "tariffs" / "water.yaml"
    water.write_text(water.read_text(encoding="utf-8").replace(
        '2026-10-01: "59.06"', '2026-10-01: "61.00"', 1), encoding="utf-8")
    return draft


def _regress(*args: object) -> object:
    return runner.invoke(app, ["rules", "regress", *map(str, args)], env={"COLUMNS": "120"})


def test_a_new_tariff_shows_its_changes_and_saves_situations_zhkh_calculate_runs(tmp_path):
    out = tmp_path / "out"
    result = _regress("--draft", _draft(tmp_path), "--base", RULES_DIR, "--examples", 40,
                      "--seed", 5, "--period", "2026-10", "--out", out, "--max-shrunk", 2,
                      "--time-limit", 600)
    assert result.exit_code == 0, result.output
    assert "Различия по правилам" in result.output and "cold_water.vodokanal" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["examples"] == 40 and not report["failed"]
    assert all(i["holds"] for i in report["invariants"])
    assert report["differences"]["by_rule"]["cold_water.vodokanal"] > 0
    saved = sorted((out / "examples").glob("*.json"))
    assert saved and (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
    calc = runner.invoke(app, ["calculate", str(saved[0]), "--rules", str(tmp_path / "draft")])
    assert calc.exit_code == 0, calc.output
    assert json.loads(calc.output)["period"] == "2026-10"
    assert "cases:" in (out / "cases.yaml").read_text(encoding="utf-8")


def test_a_broken_declared_invariant_fails_the_run_with_a_shrunk_example(tmp_path):
    draft = _draft(tmp_path)
    housing = draft / "tariffs" / "housing.yaml"
    housing.write_text(housing.read_text(encoding="utf-8").replace(
        '2026-01-01: "35.20"', '2026-01-01: "352.0"', 1), encoding="utf-8")  # a typo
    out = tmp_path / "out"
    result = _regress("--draft", draft, "--examples", 60, "--seed", 1, "--period", "2026-03",
                      "--out", out, "--format", "json", "--time-limit", 600, "--max-shrunk", 2)
    assert result.exit_code == 1, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    broken = next(i for i in report["invariants"]
                  if i["name"] == "declared:maintenance.per_m2_cap")
    assert not broken["holds"] and broken["count"] > 0
    accounts = broken["situation"]["accounts"]
    assert len(accounts) == 1
    assert [s["service"] for s in accounts[0]["services"]] == ["maintenance"]


def test_same_seed_same_report(tmp_path):
    reports = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = _regress("--draft", _draft(tmp_path / name), "--examples", 30, "--seed", 9,
                          "--no-shrink", "--out", out)
        assert result.exit_code == 0, result.output
        data = json.loads((out / "report.json").read_text(encoding="utf-8"))
        data.pop("elapsed_seconds")
        data.pop("draft_version")
        reports.append(data)
    assert reports[0] == reports[1]
