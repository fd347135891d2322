"""``zhkh demo``: the synthetic town billed for a year, paying through bank registry files.

The scenario is ``modules/demo``; this command adds what only the adapters can do: each
month's payments are written as a registry file of the classic Sberbank layout into
``zhkh-demo-files/`` beside the database and taken in through the same path as
``zhkh payments import``. The summary shows charges, then money: billed, penalties, paid,
collection, debt; and the last month's turnover totals.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from zhkh.adapters.bank import FooterInput, RegistryLine, get_profile, intake, render_registry
from zhkh.adapters.bootstrap import Application, bootstrap
from zhkh.adapters.cli.billing import RulesOption, _calculator, _progress, console, recreate
from zhkh.adapters.cli.output import Column, Listing, print_table
from zhkh.adapters.cli.shared import EXIT_REFUSED, fail
from zhkh.adapters.db import normalize_url
from zhkh.adapters.print import fmt
from zhkh.kernel.money import format_rub_ru, to_kopecks
from zhkh.kernel.period import Period
from zhkh.modules.audit import Actor

FILES = "zhkh-demo-files"
USERS_FILE = "zhkh-demo-users.txt"
PROFILE = "sberbank_classic"


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the ``zhkh`` application."""
    app.command("demo")(demo)


def files_dir(database: str) -> Path:
    """``zhkh-demo-files/`` beside an SQLite database file, else in the working folder."""
    url = make_url(normalize_url(database))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / FILES
    return Path.cwd() / FILES


def demo(accounts: Annotated[int, typer.Option(help="Лицевых счетов")] = 5000,
         houses: Annotated[int, typer.Option(help="Домов")] = 50,
         database: Annotated[str | None, typer.Option(
             help="URL базы (по умолчанию, как у всех команд, ZHKH_DATABASE_URL или "
                  "sqlite:///zhkh.sqlite); пересоздаётся при каждом запуске")] = None,
         months: Annotated[int, typer.Option(help="Месяцев (последний — 2026-10)")] = 12,
         seed: Annotated[int, typer.Option(help="Зерно генератора")] = 20251101,
         rules: RulesOption = None) -> None:
    """Демонстрация: синтетический город, год начислений и оплат через банковские реестры,
    поздние исправления, пени, сводка."""
    from zhkh.modules.demo.scenario import run_demo

    with bootstrap(database_url=database, rules_dir=rules) as application:
        database = application.settings.database_url
        refusal = _not_a_demo(database)
        if refusal:
            fail(refusal, EXIT_REFUSED)
        calculator = _calculator(application)
        recreate(database)
        folder = files_dir(database)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.txt"):
            old.unlink()
        with _progress() as bar:
            task = bar.add_task("Расчёт", total=None)

            def progress(month: str, done: int, total: int) -> None:
                bar.update(task, description=f"Расчёт {month}", completed=done, total=total)

            report = run_demo(application.database.session, calculator,
                              application.finance_rules, accounts=accounts, houses=houses,
                              months=months, seed=seed, say=console.print, progress=progress,
                              pipeline=True, pay=_payer(application, folder, seed))
        _render_demo(report, calculator, database, application)
        from zhkh.adapters.cli.users import demo_users

        demo_users(application, folder.parent / USERS_FILE)
    console.print(f"Файлы банковских реестров: {folder}")


def _not_a_demo(url: str) -> str | None:
    """Why the demo must not recreate the database at ``url`` (None: it may). The demo
    shares the default database of every command, so it wipes only an empty database or
    one a demo made (the audit log names the actor «demo»); never an operator's data."""
    from sqlalchemy import func, inspect, select

    from zhkh.adapters.db import Database
    from zhkh.modules.audit.models import AuditEntry
    from zhkh.modules.registry.models import Account

    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite" and (
            not parsed.database or parsed.database == ":memory:"
            or not Path(parsed.database).exists()):
        return None
    database = Database.from_url(url)
    try:
        tables = set(inspect(database.engine).get_table_names())
        if not {"accounts", "audit_log"} <= tables:
            return None
        with database.reader() as session:
            if not session.scalar(select(func.count()).select_from(Account)):
                return None
            if session.scalar(select(AuditEntry.id).where(AuditEntry.actor == "demo").limit(1)):
                return None
    finally:
        database.dispose()
    return (f"В базе {url} есть лицевые счета, заведённые не демонстрацией: демонстрация "
            "пересоздаёт базу и её не тронет. Укажите другую базу: --database "
            "sqlite:///zhkh-demo.sqlite или ZHKH_DATABASE_URL")


