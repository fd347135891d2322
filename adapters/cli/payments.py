"""``zhkh payments …``: bank registries imported, payments listed, shown, reversed;
unidentified payments listed and matched to accounts.

Thin: it reads the file with ``adapters.bank``, calls ``modules/finance/service.py`` in one
unit of work of the composition root's database, and prints Russian tables. Exit codes are
those of :mod:`.shared` (3 — the file is already loaded, 4 — the file is refused).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit, rubles
from zhkh.adapters.cli.shared import (
    EXIT_ALREADY_LOADED,
    EXIT_BAD_FILE,
    EXIT_INPUT,
    ActorOption,
    DatabaseOption,
    actor,
    console,
    fail,
    finance_rules,
    parse_day,
    refuse,
)
from zhkh.kernel.money import to_kopecks

payments_app = typer.Typer(help="Оплаты: реестры банков, сторно, невыясненные платежи",
                           no_args_is_help=True)

DEFAULT_PROFILE = "sberbank_classic"
FormatOption = Annotated[Format, typer.Option("--format", help="Вывод: table, csv или json")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Записать в файл")]
LimitOption = Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Строк на экран")]
OffsetOption = Annotated[int, typer.Option("--offset", min=0, help="Пропустить строк")]


def register(app: typer.Typer) -> None:
    """Add ``zhkh payments …`` to the application."""
    from zhkh.adapters.cli import charges

    charges.register(payments_app)
    app.add_typer(payments_app, name="payments")


def choose_profile(path: Path, name: str | None) -> tuple[Any, str]:
    """The registry layout of a file and why it was chosen: ``--format`` (a shipped name or
    a profile file ``*.yaml``); else ``payments_dbf`` for ``.dbf``, ``sberbank_tagged`` when
    the file's beginning holds ``CLIENTNO:``, otherwise ``sberbank_classic``."""
    from zhkh.adapters.bank import ProfileError, get_profile, load_profile
    from zhkh.modules.errors import NotFound

    try:
        if name is not None and name.endswith((".yaml", ".yml")):
            return load_profile(name), "файл профиля"
        if name is not None:
            return get_profile(name), "указан"
        if path.suffix.lower() == ".dbf":
            return get_profile("payments_dbf"), "по расширению .dbf"
        with path.open("rb") as f:
            head = f.read(64 * 1024)
        if b"CLIENTNO:" in head.upper():
            return get_profile("sberbank_tagged"), "найдены метки CLIENTNO:"
        return get_profile(DEFAULT_PROFILE), "по умолчанию"
    except (NotFound, ProfileError) as exc:
        fail(f"--format: {exc.message}", EXIT_INPUT)
    except OSError as exc:
        fail(f"Не удалось прочитать {path}: {exc.strerror}", EXIT_INPUT)


@payments_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="Файл реестра платежей банка", dir_okay=False)],
    registry_format: Annotated[str | None, typer.Option(
        "--format", help="Формат реестра: sberbank_classic, sberbank_tagged, payments_dbf "
        "или свой профиль .yaml (по умолчанию: .dbf → payments_dbf, метки CLIENTNO: → "
        "sberbank_tagged, иначе sberbank_classic)")] = None,
    database: DatabaseOption = None,
    received_on: Annotated[str | None, typer.Option(
        "--received-on", help="День поступления денег в расчётный центр (по умолчанию "
        "сегодня)")] = None,
    actor_name: ActorOption = None,
) -> None:
    """Загрузить реестр платежей банка целиком: все строки или ни одной."""
    from zhkh.adapters.bank import Limits, RegistryError, parse_registry
    from zhkh.modules.errors import Conflict, DomainError
    from zhkh.modules.finance import service

    received = parse_day(received_on, "--received-on")
    if not file.is_file():
        fail(f"Файл {file} не найден", EXIT_INPUT)
    profile, why = choose_profile(file, registry_format)
    with bootstrap(database_url=database) as application:
        rules = finance_rules(application)
        try:
            parsed = parse_registry(file, profile, today=date.today(), file_name=file.name,
                                    limits=Limits())
        except RegistryError as exc:
            fail(f"Реестр {file.name} не принят, ничего не проведено. {exc.message}",
                 EXIT_BAD_FILE)
        console.print(f"Проводка реестра {file.name} (формат {profile.name}, {why}): "
                      f"строк {parsed.totals.line_count}")
        try:
            with application.database.session() as session:
                report = service.import_registry(
                    session, actor(actor_name, f"реестр {file.name}"), parsed, rules,
                    received_on=received, checks=application.reading_checks)
        except Conflict as exc:
            if exc.code == "registry_already_loaded":
                fail(f"{file.name}: {exc.message}", EXIT_ALREADY_LOADED)
            refuse(exc)
        except DomainError as exc:
            refuse(exc)
    _print_report(report)


