"""The CLI prints exactly what the API returns and checks/tests rule folders."""

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from zhkh.adapters.cli.main import app
from zhkh.rules import RULES_DIR

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def test_calculate_prints_the_same_json_as_the_api(make_api_client):
    path = EXAMPLES / "metered_flat.json"
    result = runner.invoke(app, ["calculate", str(path)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    with make_api_client("external_system") as c:
        via_api = c.post("/v1/calculate", json=json.loads(path.read_text())).json()
    assert printed == via_api


def test_calculate_reports_a_domain_error_as_json_with_exit_code_2(tmp_path):
    sit = json.loads((EXAMPLES / "metered_flat.json").read_text())
    meter = sit["accounts"][0]["services"][0]["meters"][0]
    meter.pop("capacity")
    meter["readings"][1]["value"] = "1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(sit), encoding="utf-8")
    result = runner.invoke(app, ["calculate", str(bad)])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "reading_decrease"


def test_calculate_names_the_field_of_malformed_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"period": "2026-10", "accounts": [{"number": "1", "area": 5.5}]}')
    result = runner.invoke(app, ["calculate", str(bad)])
    assert result.exit_code == 2
    paths = [f["path"] for f in json.loads(result.output)["error"]["fields"]]
    assert "accounts.0.area" in paths and "accounts.0.services" in paths


def test_rules_check_accepts_the_shipped_rules():
    result = runner.invoke(app, ["rules", "check", str(RULES_DIR)])
    assert result.exit_code == 0, result.output
    assert "Правила в порядке" in result.output


def test_rules_check_names_file_rule_and_field_of_an_error(tmp_path):
    draft = tmp_path / "rules"
    shutil.copytree(RULES_DIR, draft, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = draft / "tariffs" / "water.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"59.06"', '"59,06"'),
                    encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(draft)])
    assert result.exit_code == 1
    assert "tariffs/water.yaml" in result.output and "cold_water.vodokanal" in result.output


def test_rules_test_runs_the_examples_and_fails_on_a_kopeck(tmp_path):
    ok = runner.invoke(app, ["rules", "test", str(RULES_DIR)])
    assert ok.exit_code == 0, ok.output
    draft = tmp_path / "rules"
    shutil.copytree(RULES_DIR, draft, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = draft / "tests" / "water.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"447.82"', '"447.81"'),
                    encoding="utf-8")
    bad = runner.invoke(app, ["rules", "test", str(draft)])
    assert bad.exit_code == 1
    assert "447.81" in bad.output and "447.82" in bad.output


def test_keys_create_prints_a_key_that_the_api_accepts(tmp_path):
    from fastapi.testclient import TestClient

    from zhkh.adapters.settings import Settings
    from zhkh.api.app import create_app

    url = f"sqlite:///{tmp_path}/keys.sqlite"
    result = runner.invoke(app, ["keys", "create", "--role", "methodologist",
                                 "--name", "Отдел тарифов", "--database", url])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/v1/rules/cold_water.vodokanal").status_code == 401
        ok = client.get("/v1/rules/cold_water.vodokanal", headers={"X-API-Key": key})
        assert ok.status_code == 200