def _payer(application: Application, folder: Path, seed: int):
    """The scenario's ``pay``: a month's planned payments as a registry file, taken in."""
    from zhkh.modules.demo.payments import plan

    database = application.database

    def pay(month: Period, index: int) -> list[str]:
        with database.reader() as session:
            planned = plan(session, month, index, seed)
        if not planned:
            return []
        last = max(p.paid_on for p in planned)
        lines = [RegistryLine(payment_date=p.paid_on, payment_time=time(12, 0),
                              branch="8618", cashier="СБОЛ", operation_id=p.operation_id,
                              account=p.account, address=p.address, period=p.period,
                              amount=p.amount, amount_to_transfer=p.amount - p.commission,
                              commission=p.commission) for p in planned]
        data = render_registry(lines, get_profile(PROFILE), footer=FooterInput(
            order_number=f"{month.month:02d}{index:03d}", order_date=last))
        path = folder / f"sberbank_{month}.txt"
        path.write_bytes(data)
        parsed = intake.read(path, file_name=path.name, profile=PROFILE, today=last)
        report = intake.take_in(database.session, database.reader, application.finance_rules,
                                parsed, actor=Actor("demo", "реестр банка"), received_on=last)
        return [f"Реестр {path.name}: оплат {report.posted} на "
                f"{format_rub_ru(to_kopecks(report.posted_amount))}, невыясненных "
                f"{report.unidentified}, комиссия банка "
                f"{format_rub_ru(to_kopecks(report.commission))}"]

    return pay


def _render_demo(report, calculator, database: str, application: Application) -> None:
    from zhkh.modules.analytics.service import money_by_month

    with application.database.reader() as session:
        flows = money_by_month(session)
    for listing in demo_listings(report, calculator, flows):
        print_table(listing, console)
        console.print()
    if flows:
        _render_turnover(application, flows[-1].period)
    if report.stopped:
        console.print(f"[red]Сценарий остановлен: {report.stopped}[/red]")
    console.print(f"База: {database}; построение {fmt.number(report.build_seconds)} с, всего "
                  f"{fmt.number(report.seconds)} с")


MONEY = (Column("Начислено", "money"), Column("Перерасчёты", "money"),
         Column("Льготы", "money"), Column("Качество", "money"), Column("Итого", "money"))
"""The charges' columns (the quality column is the reduction for poor quality)."""


def demo_listings(report, calculator, flows) -> list[Listing]:
    """The demo's summary (``flows``: analytics' money by month) as tables that fit an
    80-column terminal without wrapping a number: months by name, money in rubles (the
    titles say «₽»), one table per subject."""
    from zhkh.modules.analytics.service import by_month, by_service

    runs = {m.period: m.run.run for m in report.months}
    months = list(by_month(report.summary))
    charges = Listing("Начисления по месяцам, ₽", (Column("Месяц", "code"), *MONEY),
                      [(fmt.period(t.key), *_money(t)) for t in months], None)
    work = Listing("Расчёт по месяцам", (
        Column("Месяц", "code"), Column("Счетов", "count"), Column("Строк", "count"),
        Column("Ошибок", "count"), Column("Время, с", "count")), [
        (fmt.period(t.key), t.accounts, *_run_cells(runs.get(t.key))) for t in months], None)
    totals = by_service(report.summary)
    services = Listing(
        "Начисления по услугам за все месяцы, ₽", (Column("Услуга"), *MONEY),
        [(calculator.service_title(t.key), *_money(t)) for t in totals], None,
        total=("Итого", *(sum(v) for v in zip(*(_money(t) for t in totals), strict=True)))
        if totals else None)
    cash = Listing("Деньги по месяцам, ₽", (
        Column("Месяц", "code"), Column("Выставлено", "money"), Column("Пени", "money"),
        Column("Оплачено", "money"), Column("Собрано, %", "count")), [
        (fmt.period(m.period), m.billed, m.penalties, m.paid,
         "—" if m.collection_permille is None else fmt.number(m.collection_permille / 10))
        for m in flows], None)
    debts = Listing("Долг и аванс на конец месяца, ₽", (
        Column("Месяц", "code"), Column("Долг", "money"), Column("Аванс", "money")),
        [(fmt.period(m.period), m.debt, m.advance) for m in flows], None)
    return [charges, work, services, cash, debts]


def _money(t) -> tuple[int, ...]:
    return (t.charged, t.recalculated, t.benefits, t.quality, t.total)


def _run_cells(run) -> tuple[object, ...]:
    if run is None:
        return ("—", "—", "—")
    return (run.lines, len(run.errors), fmt.number(run.seconds))


def _render_turnover(application: Application, period: str) -> None:
    """The totals of the turnover sheet of ``period`` and their check against the ledger."""
    from sqlalchemy import func, select

    from zhkh.modules.billing.models import LedgerLine
    from zhkh.modules.finance.balances import turnover

    with application.database.reader() as session:
        sheet = turnover(session, period, "provider")
        ledger = session.execute(select(func.coalesce(func.sum(LedgerLine.amount_kopecks), 0))
                                 .where(LedgerLine.period_booked == period)).scalar_one()
    t = sheet.total
    agrees = t.charged_total == ledger
    print_table(Listing(f"Оборотно-сальдовая ведомость за {fmt.period(period)}, ₽", (
        Column("Сальдо на начало", "money"), Column("Начислено", "money"),
        Column("Оплачено", "money"), Column("Сальдо на конец", "money"),
        Column("Авансы", "money")),
        [(t.opening, t.charged_total, t.paid, t.closing, sheet.advance_closing)], None),
        console)
    console.print(f"Начислено по журналу {format_rub_ru(int(ledger))}: "
                  + ("[green]сходится[/green]" if agrees else "[red]НЕ СХОДИТСЯ[/red]"))
