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
    assert seen["options"] == {"host": "127.0.0.1", "port": 8765}
    # the app, its rules and the engine: far more than a test process holds otherwise
    assert seen["frozen"] > 10_000
