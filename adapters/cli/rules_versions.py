"""``zhkh rules publish DIR``, ``zhkh rules versions`` and ``zhkh rules reproduce``: rulebook
versions kept in the database, a month or an issued document computed again with the version
it recorded; :func:`kept_rulebook` loads one for ``calculate --rules-version`` and
``rules regress --base``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zhkh.adapters.bootstrap import bootstrap
from zhkh.kernel.rulebook import Rulebook, RulebookError, load_rulebook
from zhkh.modules.errors import NotFound
from zhkh.modules.rulebooks.service import load, publish, versions

console = Console()
DatabaseOption = Annotated[str | None, typer.Option(
    "--database", help="URL базы (по умолчанию ZHKH_DATABASE_URL или sqlite:///zhkh.sqlite)")]


def register(rules_app: typer.Typer) -> None:
    """Add ``publish`` and ``versions`` to the ``rules`` group."""
    rules_app.command("publish")(rules_publish)
    rules_app.command("versions")(rules_versions)
    rules_app.command("reproduce")(rules_reproduce)


def rules_publish(
    directory: Annotated[Path, typer.Argument(help="Папка правил")],
    by: Annotated[str, typer.Option("--by", help="Кто публикует (ФИО методолога)")],
    database: DatabaseOption = None,
) -> None:
    """Сохранить версию правил в базе и сделать её текущей (когда и кем опубликована)."""
    try:
        rulebook = load_rulebook(directory)
    except RulebookError as exc:
        typer.echo(f"Ошибки в правилах ({directory}):\n{exc}", err=True)
        raise typer.Exit(1) from None
    with bootstrap(database_url=database) as application:
        with application.database.session() as session:
            now = datetime.now(UTC)
            row = publish(session, rulebook, by=by, at=now)
            if row.published_at == now:
                typer.echo(f"Опубликована версия правил {row.version} ({len(row.files)} "
                           f"файлов), {by}")
            else:
                typer.echo(f"Версия правил {row.version} снова текущая (впервые опубликована "
                           f"{row.published_at:%d.%m.%Y %H:%M}, {row.published_by})")


def rules_versions(database: DatabaseOption = None) -> None:
    """Сохранённые версии правил: хеш, когда сохранена и опубликована, кем, текущая ли."""
    with bootstrap(database_url=database) as application:
        with application.database.reader() as session:
            rows = versions(session)
    table = Table(title="Версии правил")
    for col in ("версия", "сохранена", "опубликована", "кем", "текущая"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["version"], r["stored_at"] or "—", r["published_at"] or "—",
                      r["published_by"] or "—", "да" if r["current"] else "")
    console.print(table)


def kept_rulebook(version: str, database: str | None) -> Rulebook:
    """The kept version ``version`` of the database (exit 2 naming it when there is none)."""
    with bootstrap(database_url=database) as application:
        with application.database.reader() as session:
            try:
                return load(session, version)
            except (NotFound, RulebookError) as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None


def rules_reproduce(
    period: Annotated[str | None, typer.Option("--period", help="Месяц ГГГГ-ММ")] = None,
    account: Annotated[str | None, typer.Option("--account", help="Лицевой счёт")] = None,
    document: Annotated[str | None, typer.Option(
        "--document", help="Номер выставленного документа (месяц и счёт — его)")] = None,
    database: DatabaseOption = None,
) -> None:
    """Воспроизвести начисления месяца (или выставленного документа) по правилам, как они
    были известны тогда: пересчитать сохранённой версией, которую записали строки, и сверить
    со строками до копейки. Код выхода 1 — есть расхождения."""
    from sqlalchemy import select

    from zhkh.kernel.money import format_rub_ru
    from zhkh.kernel.period import Period
    from zhkh.modules.billing.compute import BatchCalculator
    from zhkh.modules.billing.reproduce import reproduce_month
    from zhkh.modules.calculation.service import Calculator
    from zhkh.modules.documents.models import IssuedDocument
    from zhkh.modules.registry.models import Account

    if (period is None) == (document is None):
        typer.echo("Укажите --period ГГГГ-ММ (можно с --account) или --document НОМЕР", err=True)
        raise typer.Exit(2)
    calculators: dict[str, BatchCalculator | None] = {}
    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        def calculator_of(version: str) -> BatchCalculator | None:
            if version not in calculators:
                try:
                    rulebook = load(session, version)
                except NotFound:
                    calculators[version] = None
                else:
                    calculators[version] = BatchCalculator(rulebook,
                                                           Calculator(rulebook).engine)
            return calculators[version]

        account_ids: list[int] | None = None
        title = ""
        if document is not None:
            doc = session.scalar(select(IssuedDocument).where(IssuedDocument.number == document))
            if doc is None:
                typer.echo(f"Документ {document} не найден", err=True)
                raise typer.Exit(2)
            period, account_ids = doc.period, [doc.account_id]
            title = f"документ {doc.number} (правила {doc.rulebook_version}), "
        else:
            try:
                period = str(Period.parse(period or ""))
            except ValueError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
            if account is not None:
                found = session.scalar(select(Account.id).where(Account.number == account))
                if found is None:
                    typer.echo(f"Лицевой счёт {account} не найден", err=True)
                    raise typer.Exit(2)
                account_ids = [found]
        result = reproduce_month(session, calculator_of, str(period), account_ids)
    versions_text = ", ".join(f"{v} ({n} сч.)" for v, n in result.versions.items()) or "—"
    console.print(f"Воспроизведение: {title}месяц {result.period}; версии правил строк: "
                  f"{versions_text}; сверено строк {result.lines_compared}: было "
                  f"{format_rub_ru(result.stored_kopecks)}, пересчитано "
                  f"{format_rub_ru(result.reproduced_kopecks)}")
    for version in result.missing_versions:
        console.print(f"[red]Версия правил {version} не сохранена в базе: воспроизвести "
                      "нельзя[/red]")
    if result.failed_accounts:
        console.print("[red]Не посчитаны счета: " + ", ".join(result.failed_accounts[:20])
                      + "[/red]")
    if result.differences:
        table = Table(title=f"Расхождения: {len(result.differences)}")
        for col in ("счёт", "услуга", "поставщик", "вид", "в базе", "пересчитано",
                    "перерасчёты позже"):
            table.add_column(col)
        for d in result.differences[:50]:
            table.add_row(d.account, d.service, d.provider, d.kind,
                          format_rub_ru(d.stored_kopecks), format_rub_ru(d.reproduced_kopecks),
                          format_rub_ru(d.later_recalculations_kopecks))
        console.print(table)
        explained = sum(d.reproduced_kopecks - d.stored_kopecks
                        == d.later_recalculations_kopecks for d in result.differences)
        if explained == len(result.differences):
            console.print("Факты месяца исправлены после расчёта: все расхождения равны "
                          "перерасчётам, выставленным позже.")
        else:
            console.print(f"[red]Не объяснены перерасчётами: "
                          f"{len(result.differences) - explained}[/red]")
    if result.exact:
        console.print("[green]Воспроизведено до копейки.[/green]")
        return
    if result.lines_compared == 0 and not result.missing_versions:
        console.print("[yellow]Строк месяца нет: воспроизводить нечего.[/yellow]")
    raise typer.Exit(1)