def test_keys_create_and_revoke_are_audited_with_the_actor_and_reason(tmp_path):
    """Issue 14, defect 7: a key's creation and revocation are changes like any other."""
    from sqlalchemy import select

    from zhkh.adapters.db import Database
    from zhkh.modules.access.models import ApiKey
    from zhkh.modules.audit.models import AuditEntry

    url = f"sqlite:///{tmp_path}/keys.sqlite"
    made = runner.invoke(app, ["keys", "create", "--role", "cashier", "--name", "Касса 3",
                               "--database", url, "--actor", "Петрова",
                               "--reason", "приказ № 12"])
    assert made.exit_code == 0, made.output
    plain = made.output.strip().splitlines()[-1]
    db = Database.from_url(url)
    with db.reader() as session:
        key_id = session.scalar(select(ApiKey.id))
    revoked = runner.invoke(app, ["keys", "revoke", str(key_id), "--database", url,
                                  "--reason", "увольнение"])
    assert revoked.exit_code == 0, revoked.output
    with db.reader() as session:
        entries = [(e.action, e.actor, e.reason, e.object_id, e.after)
                   for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    db.dispose()
    import getpass
    assert [e[:4] for e in entries] == [
        ("api_key.create", "Петрова", "приказ № 12", str(key_id)),
        ("api_key.revoke", getpass.getuser(), "увольнение", str(key_id))]
    assert entries[0][4]["role"] == "cashier"
    assert plain not in str(entries)  # the key itself is never written anywhere


def test_keys_create_refuses_an_unknown_role(tmp_path):
    result = runner.invoke(app, ["keys", "create", "--role", "boss", "--name", "x",
                                 "--database", f"sqlite:///{tmp_path}/k.sqlite"])
    assert result.exit_code == 2
    assert "boss" in result.output


def test_keys_create_stores_the_data_scope_and_refuses_unknown_companies(tmp_path):
    from zhkh.adapters.db import Database
    from zhkh.modules.access.models import ApiKey
    from zhkh.modules.access.scope import Scope
    from zhkh.modules.registry.models import ManagementCompany

    url = f"sqlite:///{tmp_path}/scope.sqlite"
    bad = runner.invoke(app, ["keys", "create", "--role", "operator", "--name", "x",
                              "--scope", "1;2", "--database", url])
    assert bad.exit_code == 2 and "область данных" in bad.output
    missing = runner.invoke(app, ["keys", "create", "--role", "operator", "--name", "x",
                                  "--scope", "5", "--database", url])
    assert missing.exit_code == 2 and "Нет управляющих организаций с номерами 5" in missing.output
    db = Database.from_url(url)
    with db.session() as session:
        session.add(ManagementCompany(name="УК", inn="7707083893"))
    made = runner.invoke(app, ["keys", "create", "--role", "operator", "--name", "УК-1",
                               "--scope", "1", "--database", url])
    assert made.exit_code == 0, made.output
    assert "управляющие организации 1" in made.output
    everything = runner.invoke(app, ["keys", "create", "--role", "operator", "--name", "все",
                                     "--database", url])
    assert "все управляющие организации" in everything.output
    with db.session() as session:
        stored = dict(session.query(ApiKey.name, ApiKey.scope).all())
    db.dispose()
    assert stored == {"УК-1": "1", "все": None}
    assert Scope.from_stored(stored["УК-1"]) == Scope(frozenset({1}))


def test_rules_diff_shows_what_a_draft_tariff_changes_without_writing(tmp_path, shipped):
    from zhkh.adapters.db import Database, upgrade
    from zhkh.modules.demo.scenario import run_demo

    url = f"sqlite:///{tmp_path}/town.sqlite"
    upgrade(url)
    db = Database.from_url(url)
    run_demo(db.session, shipped.batch_calculator, shipped.finance_rules, accounts=40, houses=2,
             months=2, seed=7, say=lambda *_: None, progress=None)
    with db.reader() as session:
        from sqlalchemy import text

        lines_before = session.execute(text("select count(*) from ledger_lines")).scalar()
    draft = tmp_path / "draft"
    shutil.copytree(RULES_DIR, draft, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = draft / "tariffs" / "housing.yaml"
    text_ = path.read_text(encoding="utf-8")
    assert '"35.20"' in text_
    path.write_text(text_.replace('"35.20"', '"36.20"'), encoding="utf-8")
    periods = runner.invoke(app, ["rules", "diff", str(draft), "--period", "2026-10",
                                  "--database", url], env={"COLUMNS": "200"})
    assert periods.exit_code == 0, periods.output
    assert "Содержание жилого помещения" in periods.output
    assert "Наибольшие изменения" in periods.output
    with db.reader() as session:
        assert session.execute(text("select count(*) from ledger_lines")).scalar() == (
            lines_before)
    db.dispose()


def test_the_run_summary_shows_charges_benefits_and_reductions_apart(shipped):
    """``zhkh run``'s table: a service's benefits and quality reductions in their own
    columns, the charges before them, the total after (figures of a flat with a benefit and
    an interruption of cold water, see tests/billing/test_benefits_quality_in_run.py)."""
    from zhkh.adapters.cli import billing
    from zhkh.modules.billing.run import RunReport

    report = RunReport(period="2026-06", run_id="run-1", rulebook_version="v1", lines=5,
                       accounts=2, amount_kopecks=63462,
                       by_service={"cold_water": [5, 2, 63462]},
                       by_kind={"cold_water": {"benefit": -12692, "quality_reduction": -2844}})
    calculator = shipped.batch_calculator
    width, billing.console.width = billing.console.width, 200
    try:
        with billing.console.capture() as captured:
            billing._render_run(report, calculator)
    finally:
        billing.console.width = width
    title = calculator.service_title("cold_water")
    printed = captured.get()
    assert "Расчёт за июнь 2026, ₽" in printed
    row = next(line for line in printed.splitlines() if title in line)
    assert row.replace("\xa0", " ").removeprefix(title).split() == [
        "5", "2", "789,98", "−126,92", "−28,44", "634,62"]


def test_the_run_as_json_is_one_document_that_adds_up(tmp_path):
    """``zhkh run --format json`` (a script's check after the monthly run): stdout is one
    JSON document, money as decimal strings; the services add up to the run's amount and
    lines, and the amount is what the ledger holds for the month's charges."""
    from decimal import Decimal

    from sqlalchemy import text

    from zhkh.adapters.db import Database

    url = f"sqlite:///{tmp_path / 'town.sqlite'}"
    demo = runner.invoke(app, ["demo", "--accounts", "6", "--houses", "1", "--months", "2",
                               "--database", url])
    assert demo.exit_code == 0, demo.output
    db = Database.from_url(url)
    with db.reader() as session:
        period = session.execute(text(
            "select period from billing_periods where status = 'open'")).scalar()
    result = runner.invoke(app, ["run", "--period", period, "--format", "json",
                                 "--database", url])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["period"] == period and doc["errors"] == [] and doc["lines"] > 0
    assert sum(s["lines"] for s in doc["services"]) == doc["lines"]
    assert sum(Decimal(s["total"]) for s in doc["services"]) == Decimal(doc["amount"])
    for s in doc["services"]:
        assert (Decimal(s["charged"]) + Decimal(s["benefits"]) + Decimal(s["quality_reductions"])
                == Decimal(s["total"]))
    with db.reader() as session:
        booked = session.execute(text(
            "select coalesce(sum(amount_kopecks), 0) from ledger_lines "
            "where run_id = :run and service <> 'penalty'"), {"run": doc["run_id"]}).scalar()
    db.dispose()
    assert Decimal(booked) / 100 == Decimal(doc["amount"]) + Decimal(
        doc["recalculations"]["amount"])
    bad = runner.invoke(app, ["run", "--period", period, "--format", "csv", "--database", url])
    assert bad.exit_code == 2
