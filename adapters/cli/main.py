"""The ``zhkh`` command line: thin — it parses, calls a module, and renders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli import (
    access,
    accounts,
    billing,
    cash,
    complaints,
    demo,
    documents,
    finance,
    houses,
    owners,
    parties,
    payments,
    readings,
    regress,
    reports,
    rules_versions,
    russian,
    transfers,
    users,
)

app = typer.Typer(help="zhkh — расчётный центр ЖКУ", no_args_is_help=True, add_completion=False)
rules_app = typer.Typer(help="Проверка и тестирование файлов правил", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Папка правил (по умолчанию опубликованные)")
]

DirArgument = Annotated[Path | None, typer.Argument(help="Папка правил")]


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command()
def calculate(
    situation: Annotated[Path, typer.Argument(help="JSON-файл ситуации (как POST /v1/calculate)")],
    rules: RulesOption = None,
    rules_version: Annotated[str | None, typer.Option(
        "--rules-version", help="Версия правил, сохранённая в базе (хеш): воспроизвести её")]
        = None,
    database: Annotated[str | None, typer.Option(
        help="URL базы (для --rules-version)")] = None,
) -> None:
    """Рассчитать ситуацию и напечатать ровно то, что вернул бы API."""
    from pydantic import ValidationError

    from zhkh.kernel.calc.errors import CalculationError
    from zhkh.kernel.rulebook import RulebookError
    from zhkh.modules.errors import field_errors

    try:
        payload = json.loads(situation.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        _fail(f"Не удалось прочитать {situation}: {exc}", 2)
    try:
        calculator = None
        if rules_version:
            from zhkh.adapters.cli.rules_versions import kept_rulebook
            from zhkh.modules.calculation.service import Calculator

            calculator = Calculator(kept_rulebook(rules_version, database))
        result = (calculator or bootstrap(rules_dir=rules).calculator).calculate_json(payload)
    except RulebookError as exc:
        _fail(f"Ошибки в правилах:\n{exc}", 2)
    except ValidationError as exc:
        body = {"error": {"code": "invalid_input", "fields": field_errors(list(exc.errors()))}}
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        raise typer.Exit(2) from None
    except CalculationError as exc:
        typer.echo(json.dumps({"error": exc.as_dict()}, ensure_ascii=False, indent=2))
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@rules_app.command("check")
def rules_check(directory: DirArgument = None) -> None:
    """Загрузить и проверить все файлы правил; ошибки — с файлом, строкой, правилом и полем."""
    from zhkh.kernel.rulebook import RulebookError, load_rulebook

    folder = bootstrap(rules_dir=directory).settings.rules_dir
    try:
        rulebook = load_rulebook(folder)
    except RulebookError as exc:
        _fail(f"Ошибки в правилах ({folder}):\n{exc}", 1)
    counts = ", ".join(f"{k}: {len(rulebook.rules(k))}" for k in rulebook.kinds())
    typer.echo(f"Правила в порядке: {folder}\nВерсия {rulebook.version}; {counts}")


@rules_app.command("test")
def rules_test(directory: DirArgument = None) -> None:
    """Прогнать примеры методологов из rules/tests/ (расхождение хотя бы на копейку — ошибка)."""
    from zhkh.kernel.calc.examples import run_examples
    from zhkh.kernel.rulebook import RulebookError

    folder = bootstrap(rules_dir=directory).settings.rules_dir
    try:
        outcomes = run_examples(folder)
    except RulebookError as exc:
        _fail(f"Ошибки в правилах ({folder}):\n{exc}", 1)
    failed = [o for o in outcomes if not o.passed]
    for o in outcomes:
        mark = "ок " if o.passed else "ОШИБКА"
        typer.echo(f"{mark} {o.file}: {o.name}")
        for problem in o.problems:
            typer.echo(f"      {problem}")
    typer.echo(f"Примеров: {len(outcomes)}, прошло: {len(outcomes) - len(failed)}, "
               f"с ошибками: {len(failed)}")
    if failed:
        raise typer.Exit(1)


@rules_app.command("diff")
def rules_diff(
    draft: Annotated[Path, typer.Argument(help="Папка черновика правил")],
    period: Annotated[str, typer.Option(help="Период, ГГГГ-ММ")],
    database: Annotated[str | None, typer.Option(help="URL базы данных")] = None,
    rules: RulesOption = None,
) -> None:
    """Показать, как черновик правил изменит начисления периода по всей базе (ничего не пишет)."""
    from zhkh.adapters.cli.render import diff_progress, print_rules_diff
    from zhkh.kernel.period import Period
    from zhkh.kernel.rulebook import RulebookError
    from zhkh.modules.billing.service import rules_diff as compare

    with bootstrap(database_url=database, rules_dir=rules) as application:
        try:
            period = str(Period.parse(period))
            published = application.preview_calculator
            proposed = bootstrap(application.settings, rules_dir=draft).preview_calculator
        except RulebookError as exc:
            _fail(f"Ошибки в правилах:\n{exc}", 1)
        except ValueError as exc:
            _fail(str(exc), 2)
        with application.database.reader() as session, diff_progress() as bar:
            task = bar.add_task(f"Сравнение начислений {period}", total=None)
            diff = compare(session, published, proposed, period, progress=lambda done, total:
                           bar.update(task, completed=done, total=total))
        print_rules_diff(diff)


regress.register(rules_app)
rules_versions.register(rules_app)

for _module in (billing, demo, finance, payments, reports, transfers, parties, access,
                documents, houses, owners, readings, users):
    _module.register(app)
cash.register(app)

accounts.register(app)
complaints.register(app)

# last, after every command is added: typer's own words (help, usage, errors) in Russian
russian.adopt(app)


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="zhkh")


if __name__ == "__main__":  # pragma: no cover
    main()
