"""``zhkh transfers``: what each provider is to be sent on a day (the transfer registry with
bank details), marking it sent, and the reconciliation of any range of days.

``--mark-sent`` records every listed provider's transfer in one unit of work (all or none); a
transfer is recorded once — the same days again are refused, and the next day's listing starts
after them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit, rubles
from zhkh.adapters.cli.shared import (
    EXIT_INPUT,
    EXIT_REFUSED,
    ActorOption,
    DatabaseOption,
    ReasonOption,
    actor,
    console,
    fail,
    parse_day,
    refuse,
)
from zhkh.kernel.money import to_kopecks

transfers_app = typer.Typer(help="Перечисления поставщикам", invoke_without_command=True)
SINCE_EVER = date(1990, 1, 1)
"""The first day of a provider's first transfer (``transfers.due_on`` starts there)."""
FormatOption = Annotated[Format, typer.Option("--format", help="table, csv, xlsx или json")]


def register(app: typer.Typer) -> None:
    """Add ``zhkh transfers …`` to the application."""
    app.add_typer(transfers_app, name="transfers")


@transfers_app.callback()
def transfers(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", help="День перечисления")] = None,
    provider: Annotated[int | None, typer.Option("--provider", help="Только поставщик")] = None,
    fmt: FormatOption = Format.table,
    out: Annotated[Path | None, typer.Option("--out", help="Записать в файл")] = None,
    mark_sent: Annotated[bool, typer.Option("--mark-sent", help="Записать перечисления как "
                                                                "отправленные")] = False,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="Номер платёжного поручения (для --mark-sent)")] = None,
    database: DatabaseOption = None, actor_name: ActorOption = None,
    reason: ReasonOption = None,
) -> None:
    """Реестр перечислений на день: собрано, вознаграждение агента, к перечислению,
    реквизиты."""
    if ctx.invoked_subcommand is not None:
        return
    if day is None:
        fail("укажите --date ДАТА (или команду reconcile)", EXIT_INPUT)
    if mark_sent and not reference:
        fail("для --mark-sent укажите --reference НОМЕР платёжного поручения", EXIT_INPUT)
    on = parse_day(day, "--date")
    assert on is not None
    due = _due(database, on, provider, mark_sent, actor(actor_name, reason), reference)
    columns = (Column("Поставщик (id)", "int", wide=True), Column("Поставщик"),
               Column("ИНН", wide=True), Column("С", "code"), Column("По", "code"),
               Column("Собрано", "money"), Column("Вознаграждение", "money"),
               Column("К перечислению", "money"), Column("Банк", wide=True),
               Column("БИК", wide=True), Column("Расчётный счёт", wide=True),
               Column("Корр. счёт", wide=True))
    rows: list[tuple[Any, ...]] = [
        (t.provider_id, t.provider, t.inn, t.date_from or "—", t.date_to,
         to_kopecks(t.collected), to_kopecks(t.fee), to_kopecks(t.amount), t.bank_name,
         t.bik, t.settlement_account, t.corr_account) for t in due]
    total = (None, "Итого", None, None, None,
             *(sum(r[i] for r in rows) for i in (5, 6, 7)), None, None, None, None)
    state = f"отмечено отправленным, п/п № {reference}" if mark_sent else "к отправке"
    listing = Listing(f"Перечисления поставщикам на {on:%d.%m.%Y} ({state}), руб.", columns,
                      rows, due, total=total)
    if not rows:
        listing.notes.append("Перечислять нечего: всё собранное по этот день уже перечислено")
    emit(listing, fmt, out, extra=lambda target: _details(due, target))


def _due(database: str | None, on: date, provider: int | None, mark_sent: bool, who: Any,
         reference: str | None) -> list[Any]:
    from pydantic import ValidationError

    from zhkh.modules.errors import DomainError
    from zhkh.modules.finance import service
    from zhkh.modules.finance.schemas import TransferIn

    with bootstrap(database_url=database) as application:
        try:
            with application.database.session() as session:
                due = [t for t in service.transfers_due(session, on)
                       if provider is None or t.provider_id == provider]
                for t in due if mark_sent else ():
                    service.record_transfer(session, who, TransferIn(
                        provider_id=t.provider_id,
                        date_from=date.fromisoformat(t.date_from) if t.date_from else SINCE_EVER,
                        date_to=on, reference=reference, reason=who.reason))
        except (DomainError, ValidationError) as exc:
            refuse(exc)
    return due


def _details(due: list[Any], target: Console) -> None:
    for t in due:
        bank = (f"{t.bank_name}, БИК {t.bik}, р/с {t.settlement_account}, к/с {t.corr_account}"
                if t.bik else "[red]нет действующего договора с реквизитами[/red]")
        target.print(f"{t.provider} (ИНН {t.inn}): {bank}")


@transfers_app.command("reconcile")
def reconcile(
    date_from: Annotated[str, typer.Option("--from", help="С даты")],
    date_to: Annotated[str, typer.Option("--to", help="По дату")],
    fmt: FormatOption = Format.table,
    out: Annotated[Path | None, typer.Option("--out", help="Записать в файл")] = None,
    database: DatabaseOption = None,
) -> None:
    """Сверка за период: собрано = перечислено + вознаграждение + осталось перечислить."""
    from zhkh.modules.errors import DomainError
    from zhkh.modules.finance import service, sheets

    first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    assert first is not None and last is not None
    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            found = service.reconcile(session, first, last)
        except DomainError as exc:
            refuse(exc)
        names = sheets.group_names(session, "provider", [str(r.provider_id) for r in found])
    columns = (Column("Поставщик (id)", "int", wide=True), Column("Поставщик"),
               Column("Собрано", "money"), Column("Перечислено", "money"),
               Column("Вознаграждение", "money"), Column("Осталось", "money"))
    rows: list[tuple[Any, ...]] = [
        (r.provider_id, names.get(str(r.provider_id), str(r.provider_id)),
         *(to_kopecks(v) for v in (r.collected, r.transferred, r.fees, r.pending)))
        for r in found]
    total = (None, "Итого", *(sum(r[i] for r in rows) for i in range(2, 6)))
    listing = Listing(f"Сверка перечислений {first:%d.%m.%Y}–{last:%d.%m.%Y}, руб.", columns,
                      rows, found, total=total)
    broken = [r for r in rows if r[2] != r[3] + r[4] + r[5]]
    for r in broken:
        listing.notes.append(f"[red]{r[1]}: собрано {rubles(r[2])} ≠ перечислено + "
                             "вознаграждение + осталось[/red]")
    if not broken:
        listing.notes.append("Сверка: по каждому поставщику собрано = перечислено + "
                             "вознаграждение + осталось — сходится")
    emit(listing, fmt, out)
    if broken:
        console.print("Сверка не сошлась")
        raise typer.Exit(EXIT_REFUSED)
