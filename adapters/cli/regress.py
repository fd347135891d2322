"""``zhkh rules regress``: the methodologist's property-based regression run (thin: parse, call
``zhkh.kernel.regress``, render as text / JSON / HTML, save the shrunk situations)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Annotated, Literal

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from zhkh.adapters.bootstrap import bootstrap
from zhkh.kernel.money import format_kopecks
from zhkh.kernel.regress import DeclaredError, Options, Report, load_declared, regress
from zhkh.kernel.regress.report import as_json, as_test_case, slug
from zhkh.kernel.rulebook import Rulebook, RulebookError, load_rulebook

Format = Literal["text", "json", "html"]


def register(rules_app: typer.Typer) -> None:
    """Add ``regress`` to the ``rules`` group."""
    rules_app.command("regress")(rules_regress)


def rules_regress(
    draft: Annotated[Path, typer.Option("--draft", help="Папка черновика правил")],
    base: Annotated[str | None, typer.Option(
        "--base", help="Папка правил или версия из базы (хеш) для сравнения "
                       "(по умолчанию опубликованные)")] = None,
    database: Annotated[str | None, typer.Option(
        help="URL базы (для --base ВЕРСИЯ)")] = None,
    examples: Annotated[int, typer.Option(min=1, help="Сколько ситуаций породить")] = 300,
    seed: Annotated[int, typer.Option(help="Зерно: тот же seed — тот же прогон")] = 0,
    period: Annotated[str | None, typer.Option(
        help="Период ГГГГ-ММ (по умолчанию — по обе стороны каждой даты изменения)")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=1, help="Предел времени на поиск, секунд")] = 60.0,
    out: Annotated[Path, typer.Option(
        help="Куда сохранить отчёт (report.json, report.html) и минимальные ситуации")]
        = Path("regress-report"),
    output: Annotated[str, typer.Option(
        "--format", help="Вывод на экран: text, json или html")] = "text",
    shrink: Annotated[bool, typer.Option(help="Уменьшать найденные ситуации")] = True,
    max_shrunk: Annotated[int, typer.Option(
        "--max-shrunk", min=0, help="Сколько видов различий и нарушений уменьшать")] = 8,
) -> None:
    """Породить ситуации из правил, посчитать по базовым правилам и черновику, проверить
    инварианты и показать различия с минимальным примером каждого вида (код 1 — инвариант
    нарушен)."""
    if output not in ("text", "json", "html"):
        typer.echo("--format: text, json или html", err=True)
        raise typer.Exit(2)
    if base is not None and not Path(base).is_dir() and re.fullmatch(r"[0-9a-f]{12,64}", base):
        from zhkh.adapters.cli.rules_versions import kept_rulebook

        base_book = kept_rulebook(base, database)
    else:
        base_book = _load(Path(base) if base else bootstrap().settings.rules_dir)
    draft_book = _load(draft)
    try:
        declared = load_declared(draft)
    except DeclaredError as exc:
        typer.echo(f"Ошибка в инвариантах черновика: {exc}", err=True)
        raise typer.Exit(2) from None
    options = Options(examples=examples, seed=seed, period=period, time_limit=time_limit,
                      shrink=shrink, max_shrunk=max_shrunk)
    err = Console(stderr=True)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("Ситуации", total=examples)
        report = regress(base_book, draft_book, options, declared,
                         progress=lambda done, total: bar.update(task, completed=done))
    _save(report, out)
    console = Console(record=True, width=110, soft_wrap=False)
    if output == "json":
        typer.echo(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    else:
        render(report, console, out)
        if output == "html":
            typer.echo(console.export_html())
    (out / "report.html").write_text(_html(report, out), encoding="utf-8")
    if report.failed:
        raise typer.Exit(1)


def _load(folder: Path) -> Rulebook:
    try:
        return load_rulebook(folder)
    except RulebookError as exc:
        typer.echo(f"Ошибки в правилах ({folder}):\n{exc}", err=True)
        raise typer.Exit(2) from None


def _save(report: Report, out: Path) -> None:
    """report.json, one situation JSON per shrunk kind, and cases.yaml for rules/tests/."""
    examples = out / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    for old in examples.glob("*.json"):
        old.unlink()
    cases = []
    kinds = [("нарушен инвариант", f) for f in report.violations.values()] + \
        [("различие", f) for f in report.changes.values()]
    for i, (what, found) in enumerate(kinds, 1):
        if found.shrunk is None:
            continue
        name = f"{i:02d}-{slug(found.key)}.json"
        (examples / name).write_text(json.dumps(found.shrunk, ensure_ascii=False, indent=2),
                                     encoding="utf-8")
        cases.append(as_test_case(f"{what}: {found.key}", found))
    (out / "cases.yaml").write_text(
        "# Минимальные ситуации прогона rules regress. Ожидания взяты из черновика: проверьте\n"
        "# их и перенесите нужные случаи в rules/tests/.\n"
        + yaml.safe_dump({"cases": cases}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (out / "report.json").write_text(json.dumps(as_json(report), ensure_ascii=False, indent=2),
                                     encoding="utf-8")


def render(report: Report, console: Console, out: Path) -> None:
    """The text report: outcomes, coverage, invariants, differences, saved examples."""
    console.print(f"[bold]Прогон rules regress[/] · база {report.base_version} → черновик "
                  f"{report.draft_version} · seed {report.seed} · ситуаций {report.examples} · "
                  f"{report.elapsed:.0f} с")
    console.print("Исходы черновика: " + ", ".join(
        f"{k.removeprefix('черновик: ')} — {v}" for k, v in report.outcomes.most_common()))
    never = sum(len(v) for v in report.never_matched.values())
    console.print(f"\n[bold]Покрытие правил[/]: сработало {len(report.matched)}, "
                  f"ни разу не сработало {never}")
    for kind, ids in report.never_matched.items():
        console.print(f"  {kind}: {', '.join(ids)}")
    table = Table(title="Инварианты", title_justify="left", show_lines=False)
    for col in ("инвариант", "проверок", "итог", "смысл / пример"):
        table.add_column(col)
    for name, text in report.explanations.items():
        v = report.violations.get(name)
        verdict = "[green]выполняется[/]" if v is None else f"[red]нарушен ×{v.count}[/]"
        table.add_row(name, str(report.checked.get(name, 0)), verdict,
                      text if v is None else f"{text}\n[red]{v.detail}[/]")
    console.print(table)
    _differences(report, console)
    saved = sorted((out / "examples").glob("*.json"))
    if saved:
        console.print(f"\nМинимальные ситуации ({len(saved)}) — zhkh calculate ФАЙЛ --rules "
                      f"ЧЕРНОВИК: {out / 'examples'}; как примеры для rules/tests/: "
                      f"{out / 'cases.yaml'}")


def _differences(report: Report, console: Console) -> None:
    if not report.changes:
        console.print("\n[bold]Различий база → черновик нет.[/]")
        return
    console.print("\n[bold]Различия по правилам[/]: " + ", ".join(
        f"{rule} — {n}" for rule, n in report.by_rule.most_common(12)))
    table = Table(title="Различия по видам", title_justify="left")
    for col in ("правила | что изменилось", "строк", "наибольшее, ₽", "пример"):
        table.add_column(col)
    for found in sorted(report.changes.values(), key=lambda f: -f.count)[:20]:
        sign = "+" if found.largest > 0 else ""
        table.add_row(found.key, str(found.count), sign + format_kopecks(found.largest),
                      found.detail)
    console.print(table)


def _html(report: Report, out: Path) -> str:
    console = Console(record=True, width=140, file=io.StringIO())
    render(report, console, out)
    return console.export_html()
