"""Russian tables for the CLI (rich)."""

from __future__ import annotations

from rich.console import Console, JustifyMethod
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from zhkh.adapters.print import fmt
from zhkh.kernel.money import format_rub_ru
from zhkh.modules.billing.service import RulesDiff


def diff_progress() -> Progress:
    """The bar of houses compared by ``zhkh rules diff``: on stderr, so stdout carries only
    the table, and gone when done."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("домов"), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=True)


def print_rules_diff(diff: RulesDiff, console: Console | None = None) -> None:
    """The comparison of a draft rulebook with the published one, by service and examples."""
    console = console or Console()
    table = Table(title=f"Начисления за {fmt.period(diff.period)}: опубликованные правила "
                        f"{diff.published} → черновик {diff.draft}")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Услуга", "left"), ("Было", "right"), ("Станет", "right"), ("Разница", "right"),
        ("Счетов изменится", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for s in sorted(diff.services.values(), key=lambda s: s.service):
        table.add_row(s.title, format_rub_ru(s.before), format_rub_ru(s.after),
                      format_rub_ru(s.difference), str(s.accounts_changed))
    console.print(table)
    if diff.examples:
        examples = Table(title="Наибольшие изменения по счетам")
        for name in ("Счёт", "Услуга", "Было", "Станет"):
            examples.add_column(name)
        for number, service, before, after in diff.examples:
            examples.add_row(number, service, format_rub_ru(before), format_rub_ru(after))
        console.print(examples)
    changed = sum(s.accounts_changed for s in diff.services.values())
    console.print(f"Счетов в расчёте: {diff.accounts}; изменится строк «счёт × услуга»: "
                  f"{changed}; ошибок расчёта: было {diff.errors_before}, "
                  f"станет {diff.errors_after}.")
