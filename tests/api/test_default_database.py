"""One default database for every command: ``zhkh demo`` writes where the other commands read
(``ZHKH_DATABASE_URL`` or ``sqlite:///zhkh.sqlite``), and so it never wipes a database holding
an operator's data."""

from __future__ import annotations

from datetime import UTC, datetime

from typer.testing import CliRunner

from zhkh.adapters.cli.demo import _not_a_demo
from zhkh.adapters.cli.main import app
from zhkh.adapters.settings import Settings
from zhkh.modules.audit.models import AuditEntry
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.models import Account

runner = CliRunner()


def test_every_command_names_the_same_default(monkeypatch):
    monkeypatch.delenv("ZHKH_DATABASE_URL", raising=False)
    assert Settings().database_url == "sqlite:///zhkh.sqlite"
    for path in (["demo"], ["run"], ["payments", "import"], ["turnover"]):
        result = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert "sqlite:///zhkh.sqlite" in result.output, (path, result.output)
        assert "zhkh-demo.sqlite" not in result.output


def test_the_demo_refuses_the_default_database_when_an_operator_keeps_accounts_there(
        api, world, monkeypatch, tmp_path):
    url = str(api.database.engine.url)
    monkeypatch.setenv("ZHKH_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--accounts", "4", "--houses", "1", "--months", "1"],
                           terminal_width=200)
    assert result.exit_code == 1, result.output
    assert "не тронет" in result.output
    with api.database.reader() as session:
        assert session.query(Account).count() == 2  # untouched
    assert not (tmp_path / "zhkh-demo-files").exists()


def test_an_empty_or_missing_database_or_a_demo_one_may_be_recreated(api, tmp_path):
    assert _not_a_demo(f"sqlite:///{tmp_path / 'absent.sqlite'}") is None
    url = str(api.database.engine.url)
    assert _not_a_demo(url) is None  # migrated, no accounts
    house = api.ok("POST", "/v1/houses", {"address": "ул. Демо, 1"})
    flat = api.ok("POST", "/v1/premises", {"house_id": house["id"], "number": "1",
                                           "area": "30"})
    with api.database.session() as session:
        session.add(Account(number=make_account_number(7), premises_id=flat["id"],
                            opened_on=datetime(2026, 1, 1).date()))
    assert _not_a_demo(url) is not None
    with api.database.session() as session:
        session.add(AuditEntry(actor="demo", action="contract.create", object_type="contract",
                               object_id="1", at=datetime.now(UTC)))
    assert _not_a_demo(url) is None
