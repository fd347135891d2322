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
from rich.table import Table
from sqlalchemy.engine import make_url

from zhkh.adapters.bank import FooterInput, RegistryLine, get_profile, intake, render_registry
from zhkh.adapters.bootstrap import Application, bootstrap
from zhkh.adapters.cli.billing import RulesOption, _calculator, _progress, console, recreate
from zhkh.adapters.db import normalize_url
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
         database: Annotated[str, typer.Option(
             help="URL базы; пересоздаётся при каждом запуске")] = "sqlite:///zhkh-demo.sqlite",
         months: Annotated[int, typer.Option(help="Месяцев (последний — 2026-10)")] = 12,
         seed: Annotated[int, typer.Option(help="Зерно генератора")] = 20251101,
         rules: RulesOption = None) -> None:
    """Демонстрация: синтетический город, год начислений и оплат через банковские реестры,
    поздние исправления, пени, сводка."""
    from zhkh.modules.demo.scenario import run_demo

    with bootstrap(database_url=database, rules_dir=rules) as application:
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
    from zhkh.modules.analytics.service import by_month, by_service, money_by_month

    money = ("Начислено", "Перерасчёты", "Льготы", "Снижение за качество", "Итого")
    months = Table(title="Начисления по месяцам")
    for col in ("Месяц", *money, "Счетов", "Ошибок", "Время, с"):
        months.add_column(col, justify="left" if col == "Месяц" else "right")
    runs = {m.period: m.run.run for m in report.months}
    for t in by_month(report.summary):
        run = runs.get(t.key)
        months.add_row(t.key, *_money_cells(t), str(t.accounts),
                       str(len(run.errors)) if run else "—",
                       f"{run.seconds:.1f}" if run else "—")
    console.print(months)
    services = Table(title="Начисления по услугам за все месяцы")
    for col in ("Услуга", *money):
        services.add_column(col, justify="left" if col == "Услуга" else "right")
    totals = by_service(report.summary)
    for t in totals:
        services.add_row(calculator.service_title(t.key), *_money_cells(t))
    services.add_row("[b]Итого[/b]", *(f"[b]{format_rub_ru(sum(v))}[/b]" for v in zip(
        *((t.charged, t.recalculated, t.benefits, t.quality, t.total) for t in totals),
        strict=True)) if totals else ("",) * len(money))
    console.print(services)
    with application.database.reader() as session:
        flows = money_by_month(session)
    cash = Table(title="Деньги по месяцам")
    for col in ("Месяц", "Выставлено", "Пени", "Оплачено", "Собираемость", "Долг на конец",
                "Аванс"):
        cash.add_column(col, justify="left" if col == "Месяц" else "right")
    for m in flows:
        rate = "—" if m.collection_permille is None else \
            f"{m.collection_permille / 10:.1f} %".replace(".", ",")
        cash.add_row(m.period, format_rub_ru(m.billed), format_rub_ru(m.penalties),
                     format_rub_ru(m.paid), rate, format_rub_ru(m.debt),
                     format_rub_ru(m.advance))
    console.print(cash)
    if flows:
        _render_turnover(application, flows[-1].period)
    if report.stopped:
        console.print(f"[red]Сценарий остановлен: {report.stopped}[/red]")
    console.print(f"База: {database}; построение {report.build_seconds:.1f} с, всего "
                  f"{report.seconds:.1f} с")


def _money_cells(t) -> list[str]:
    return [format_rub_ru(v) for v in (t.charged, t.recalculated, t.benefits, t.quality,
                                       t.total)]


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
    mark = "[green]сходится[/green]" if t.charged_total == ledger else "[red]НЕ СХОДИТСЯ[/red]"
    console.print(f"Оборотно-сальдовая ведомость за {period}: сальдо на начало "
                  f"{format_rub_ru(t.opening)}, начислено {format_rub_ru(t.charged_total)} "
                  f"(журнал {format_rub_ru(int(ledger))}: {mark}), оплачено "
                  f"{format_rub_ru(t.paid)}, сальдо на конец {format_rub_ru(t.closing)}; "
                  f"авансы {format_rub_ru(sheet.advance_closing)}")
