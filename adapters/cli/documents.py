"""CLI of payment documents: ``zhkh documents issue`` (mass printing), ``show``, ``reprint``,
``list``. Thin: options are parsed here, the work is ``modules/documents`` (issuing,
reading) and ``adapters/print`` (rendering; ``mass_issue.py`` runs the two together).

Exit codes: 0 done; 1 refused (the month not closed, a document or account not found, some
accounts refused in a mass run — listed); 2 bad input (an option).
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit
from zhkh.adapters.cli.shared import (
    EXIT_INPUT,
    ActorOption,
    DatabaseOption,
    actor,
    console,
    fail,
    parse_day,
    parse_period,
    refuse,
)
from zhkh.adapters.print import fmt
from zhkh.modules.errors import DomainError

documents_app = typer.Typer(help="Платёжные документы (ЕПД): выпуск, печать, перепечатка",
                            no_args_is_help=True)
passport_app = typer.Typer(help="Документы паспортного стола: выписка из домовой книги, "
                                "справка о зарегистрированных, поквартирная карточка",
                           no_args_is_help=True)
KINDS = ("monthly", "corrected", "debt_notice")
KIND_TITLES = {"monthly": "ЕПД", "corrected": "Исправленные ЕПД",
               "debt_notice": "Уведомления о задолженности"}


def register(app: typer.Typer) -> None:
    """Add ``documents`` and ``passport-documents`` to the ``zhkh`` application."""
    app.add_typer(documents_app, name="documents")
    app.add_typer(passport_app, name="passport-documents")


class PagesPerSecond(ProgressColumn):
    """Pages rendered so far and pages a second since the start."""

    def render(self, task: Task) -> Text:
        pages = task.fields.get("pages", 0)
        elapsed = task.elapsed or 0.0
        rate = pages / elapsed if elapsed > 0 else 0.0
        return Text(f"{pages} стр. · {rate:,.0f} стр./с".replace(",", " "), style="cyan")


@documents_app.command("issue")
def issue(period: Annotated[str, typer.Option("--period", help="Месяц ГГГГ-ММ (закрытый)")],
          out: Annotated[Path, typer.Option("--out", help="Папка для PDF, реестра и ZIP")],
          house: Annotated[int | None, typer.Option("--house", help="Один дом (id)")] = None,
          company: Annotated[int | None, typer.Option(
              "--company", help="Дома управляющей организации (id)")] = None,
          all_houses: Annotated[bool, typer.Option("--all", help="Все дома")] = False,
          kind: Annotated[str, typer.Option(
              "--kind", help="monthly — ЕПД; corrected — исправленные после перерасчёта; "
                             "debt_notice — уведомления о задолженности")] = "monthly",
          on: Annotated[str | None, typer.Option(
              "--date", help="Дата документов (по умолчанию — сегодня)")] = None,
          workers: Annotated[int | None, typer.Option(
              "--workers", help="Процессов печати (по умолчанию — по числу ядер)")] = None,
          database: DatabaseOption = None, by: ActorOption = None) -> None:
    """Выпустить и напечатать документы месяца: PDF на дом (квартиры по порядку), ZIP и
    реестр для типографии. Повторный запуск ничего не выпускает дважды и допечатывает
    только недостающие файлы."""
    from zhkh.adapters.cli.mass_issue import Scope, run

    period = parse_period(period)
    if sum((house is not None, company is not None, all_houses)) != 1:
        fail("Укажите ровно одно из: --house ID, --company ID, --all", EXIT_INPUT)
    if kind not in KINDS:
        fail(f"--kind: «{kind}» — допустимо {', '.join(KINDS)}", EXIT_INPUT)
    issue_date = parse_day(on, "--date") or date.today()
    with bootstrap(database_url=database) as application, _bar() as bar:
        task = bar.add_task(f"{KIND_TITLES[kind]} за {period}", total=None,
                            pages=0)
        try:
            report = run(application, period=period, kind=kind,
                         scope=Scope(house_id=house, company_id=company), out=out,
                         actor=actor(by, f"выпуск документов за {period}"),
                         issue_date=issue_date, workers=workers,
                         progress=lambda done, total, pages: bar.update(
                             task, completed=done, total=total, pages=pages))
        except DomainError as exc:
            refuse(exc)
    _summary(report, kind, period)
    if report.errors:
        raise typer.Exit(1)


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("домов"), PagesPerSecond(), TimeElapsedColumn(),
                    console=console, transient=True)


def _summary(report, kind: str, period: str) -> None:
    table = Table(title=f"{KIND_TITLES[kind]} за {fmt.period(period)}")
    table.add_column("")
    table.add_column("", justify="right")
    for name, value in (
            ("Домов", report.houses), ("Выпущено сейчас", report.issued),
            ("Уже были выпущены", report.skipped), ("Отказов", len(report.errors)),
            ("Напечатано файлов", report.rendered_files), ("Страниц", report.pages),
            ("Время, с", f"{report.seconds:.1f}"),
            ("Страниц в секунду", f"{report.pages_per_second:.0f}")):
        table.add_row(name, str(value))
    console.print(table)
    console.print(f"Реестр: {report.registry}\nАрхив: {report.archive}")
    for message in report.errors[:20]:
        console.print(f"[red]{message}[/red]", soft_wrap=True)
    if len(report.errors) > 20:
        console.print(f"… и ещё {len(report.errors) - 20}")


@documents_app.command("show")
def show(document: Annotated[str, typer.Argument(help="Id или номер документа")],
         database: DatabaseOption = None) -> None:
    """Показать выпущенный документ: сведения и снимок (JSON) — как GET /v1/documents/{id}."""
    from zhkh.modules.documents import service

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            found = service.get_document(session, service.find_document(session, document).id)
        except DomainError as exc:
            refuse(exc)
    typer.echo(json.dumps(found.model_dump(mode="json"), ensure_ascii=False, indent=2))


@documents_app.command("reprint")
def reprint(document: Annotated[str, typer.Argument(help="Id или номер документа")],
            out: Annotated[Path, typer.Option("--out", help="Файл PDF")],
            database: DatabaseOption = None) -> None:
    """Перепечатать выпущенный документ из его снимка: тот же PDF байт в байт."""
    from zhkh.adapters.print.render import render
    from zhkh.modules.documents import service

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            row = service.find_document(session, document)
        except DomainError as exc:
            refuse(exc)
        number, digest, snapshot = row.number, row.content_hash, service.snapshot_of(row)
    started = time.perf_counter()
    out.write_bytes(render(snapshot))
    console.print(f"Документ № {number} (хеш {digest[:16]}…) → {out} "
                  f"за {time.perf_counter() - started:.2f} с")


@documents_app.command("list")
def list_(account: Annotated[str, typer.Option("--account", help="Лицевой счёт")],
          database: DatabaseOption = None, output_format: Annotated[Format, typer.Option(
              "--format", help="table, csv или json")] = Format.table) -> None:
    """Документы лицевого счёта, последние месяцы первыми."""
    from zhkh.kernel.money import to_kopecks
    from zhkh.modules.documents import service

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            found = service.list_documents(session, account, limit=500)
        except DomainError as exc:
            refuse(exc)
    table = output_format is Format.table
    rows = [(d.id, d.number, d.kind, fmt.period(d.period) if table else d.period,
             fmt.day(d.issue_date) if table else d.issue_date.isoformat(),
             to_kopecks(d.total_to_pay), d.corrects_id) for d in found.items]
    emit(Listing(f"Документы счёта {account}, ₽", (
        Column("Id", "int"), Column("Номер", "code"), Column("Вид"), Column("Месяц", "code"),
        Column("Дата", "code"), Column("К оплате", "money"), Column("Исправляет", "int")),
        rows, found.items), output_format, None)


@passport_app.command("issue")
def passport_issue(
        premises: Annotated[int, typer.Option("--premises", help="Помещение (id)")],
        kind: Annotated[str, typer.Option(
            "--kind", help="house_register_extract — выписка из домовой книги; "
                           "residents_certificate — справка о зарегистрированных; "
                           "apartment_card — поквартирная карточка (форма № 10)")],
        requested_by: Annotated[str, typer.Option("--requested-by",
                                                  help="Кто обратился (ФИО, основание)")],
        purpose: Annotated[str, typer.Option("--purpose", help="Для чего нужен документ")],
        out: Annotated[Path, typer.Option("--out", help="Файл PDF")],
        on: Annotated[str | None, typer.Option("--on", help="На дату (по умолчанию — сегодня)")
                      ] = None,
        database: DatabaseOption = None, by: ActorOption = None) -> None:
    """Выдать документ паспортного стола: PDF с номером и датой; чтение персональных данных
    и выдача записываются в журнал аудита (кто, кому, зачем)."""
    from pydantic import ValidationError

    from zhkh.adapters.print.certificates import render_certificate
    from zhkh.modules.documents.certificates import issue_certificate
    from zhkh.modules.documents.read_models import CertificateIssueIn

    try:
        body = CertificateIssueIn(kind=kind, requested_by=requested_by, purpose=purpose,
                                  on_date=parse_day(on, "--on"))
    except ValidationError as exc:
        refuse(exc)
    with bootstrap(database_url=database) as application:
        try:
            with application.database.session() as session:
                certificate, _ = issue_certificate(session, actor(by, purpose), premises, body)
        except DomainError as exc:
            refuse(exc)
    out.write_bytes(render_certificate(certificate))
    console.print(f"Выдан документ № {certificate.number} от "
                  f"{certificate.issue_date:%d.%m.%Y} ({len(certificate.residents)} чел.) → {out}")
