"""``zhkh rules publish DIR`` and ``zhkh rules versions``: rulebook versions kept in the
database; :func:`kept_rulebook` loads one for ``calculate --rules-version`` and
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
