"""``zhkh turnover`` (оборотно-сальдовая ведомость) and ``zhkh debtors`` (долги по срокам).

The turnover sheet ends with the «сверка» line: what the sheet says was charged against the
ledger's own sum of the period's lines (and, unless one provider is asked for, the period's
payments against what they paid plus the change of advances). A difference of a kopeck
prints the numbers and exits with 1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit, rubles
from zhkh.adapters.cli.shared import (
    EXIT_REFUSED,
    DatabaseOption,
    finance_rules,
    parse_day,
    parse_period,
    refuse,
)
from zhkh.kernel.money import to_kopecks

KINDS = {"charge": "Начисления", "recalculation": "Перерасчёты", "benefit": "Льготы",
         "quality_reduction": "Снижение за качество", "penalty": "Пени",
         "correction": "Корректировки"}
BY_TITLES = {"house": "Дом", "provider": "Поставщик", "service": "Услуга",
             "company": "Управляющая организация", "account": "Лицевой счёт"}
BY_DATIVE = {"house": "домам", "provider": "поставщикам", "service": "услугам",
             "company": "управляющим организациям", "account": "лицевым счетам"}
OutOption = Annotated[Path | None, typer.Option("--out", help="Записать в файл")]


def register(app: typer.Typer) -> None:
    """Add ``turnover`` and ``debtors`` to the application."""
    app.command("turnover")(turnover)
    app.command("debtors")(debtors)


def turnover(
    period: Annotated[str, typer.Option("--period", help="Период ГГГГ-ММ")],
    by: Annotated[str, typer.Option(
        "--by", help="Группировка: house, provider, service, company, account")] = "provider",
    house: Annotated[int | None, typer.Option("--house", help="Только дом (id)")] = None,
    provider: Annotated[int | None, typer.Option("--provider", help="Только поставщик")] = None,
    company: Annotated[int | None, typer.Option("--company", help="Только УО (id)")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv, xlsx или json")] =
    Format.table, out: OutOption = None, database: DatabaseOption = None,
) -> None:
    """Оборотно-сальдовая ведомость периода; итог сверяется с книгой начислений."""
    from zhkh.adapters.cli.shared import EXIT_INPUT, fail
    from zhkh.modules.finance import service, sheets

    key = parse_period(period)
    if by not in BY_TITLES:
        fail(f"--by: «{by}» — ожидается одно из: {', '.join(BY_TITLES)}", EXIT_INPUT)
    filters = {"house_id": house, "provider_id": provider, "company_id": company}
    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        sheet = service.turnover(session, key, by, **filters)
        ledger = sheets.ledger_total(session, key, **filters)
        names = sheets.group_names(session, by, [r.group for r in sheet.rows])
        if by == "service":
            names = _service_titles(application)
    listing = turnover_listing(sheet, names)
    matched = _reconcile(listing, sheet, ledger, provider is None)
    emit(listing, fmt, out, extra=lambda target: _by_kind(sheet, target))
    if not matched:
        raise typer.Exit(EXIT_REFUSED)


def _service_titles(application: Any) -> dict[str, str]:
    from zhkh.kernel.rulebook import RulebookError

    try:
        titles = {code: s.title for code, s in application.rulebook.services.items()}
    except RulebookError:
        titles = {}
    return {"penalty": "Пени", **titles}


def turnover_listing(sheet: Any, names: dict[str, str]) -> Listing:
    """The sheet's rows: the group and its name, opening, charged by kind and in all, paid
    (and of it penalties), closing; the total last."""
    columns = (Column(BY_TITLES[sheet.by] + " (код)", wide=True), Column("Наименование"),
               Column("Сальдо на начало", "money"),
               *(Column(title, "money", wide=True) for title in KINDS.values()),
               Column("Начислено", "money"), Column("Оплачено", "money"),
               Column("в т. ч. пени", "money", wide=True), Column("Сальдо на конец", "money"))

    def row(r: Any, name: str) -> tuple[Any, ...]:
        return (r.group, name, to_kopecks(r.opening),
                *(to_kopecks(r.charged.get(kind, "0")) for kind in KINDS),
                to_kopecks(r.charged_total), to_kopecks(r.paid), to_kopecks(r.paid_penalties),
                to_kopecks(r.closing))

    rows = [row(r, names.get(str(r.group), str(r.group) if r.group is not None else "—"))
            for r in sheet.rows]
    return Listing(f"Оборотно-сальдовая ведомость за {sheet.period} по "
                   f"{BY_DATIVE[sheet.by]}, руб.", columns, rows, sheet,
                   total=row(sheet.total, "Итого"))


def _reconcile(listing: Listing, sheet: Any, ledger: int, with_payments: bool) -> bool:
    """Add the «сверка» lines to ``listing``; whether everything matched."""
    charged = to_kopecks(sheet.total.charged_total)
    ok = charged == ledger
    verdict = "сходится" if ok else f"[red]РАСХОЖДЕНИЕ {rubles(charged - ledger)}[/red]"
    listing.notes.append(f"Сверка: начислено по ведомости {rubles(charged)} руб., строк книги "
                         f"начислений за {sheet.period} — {rubles(ledger)} руб.: {verdict}")
    if with_payments:
        paid, posted = to_kopecks(sheet.total.paid), to_kopecks(sheet.posted)
        change = to_kopecks(sheet.advance_closing) - to_kopecks(sheet.advance_opening)
        same = paid + change == posted
        ok = ok and same
        verdict = "сходится" if same else f"[red]РАСХОЖДЕНИЕ {rubles(posted - paid - change)}" \
                                          "[/red]"
        listing.notes.append(f"Сверка оплат: проведено {rubles(posted)} руб. = зачтено "
                             f"{rubles(paid)} + изменение авансов {rubles(change)} (на начало "
                             f"{rubles(to_kopecks(sheet.advance_opening))}, на конец "
                             f"{rubles(to_kopecks(sheet.advance_closing))}): {verdict}")
    return ok


def _by_kind(sheet: Any, target: Console) -> None:
    table = Table(title="Начислено за период по видам, руб.", title_justify="left")
    table.add_column("Вид")
    table.add_column("Сумма", justify="right", no_wrap=True)
    for kind, title in KINDS.items():
        table.add_row(title, rubles(to_kopecks(sheet.total.charged.get(kind, "0"))))
    table.add_row("[b]Всего[/b]", f"[b]{rubles(to_kopecks(sheet.total.charged_total))}[/b]")
    target.print(table)


def debtors(
    on: Annotated[str | None, typer.Option("--on", help="На дату (по умолчанию сегодня)")] =
    None,
    house: Annotated[int | None, typer.Option("--house", help="Только дом (id)")] = None,
    provider: Annotated[int | None, typer.Option("--provider", help="Только поставщик")] = None,
    min_debt: Annotated[str, typer.Option("--min-debt", help="Долг от, руб.")] = "0.01",
    fmt: Annotated[Format, typer.Option("--format", help="table, csv, xlsx или json")] =
    Format.table, out: OutOption = None, database: DatabaseOption = None,
) -> None:
    """Должники: долг по выставленным счетам по срокам просрочки (дней после срока оплаты)."""
    from zhkh.modules.errors import DomainError
    from zhkh.modules.finance import service
    from zhkh.modules.finance.balances import AGE_BUCKETS

    day = parse_day(on, "--on") or date.today()
    with bootstrap(database_url=database) as application:
        rules = finance_rules(application)
        with application.database.reader() as session:
            try:
                found = service.debtors(session, day, rules, house_id=house,
                                        provider_id=provider, min_debt=min_debt)
            except DomainError as exc:
                refuse(exc)
    labels = [service.age_label(i) for i in range(len(AGE_BUCKETS))]
    columns = (Column("Счёт", "code"), Column("Дом", "int", wide=True),
               Column("Долг", "money"), *(Column(label, "money") for label in labels))
    rows: list[tuple[Any, ...]] = [
        (d.account, d.house_id, to_kopecks(d.total),
         *(to_kopecks(d.by_age.get(label, "0")) for label in labels)) for d in found]
    total = ("Итого", None, *(sum(r[i] for r in rows) for i in range(2, len(columns))))
    listing = Listing(f"Должники на {day:%d.%m.%Y}: {len(rows)}; долг по срокам просрочки, "
                      "дней, руб.", columns, rows, found, total=total, total_in_table=False)
    emit(listing, fmt, out, extra=lambda target: _ages(labels, rows, target))


def _ages(labels: list[str], rows: list[Any], target: Console) -> None:
    table = Table(title="Итого по срокам просрочки", title_justify="left")
    for name, justify in (("Дней", "left"), ("Счетов", "right"), ("Сумма, руб.", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for i, label in enumerate(labels):
        table.add_row(label, str(sum(1 for r in rows if r[3 + i])),
                      rubles(sum(r[3 + i] for r in rows)))
    table.add_row("[b]Всего[/b]", f"[b]{len(rows)}[/b]",
                  f"[b]{rubles(sum(r[2] for r in rows))}[/b]")
    target.print(table)