def _print_report(report: Any) -> None:
    table = Table(title=f"Реестр № {report.registry_id} «{report.file_name}» "
                        f"({report.format}) загружен", title_justify="left")
    table.add_column("")
    table.add_column("Строк", justify="right", no_wrap=True)
    table.add_column("Сумма, руб.", justify="right", no_wrap=True)
    table.add_row("Проведено на лицевые счета", str(report.posted),
                  rubles(to_kopecks(report.posted_amount)))
    table.add_row("Невыясненные (счёт не найден или закрыт)", str(report.unidentified),
                  rubles(to_kopecks(report.unidentified_amount)))
    table.add_row("Повторы: проведены раньше другим файлом", str(report.duplicates), "")
    table.add_row("Всего в файле", str(report.lines), "")
    table.add_row("Комиссия банка (отдельно)", "", rubles(to_kopecks(report.commission)))
    console.print(table)
    console.print(f"Показаний приборов учёта принято: {report.readings}")
    for problem in report.readings_refused:
        console.print(f"[yellow]Показание не принято: {problem}[/yellow]")
    for problem in report.readings_held:
        console.print(f"[yellow]Показание на проверке (zhkh readings review): {problem}"
                      "[/yellow]")


@payments_app.command("list")
def list_payments(
    account: Annotated[str | None, typer.Option("--account", help="Лицевой счёт")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="С даты оплаты")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="По дату оплаты")] = None,
    registry: Annotated[int | None, typer.Option("--registry", help="Из реестра №")] = None,
    limit: LimitOption = 50, offset: OffsetOption = 0,
    fmt: FormatOption = Format.table, out: OutOption = None,
    database: DatabaseOption = None,
) -> None:
    """Оплаты по фильтрам, новые сверху, с распределением."""
    from zhkh.modules.finance import service

    first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        found = service.list_payments(session, account=account, date_from=first,
                                      date_to=last, registry_id=registry, limit=limit,
                                      offset=offset)
    columns = (Column("№", "int"), Column("Дата", "code"), Column("Лицевой счёт", "code"),
               Column("Сумма", "money"), Column("Комиссия", "money", wide=True),
               Column("Канал"), Column("Операция банка", wide=True), Column("Сторно"),
               Column("Период проводки", wide=True), Column("Кто провёл", wide=True))
    rows = [(p.id, p.paid_on, p.account, to_kopecks(p.amount), to_kopecks(p.commission),
             CHANNELS.get(p.channel, p.channel), p.operation_id, _storno_mark(p),
             p.posted_period, p.actor) for p in found.items]
    shown = f"{offset + 1}–{offset + len(rows)} из {found.total}" if rows else "нет"
    emit(Listing(f"Оплаты ({shown}), руб.", columns, rows, found), fmt, out)


CHANNELS = {"bank": "банк", "cashdesk": "касса", "portal": "портал", "api": "API"}


def _storno_mark(p: Any) -> str:
    if p.reverses_id is not None:
        return f"сторно № {p.reverses_id}"
    if p.reversed_by is not None:
        return f"отменена № {p.reversed_by}"
    return ""


@payments_app.command("show")
def show(payment_id: Annotated[int, typer.Argument(help="Номер оплаты")],
         fmt: Annotated[Format, typer.Option("--format", help="table или json")] =
         Format.table, database: DatabaseOption = None) -> None:
    """Оплата с её распределением по счетам (месяц, услуга, поставщик)."""
    from zhkh.modules.errors import DomainError
    from zhkh.modules.finance import service

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            found = service.get_payment(session, payment_id)
        except DomainError as exc:
            refuse(exc)
        titles = _service_titles(application)
    print_payment(found, fmt, titles)


def _service_titles(application: Any) -> dict[str, str]:
    from zhkh.kernel.rulebook import RulebookError

    try:
        return {code: s.title for code, s in application.rulebook.services.items()}
    except RulebookError:
        return {}


