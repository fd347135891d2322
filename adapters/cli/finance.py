"""CLI of penalties and payment allocation: ``zhkh penalties`` and ``zhkh allocate``.

Each reads a JSON request (the body of ``POST /v1/penalties`` / ``POST /v1/allocate``), calls
``modules/finance/calculators.py`` and prints exactly the JSON the API returns — the result, or
the error body with exit code 2. Mount with ``register(app)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from zhkh.adapters.bootstrap import bootstrap

RequestArgument = Annotated[Path, typer.Argument(help="JSON-файл запроса (как тело запроса API)")]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Папка правил (по умолчанию опубликованные)")
]


def register(app: typer.Typer) -> None:
    """Add ``penalties`` and ``allocate`` to the ``zhkh`` application."""
    app.command("penalties")(penalties)
    app.command("allocate")(allocate)


def penalties(request: RequestArgument, rules: RulesOption = None) -> None:
    """Рассчитать пени (ЖК РФ ст. 155 ч. 14) и напечатать ровно то, что вернул бы API."""
    from zhkh.modules.finance.calculators import penalties_json

    _run(request, rules, penalties_json)


def allocate(request: RequestArgument, rules: RulesOption = None) -> None:
    """Распределить оплату (ПП 354 п. 118) и напечатать ровно то, что вернул бы API."""
    from zhkh.modules.finance.calculators import allocate_json

    _run(request, rules, allocate_json)


def _run(path: Path, rules: Path | None, call: Callable[[Any, Any], dict[str, Any]]) -> None:
    from pydantic import ValidationError

    from zhkh.kernel.calc.errors import CalculationError
    from zhkh.kernel.rulebook import RulebookError
    from zhkh.modules.errors import invalid_input

    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        typer.echo(f"Не удалось прочитать {path}: {exc}", err=True)
        raise typer.Exit(2) from None
    application = bootstrap(rules_dir=rules)
    folder = application.settings.rules_dir
    try:
        rulebook = application.rulebook
    except RulebookError as exc:
        typer.echo(f"Ошибки в правилах ({folder}):\n{exc}", err=True)
        raise typer.Exit(2) from None
    try:
        result = call(payload, rulebook)
    except ValidationError as exc:
        _print({"error": invalid_input(list(exc.errors()))})
        raise typer.Exit(2) from None
    except CalculationError as exc:
        _print({"error": exc.as_dict()})
        raise typer.Exit(2) from None
    _print(result)


def _print(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
