"""``zhkh penalties`` and ``zhkh allocate`` print exactly what the API returns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhkh.adapters.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()

CASES = [("penalties", "/v1/penalties", "penalties.json"),
         ("allocate", "/v1/allocate", "allocation.json")]


@pytest.mark.parametrize(("command", "route", "example"), CASES)
def test_the_cli_prints_the_same_json_as_the_api(api, command, route, example):
    path = EXAMPLES / example
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api.ok(route, json.loads(path.read_text("utf-8")))


@pytest.mark.parametrize(("command", "route", "example"), CASES)
def test_malformed_input_prints_the_api_error_body_with_exit_code_2(
        api, tmp_path, command, route, example):
    body = json.loads((EXAMPLES / example).read_text("utf-8"))
    (body["debts"][0] if command == "penalties" else body["payment"])["amount"] = 12.5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(body), encoding="utf-8")
    result = runner.invoke(app, [command, str(bad)])
    assert result.exit_code == 2
    via_api = api.post(route, body)
    assert via_api.status_code == 422
    assert json.loads(result.output) == via_api.json()


def test_a_domain_refusal_prints_the_api_error_body_with_exit_code_2(api, tmp_path):
    body = {"calc_date": "2026-01-01",
            "debts": [{"account": "1", "period": "2005-01", "amount": "1.00"}]}
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps(body), encoding="utf-8")
    result = runner.invoke(app, ["penalties", str(bad)])
    assert result.exit_code == 2
    printed = json.loads(result.output)
    assert printed["error"]["code"] == "penalty_rules"
    assert printed == api.post("/v1/penalties", body).json()


@pytest.mark.parametrize("content", ["not json", "", "\udcff"])
def test_an_unreadable_file_is_exit_code_2_with_the_file_named(tmp_path, content):
    bad = tmp_path / "broken.json"
    bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    result = runner.invoke(app, ["allocate", str(bad)])
    assert result.exit_code == 2
    assert "broken.json" in result.output


def test_a_missing_file_is_exit_code_2(tmp_path):
    result = runner.invoke(app, ["penalties", str(tmp_path / "none.json")])
    assert result.exit_code == 2