def print_payment(p: Any, fmt: Format, titles: dict[str, str] | None = None) -> None:
    """A payment, its allocation and (when given) the account's new balance."""
    if fmt is not Format.table:
        emit(Listing("", (), [], p), Format.json, None)
        return
    titles = {"penalty": "Пени", **(titles or {})}
    what = f"Сторно № {p.id} оплаты № {p.reverses_id}" if p.reverses_id else f"Оплата № {p.id}"
    console.print(f"[b]{what}[/b]: счёт {p.account}, {p.paid_on}, "
                  f"{rubles(to_kopecks(p.amount))} руб. ({CHANNELS.get(p.channel, p.channel)}"
                  f"{', операция ' + p.operation_id if p.operation_id else ''}); "
                  f"комиссия {rubles(to_kopecks(p.commission))} руб.")
    console.print(f"Проведена в периоде {p.posted_period}, {p.actor}"
                  + (f", основание: {p.reason}" if p.reason else ""))
    if p.reversed_by:
        console.print(f"[yellow]Отменена сторно № {p.reversed_by}[/yellow]")
    kinds = {"principal": "долг", "penalty": "пени", "advance": "аванс"}
    rows = [(kinds[a.kind], a.bill_period or "", titles.get(a.service or "", a.service or ""),
             a.provider_id, to_kopecks(a.amount), a.booked_on) for a in p.allocation]
    columns = (Column("Вид"), Column("Месяц счёта", "code"), Column("Услуга"),
               Column("Поставщик", "int"), Column("Сумма", "money"),
               Column("Дата зачёта", "code"))
    emit(Listing("Распределение, руб.", columns, rows, p), Format.table, None)
    if p.balance is not None:
        b = p.balance
        console.print(f"Счёт {b.account}: долг {rubles(to_kopecks(b.debt))}, пени "
                      f"{rubles(to_kopecks(b.penalties))}, аванс {rubles(to_kopecks(b.advance))},"
                      f" текущий месяц {rubles(to_kopecks(b.unbilled))}; итого к оплате "
                      f"{rubles(to_kopecks(b.balance))} руб.")


@payments_app.command("reverse")
def reverse(payment_id: Annotated[int, typer.Argument(help="Номер оплаты")],
            reason: Annotated[str, typer.Option("--reason", help="Причина сторно")],
            on: Annotated[str | None, typer.Option("--on", help="Дата сторно")] = None,
            database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Сторно оплаты: новая запись с обратной суммой; исходная не меняется."""
    from pydantic import ValidationError

    from zhkh.modules.errors import DomainError
    from zhkh.modules.finance import service
    from zhkh.modules.finance.schemas import ReverseIn

    day = parse_day(on, "--on")
    with bootstrap(database_url=database) as application:
        rules = finance_rules(application)
        try:
            body = ReverseIn(reason=reason, on=day)
            with application.database.session() as session:
                storno = service.reverse_payment(session, actor(actor_name), payment_id, body,
                                                 rules)
        except (DomainError, ValidationError) as exc:
            refuse(exc)
        titles = _service_titles(application)
    print_payment(storno, Format.table, titles)


@payments_app.command("unidentified")
def unidentified(
    registry: Annotated[int | None, typer.Option("--registry", help="Из реестра №")] = None,
    limit: LimitOption = 50, offset: OffsetOption = 0,
    fmt: FormatOption = Format.table, out: OutOption = None, database: DatabaseOption = None,
) -> None:
    """Невыясненные платежи, ждущие разнесения (старые сверху)."""
    from zhkh.modules.finance import service

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        found = service.unidentified(session, registry_id=registry, limit=limit, offset=offset)
    columns = (Column("Строка №", "int"), Column("Реестр", "int"), Column("Дата", "code"),
               Column("ЛС в файле", "code"), Column("Сумма", "money"), Column("Плательщик"),
               Column("Адрес", wide=True), Column("Операция банка", wide=True),
               Column("Период", wide=True))
    rows = [(x.id, x.registry_id, x.paid_on, x.account_text, to_kopecks(x.amount), x.payer,
             x.address, x.operation_id, x.period) for x in found.items]
    emit(Listing(f"Невыясненные платежи: {found.total}, руб.", columns, rows, found), fmt, out)


@payments_app.command("match")
def match(line_id: Annotated[int, typer.Argument(help="Строка № из списка невыясненных")],
          account: Annotated[str, typer.Argument(help="Лицевой счёт, на который разнести")],
          reason: Annotated[str, typer.Option("--reason", help="Основание разнесения")],
          database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Разнести невыясненный платёж на лицевой счёт (с основанием, в журнал аудита)."""
    from pydantic import ValidationError

    from zhkh.modules.errors import DomainError
    from zhkh.modules.finance import service
    from zhkh.modules.finance.schemas import MatchIn

    with bootstrap(database_url=database) as application:
        rules = finance_rules(application)
        try:
            body = MatchIn(account=account, reason=reason)
            with application.database.session() as session:
                posted = service.match(session, actor(actor_name), line_id, body, rules)
        except (DomainError, ValidationError) as exc:
            refuse(exc)
        titles = _service_titles(application)
    print_payment(posted, Format.table, titles)
