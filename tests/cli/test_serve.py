"""``zhkh serve``: what it sets up before uvicorn takes over (uvicorn itself replaced)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zhkh.adapters.cli.main import app


def test_serve_keeps_the_objects_alive_at_start_out_of_the_collector(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def run(application: Any, **options: Any) -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["options"] = options

    monkeypatch.setattr(uvicorn, "run", run)
    gc.unfreeze()
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "8765", "--database",
                                          f"sqlite:///{tmp_path / 'zhkh.sqlite'}"])
    finally:
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    options = seen["options"]
    assert (options["host"], options["port"]) == ("127.0.0.1", 8765)
    assert "no_query_string" in options["log_config"]["handlers"]["access"]["filters"]
    # the app, its rules and the engine: far more than a test process holds otherwise
    assert seen["frozen"] > 10_000


def test_the_access_log_keeps_no_query_string(capsys: pytest.CaptureFixture[str]) -> None:
    """A name searched at the desk must not reach the server's log: the configuration serve
    gives uvicorn, applied, logs the path of a request with its query cut off."""
    import logging.config

    from zhkh.adapters.cli.access_log import log_config

    config = log_config()
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    logging.config.dictConfig(config)
    logger = logging.getLogger("uvicorn.access")
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                "/web/accounts?q=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2", "1.1", 200)
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/v1/health", "1.1", 200)
    err = capsys.readouterr().err
    assert '"GET /web/accounts?… HTTP/1.1" 200' in err
    assert "D0%98" not in err
    assert '"GET /v1/health HTTP/1.1" 200' in err


def test_serve_leaves_sqlite_checkpoints_to_a_thread_while_it_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No request's commit copies the WAL into the database (that was the p99 of a payment):
    while uvicorn runs, the app's connections have SQLite's automatic checkpoint off and the
    checkpoint thread is alive; it is stopped when uvicorn returns."""
    import threading

    import uvicorn

    seen: dict[str, Any] = {}

    def run(application: Any, **options: Any) -> None:
        with application.state.database.engine.connect() as conn:
            seen["autocheckpoint"] = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        seen["threads"] = {t.name for t in threading.enumerate()}

    monkeypatch.setattr(uvicorn, "run", run)
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "8765", "--database",
                                          f"sqlite:///{tmp_path / 'zhkh.sqlite'}"])
    finally:
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    assert seen["autocheckpoint"] == 0
    assert "zhkh-wal-checkpoint" in seen["threads"]
    assert "zhkh-wal-checkpoint" not in {t.name for t in threading.enumerate()}
