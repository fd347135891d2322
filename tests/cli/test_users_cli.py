"""``zhkh users add|list|disable|passwd`` and ``zhkh keys list`` on a fresh SQLite file."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from zhkh.adapters.cli.main import app
from zhkh.adapters.db.session import Database
from zhkh.modules.access.users import verify_password
from zhkh.modules.audit.models import AuditEntry

runner = CliRunner()


def zhkh(*args: str, url: str):
    return runner.invoke(app, [*args, "--database", url], env={"COLUMNS": "120"})


def test_users_are_added_listed_disabled_and_given_new_passwords(tmp_path):
    url = f"sqlite:///{tmp_path / 'zhkh.sqlite'}"
    added = zhkh("users", "add", "ivanova", "--role", "cashier", "--name", "Иванова М. П.",
                 url=url)
    assert added.exit_code == 0, added.output
    password = added.output.split("показывается один раз): ")[1].strip()
    assert len(password) >= 16
    again = zhkh("users", "add", "ivanova", "--role", "operator", "--password",
                 "dlinnyj-parol-1", url=url)
    assert again.exit_code == 1 and "уже занят" in again.output
    bad = zhkh("users", "add", "petrov", "--role", "king", "--password", "dlinnyj-parol-1",
               url=url)
    assert bad.exit_code == 2 and "неизвестная роль" in bad.output
    listed = zhkh("users", "list", "--format", "json", url=url)
    assert [(u["login"], u["role"], u["disabled_at"]) for u in json.loads(listed.output)] == [
        ("ivanova", "cashier", None)]
    changed = zhkh("users", "passwd", "ivanova", "--password", "novyj-parol-12", url=url)
    assert changed.exit_code == 0, changed.output
    assert "novyj" not in changed.output
    database = Database.from_url(url)
    try:
        with database.reader() as session:
            assert verify_password(session, "ivanova", "novyj-parol-12") is not None
            assert verify_password(session, "ivanova", password) is None
        assert zhkh("users", "disable", "ivanova", url=url).exit_code == 0
        assert json.loads(zhkh("users", "list", "--format", "json", url=url).output)[0][
            "disabled_at"] is not None
        assert zhkh("users", "disable", "nobody", url=url).exit_code == 1
        with database.reader() as session:
            actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
        assert actions == ["user.create", "user.password", "user.disable"]
    finally:
        database.dispose()


def test_keys_list_shows_prefixes_never_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'zhkh.sqlite'}"
    created = zhkh("keys", "create", "--role", "external_system", "--name", "портал", url=url)
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert zhkh("keys", "revoke", "1", url=url).exit_code == 0
    listed = zhkh("keys", "list", url=url)
    assert listed.exit_code == 0, listed.output
    assert "портал" in listed.output and key[:10] in listed.output and key not in listed.output
    rows = json.loads(zhkh("keys", "list", "--format", "json", url=url).output)
    assert rows[0]["revoked_at"] is not None and rows[0]["key_prefix"] == key[:10]


def test_serve_takes_the_database_option():
    answer = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "120"})
    assert answer.exit_code == 0 and "--database" in answer.output


def test_purge_sessions_deletes_only_dead_sessions(tmp_path):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from zhkh.modules.access.models import WebSession
    from zhkh.modules.access.users import create_user, end_session, open_session

    url = f"sqlite:///{tmp_path / 'zhkh.sqlite'}"
    assert zhkh("users", "list", url=url).exit_code == 0  # migrates the new file
    database = Database.from_url(url)
    try:
        with database.session() as session:
            user = create_user(session, "ivanova", "dlinnyj-parol-1", "cashier")
            ended, _ = open_session(session, user)
            old, _ = open_session(session, user)
            live, _ = open_session(session, user)
            end_session(session, ended.id)
            old.expires_at = datetime.now(UTC) - timedelta(hours=1)
            live_id = live.id
        purged = zhkh("users", "purge-sessions", url=url)
        assert purged.exit_code == 0, purged.output
        assert "Удалено завершённых и истёкших сеансов: 2" in purged.output
        with database.reader() as session:
            assert list(session.scalars(select(WebSession.id))) == [live_id]
        assert "сеансов: 0" in zhkh("users", "purge-sessions", url=url).output
    finally:
        database.dispose()
