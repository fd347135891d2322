"""``zhkh run --period P --dry-run``: the open month calculated without writing, compared with
the month before per service, provider and house, the largest account changes with reasons."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhkh.adapters.bootstrap import bootstrap
from zhkh.kernel.money import format_rub_ru
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import RulebookError
from zhkh.modules.billing.dry_run import DryRun, Total, dry_run

console = Console()
TITLES = (("По услугам", 0), ("По поставщикам", 1), ("По домам", 2))


def show_dry_run(period: str, database: str | None, rules: Path | None) -> None:
    """Calculate ``period`` without writing and print the comparison (only reads the base)."""
    try:
        period = str(Period.parse(period))
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with bootstrap(database_url=database, rules_dir=rules) as application:
        try:
            calculator = application.preview_calculator
        except RulebookError as exc:
            console.print(f"[red]Ошибки в правилах:[/red]\n{exc}")
            raise typer.Exit(2) from None
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task(f"Пробный расчёт {period}", total=None)
            with application.database.reader() as session:
                result = dry_run(session, calculator, period, progress=lambda done, total:
                                 bar.update(task, completed=done, total=total))
    render(result)


def render(result: DryRun) -> None:
    """The comparison as Russian tables."""
    console.print(f"[bold]Пробный расчёт {result.period}[/] (ничего не записано) против "
                  f"{result.previous}; правила {result.rulebook}; счетов {result.accounts}, "
                  f"ошибок {result.errors}")
    for title, part in TITLES:
        _table(title, result.by(part))
    if not result.largest:
        console.print("Начисления не изменились.")
        return
    table = Table(title="Наибольшие изменения по счетам", title_justify="left")
    for col in ("счёт", "услуга", "дом", "было", "стало", "почему"):
        table.add_column(col)
    for c in result.largest:
        table.add_row(c.account, c.service, c.house, format_rub_ru(c.before),
                      format_rub_ru(c.after), "; ".join(c.reasons))
    console.print(table)


def _table(title: str, totals: dict[str, Total]) -> None:
    table = Table(title=title, title_justify="left")
    for col, justify in (("", "left"), ("было", "right"), ("стало", "right"),
                         ("разница", "right"), ("счетов изменилось", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, t in sorted(totals.items()):
        table.add_row(name, format_rub_ru(t.before), format_rub_ru(t.after),
                      format_rub_ru(t.difference), str(t.accounts_changed))
    console.print(table)
