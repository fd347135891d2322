"""CLI of billing operations: ``run``, ``period open|list|drop|close``, ``recalc``,
``db upgrade``.

Thin: it takes the database and the calculator from the composition root
(``adapters/bootstrap.py``; options replace the settings), calls a module, and renders Russian
tables with rich. Mount with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console, JustifyMethod
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhkh.adapters.bootstrap import Application, bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit, print_table, to_json
from zhkh.adapters.cli.shared import EXIT_INPUT, errors, fail
from zhkh.adapters.cli.shared import actor as cli_actor
from zhkh.adapters.db import current_revision, downgrade, normalize_url, upgrade
from zhkh.adapters.db.migrate import upgrade_as_owner
from zhkh.adapters.print import fmt
from zhkh.kernel.money import format_kopecks, format_rub_ru

if TYPE_CHECKING:
    from zhkh.modules.finance.month import MonthRun

console = Console()
period_app = typer.Typer(help="Расчётные периоды", no_args_is_help=True)
db_app = typer.Typer(help="База данных", no_args_is_help=True)

ActorOption = Annotated[str | None, typer.Option(
    "--actor", help="Кто выполняет (в журнал аудита; по умолчанию — пользователь ОС)")]
DatabaseOption = Annotated[str | None, typer.Option(
    "--database", help="URL базы (по умолчанию ZHKH_DATABASE_URL или sqlite:///zhkh.sqlite)")]
RulesOption = Annotated[Path | None, typer.Option(
    "--rules", help="Папка правил (по умолчанию опубликованные)")]


def register(app: typer.Typer) -> None:
    """Add the billing commands to the ``zhkh`` application."""
    app.command("run")(run)
    app.command("recalc")(recalc)
    app.add_typer(period_app, name="period")
    app.add_typer(db_app, name="db")


def _calculator(application: Application):
    from zhkh.kernel.rulebook import RulebookError

    try:
        return application.batch_calculator
    except RulebookError as exc:
        console.print(f"[red]Ошибки в правилах:[/red]\n{exc}")
        raise typer.Exit(2) from None


def _progress(on: Console = console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=on, transient=True)


OutputOption = Annotated[Format, typer.Option(
    "--format", help="table (на экран) или json (для скриптов: сводка одним документом)")]


def _say_refused(exc: Exception, output: Format) -> NoReturn:
    """A refusal in red; with ``--format json`` on stderr, so stdout stays a document."""
    (errors if output is Format.json else console).print(f"[red]{exc}[/red]")
    raise typer.Exit(1)


def run(period: Annotated[str, typer.Option("--period", help="Период ГГГГ-ММ")],
        database: DatabaseOption = None, rules: RulesOption = None,
        batch: Annotated[int, typer.Option(help="Домов в одной транзакции")] = 50,
        by: ActorOption = None,
        dry_run: Annotated[bool, typer.Option(
            "--dry-run", help="Посчитать без записи и сравнить с прошлым месяцем")] = False,
        output: OutputOption = Format.table,
        ) -> None:
    """Расчёт периода: начисления по всем домам, перерасчёты из очереди, пени, сводка."""
    if output not in (Format.table, Format.json):
        fail("для расчёта: --format table или json", EXIT_INPUT)
    if dry_run:
        from zhkh.adapters.cli.dry_run import show_dry_run

        show_dry_run(period, database, rules)
        return
    from zhkh.modules.billing.service import PeriodClosedError
    from zhkh.modules.finance.month import run_month

    with bootstrap(database_url=database, rules_dir=rules) as application:
        calculator = _calculator(application)
        try:
            with _progress(errors if output is Format.json else console) as bar:
                task = bar.add_task(f"Расчёт {period}", total=None)
                month = run_month(application.database.session, calculator,
                                  application.finance_rules, period, houses_per_batch=batch,
                                  pipeline=True, progress=lambda done, total: bar.update(
                                      task, completed=done, total=total),
                                  actor=cli_actor(by).name)
        except (PeriodClosedError, ValueError) as exc:
            _say_refused(exc, output)
    report = month.run
    if output is Format.json:
        console.file.write(to_json(run_document(month, calculator)))
        console.file.flush()
        if report.errors:
            raise typer.Exit(3)
        return
    _render_run(report, calculator)
    console.print(f"Пени: {month.penalties.lines} строк по {month.penalties.accounts} счетам, "
                  f"{format_rub_ru(month.penalties.penalty_kopecks)}; перерасчёт пеней "
                  f"закрытых месяцев {format_rub_ru(month.penalties.correction_kopecks)}")
    if report.errors:
        raise typer.Exit(3)


def _by_service(report) -> list[tuple[str, int, int, int, int, int, int]]:
    """Per service, by name: (service, lines, accounts, charges, benefits, quality
    reductions, total kopecks); charges are the total before benefits and reductions."""
    out = []
    for service, (lines, accounts, kopecks) in sorted(report.by_service.items()):
        kinds = report.by_kind.get(service, {})
        benefits, reductions = kinds.get("benefit", 0), kinds.get("quality_reduction", 0)
        out.append((service, lines, accounts, kopecks - benefits - reductions, benefits,
                    reductions, kopecks))
    return out


def run_document(month: MonthRun, calculator) -> dict[str, Any]:
    """The run as one JSON-ready document: the run's counts, its money by service (charges,
    benefits, quality reductions, total — decimal strings), the recalculations from the
    queue, the penalties booked and every calculation error. The services' totals add up to
    ``amount``; nothing is left out that the table shows."""
    report, penalties = month.run, month.penalties
    services = [{
        "service": service, "title": calculator.service_title(service), "lines": lines,
        "accounts": accounts, "charged": format_kopecks(charges),
        "benefits": format_kopecks(benefits), "quality_reductions": format_kopecks(reductions),
        "total": format_kopecks(kopecks)}
        for service, lines, accounts, charges, benefits, reductions, kopecks
        in _by_service(report)]
    return {
        "period": report.period, "run_id": report.run_id,
        "rulebook_version": report.rulebook_version, "houses": report.houses,
        "accounts": report.accounts, "lines": report.lines,
        "amount": format_kopecks(report.amount_kopecks), "services": services,
        "recalculations": {"lines": report.recalculation_lines,
                           "amount": format_kopecks(report.recalculation_kopecks)},
        "penalties": {"accounts": penalties.accounts, "lines": penalties.lines,
                      "amount": format_kopecks(penalties.penalty_kopecks),
                      "corrections": format_kopecks(penalties.correction_kopecks)},
        "errors": [{"account": e.account, "service": e.service, "code": e.code,
                    "message": e.message} for e in report.errors],
        "seconds": round(report.seconds, 3),
    }


def run_listing(report, calculator) -> Listing:
    """The month's run by service: counts and money (rubles, «₽» in the title), the month by
    name; fits an 80-column terminal without wrapping a number (a long service name is cut)."""
    rows = [(calculator.service_title(service), *figures)
            for service, *figures in _by_service(report)]
    totals = [sum(row[i] for row in rows) for i in (3, 4, 5)]
    return Listing(
        f"Расчёт за {fmt.period(report.period)}, ₽ (правила {report.rulebook_version})",
        (Column("Услуга"), Column("Строк", "count"), Column("Счетов", "count"),
         Column("Начислено", "money"), Column("Льготы", "money"), Column("Качество", "money"),
         Column("Итого", "money")), rows, None,
        total=("Итого", report.lines, report.accounts, *totals, report.amount_kopecks))


def _render_run(report, calculator) -> None:
    print_table(run_listing(report, calculator), console)
    rate = round(report.lines / report.seconds) if report.seconds else 0
    console.print(f"Домов: {fmt.count(report.houses)}; перерасчётов из очереди: "
                  f"{fmt.count(report.recalculation_lines)} на "
                  f"{format_rub_ru(report.recalculation_kopecks)}; время "
                  f"{fmt.number(report.seconds)} с ({fmt.count(rate)} строк/с); "
                  f"запуск {report.run_id}")
    if report.errors:
        failed = Table(title=f"Ошибки расчёта: {len(report.errors)} (сохранены, расчёт "
                             "остальных счетов выполнен)")
        for col in ("Счёт", "Услуга", "Код", "Сообщение"):
            failed.add_column(col)
        for e in report.errors[:50]:
            failed.add_row(e.account, e.service or "—", e.code, e.message)
        console.print(failed)


@period_app.command("open")
def period_open(period: Annotated[str, typer.Argument(help="Период ГГГГ-ММ")],
                database: DatabaseOption = None) -> None:
    """Открыть период. В новой базе первый открытый период — начало расчётов: данные,
    датированные раньше, — история, периоды до него не открываются."""
    from zhkh.modules.billing.service import PeriodClosedError, open_billing_period

    with bootstrap(database_url=database) as application:
        try:
            with application.database.session() as session:
                opened, start = open_billing_period(session, period)
        except (PeriodClosedError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Период {opened} открыт. Начало расчётов в этой базе: {start}.")


@period_app.command("list")
def period_list(database: DatabaseOption = None, output_format: Annotated[Format, typer.Option(
        "--format", help="table, csv или json")] = Format.table) -> None:
    """Расчётные периоды базы: открытые и закрытые, начало расчётов."""
    from zhkh.modules.billing.service import list_billing_periods

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        periods = [(p.period, p.status, p.opened_at, p.closed_at)
                   for p in list_billing_periods(session)]
    if not periods and output_format is Format.table:
        console.print("Периодов нет: расчёты в этой базе не начаты "
                      "(zhkh period open ГГГГ-ММ или первый zhkh run).")
        return
    table = output_format is Format.table
    rows = [(fmt.period(period) if table else period,
             "открыт" if status == "open" else "закрыт",
             f"{opened_at:%d.%m.%Y %H:%M}" if table else opened_at.isoformat(),
             (f"{closed_at:%d.%m.%Y %H:%M}" if table else closed_at.isoformat())
             if closed_at else ("—" if table else None))
            for period, status, opened_at, closed_at in periods]
    data = [{"period": p, "status": s, "opened_at": o.isoformat(),
             "closed_at": c.isoformat() if c else None} for p, s, o, c in periods]
    start = fmt.period(periods[0][0]) if periods else "—"
    emit(Listing(f"Расчётные периоды (начало расчётов: {start})",
                 (Column("Период", "code"), Column("Состояние", "code"),
                  Column("Открыт", "code"), Column("Закрыт", "code")), rows, data),
         output_format, None)


@period_app.command("drop")
def period_drop(period: Annotated[str, typer.Argument(help="Период ГГГГ-ММ")],
                database: DatabaseOption = None) -> None:
    """Удалить ошибочно открытый пустой период (без начислений и оплат)."""
    from zhkh.modules.billing.service import PeriodClosedError, drop_billing_period

    with bootstrap(database_url=database) as application:
        try:
            with application.database.session() as session:
                drop_billing_period(session, period)
        except (PeriodClosedError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Период {period} удалён.")


@period_app.command("close")
def period_close(period: Annotated[str, typer.Argument(help="Период ГГГГ-ММ")],
                 database: DatabaseOption = None,
                 factor: Annotated[int, typer.Option(
                     help="Во сколько раз объём выше среднего считается подозрительным")] = 10,
                 by: ActorOption = None) -> None:
    """Закрыть период: окончательные пени, проверки (блокирующие не дают закрыть), открытие
    следующего месяца, зачёт авансов в выставленный счёт."""
    from zhkh.modules.billing.service import PeriodClosedError
    from zhkh.modules.finance.month import close_month

    with bootstrap(database_url=database) as application:
        try:
            month = close_month(application.database.session, application.finance_rules,
                                period, actor=cli_actor(by).name, factor=factor)
        except (PeriodClosedError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    report = month.close
    table = Table(title=f"Проверки перед закрытием: {fmt.period(report.period)}")
    for col in ("Проверка", "Вид", "Найдено", "Примеры"):
        table.add_column(col)
    for c in report.checks:
        kind = "блокирует" if c.blocking else "предупреждение"
        mark = "[red]" if c.failed and c.blocking else ("[yellow]" if c.failed else "[green]")
        table.add_row(c.title, kind, f"{mark}{c.count}", "\n".join(c.examples[:5]))
    console.print(table)
    if not report.closed:
        console.print("[red]Период не закрыт. Мешают: "
                      + "; ".join(f"{c.title} ({c.count})" for c in report.blocking) + "[/red]")
        raise typer.Exit(1)
    console.print(f"[green]Период {report.period} закрыт.[/green] Открыт период {report.opened}."
                  f" Пени месяца: {format_rub_ru(month.penalties.penalty_kopecks)}; зачтено "
                  f"авансов: строк распределения {month.settled_rows}.")


def recalc(since: Annotated[str | None, typer.Option(
                "--since", help="С какого месяца ГГГГ-ММ (все закрытые месяцы с него)")] = None,
           period: Annotated[str | None, typer.Option(
               "--period", help="Один закрытый месяц ГГГГ-ММ")] = None,
           reason: Annotated[str, typer.Option(help="Причина для пояснения строк")] =
           "изменение правил с прошедшей даты",
           database: DatabaseOption = None, rules: RulesOption = None,
           rules_version: Annotated[str | None, typer.Option(
               "--rules-version", help="Сохранённая версия правил (по умолчанию текущие)")]
           = None,
           by: ActorOption = None) -> None:
    """Перерасчёт закрытых месяцев по текущим данным и правилам, как они известны сейчас:
    разница — строками перерасчёта в открытый месяц; называет версию правил."""
    from zhkh.modules.billing.service import PeriodClosedError, recalc_since

    if (since is None) == (period is None):
        console.print("[red]Укажите --since ГГГГ-ММ или --period ГГГГ-ММ[/red]")
        raise typer.Exit(2)
    first = since or period or ""
    calculator_given = None
    if rules_version is not None:
        from zhkh.adapters.cli.rules_versions import kept_rulebook
        from zhkh.modules.calculation.service import Calculator

        calculator_given = Calculator(kept_rulebook(rules_version, database))
    with bootstrap(database_url=database, rules_dir=rules,
                   calculator=calculator_given) as application:
        calculator = _calculator(application)
        try:
            with _progress() as bar:
                task = bar.add_task(f"Перерасчёт с {first}", total=None)
                booked = recalc_since(application.database.session, calculator, first,
                                      until=period, reason=reason,
                                      actor=cli_actor(by, reason).name,
                                      progress=lambda d, t: bar.update(
                                          task, completed=d, total=t))
        except (PeriodClosedError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    since_text = f"{fmt.period(first)} (один месяц)" if period else fmt.period(first)
    console.print(f"Правила версии {calculator.version} (сохранена в базе)")
    table = Table(title=f"Перерасчёт с {since_text}: строк {fmt.count(len(booked))}")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Месяц", "left"), ("Услуга", "left"), ("Строк", "right"), ("Сумма", "right"))
    for col, justify in columns:
        table.add_column(col, justify=justify)
    groups: dict[tuple[str, str], list[int]] = {}
    for b in booked:
        entry = groups.setdefault((b.period_for, b.service), [0, 0])
        entry[0] += 1
        entry[1] += b.amount_kopecks
    for (month, service), (n, kopecks) in sorted(groups.items()):
        table.add_row(month, calculator.service_title(service), str(n), format_rub_ru(kopecks))
    console.print(table)


def recreate(url: str) -> None:
    """Empty the database at ``url`` (SQLite: delete the file; PostgreSQL: migrate down to
    nothing) and migrate it to the newest schema."""
    from sqlalchemy.engine import make_url

    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
    elif current_revision(url) is not None:
        downgrade(url, "base")
    upgrade(url)


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOption = None) -> None:
    """Применить миграции схемы до последней версии."""
    settings = bootstrap(database_url=database).settings
    role = upgrade_as_owner(settings.database_url, settings.migration_url)
    console.print("Схема базы обновлена до версии "
                  f"{current_revision(settings.migration_url or settings.database_url)}")
    if role is not None:
        console.print(f"Роль приложения {role}: без владения таблицами, без TRUNCATE, "
                      "права выданы заново")
