"""``zhkh cash …``: the cash desk from the command line — open a shift, take a payment, show a
shift, print a confirmation, close the shift.

Thin: each command calls ``modules/cashdesk/service.py`` in one unit of work of the
composition root's database (the same service as the API and the web desk) and prints Russian
lines. The cashier is ``--actor`` (default: the OS user), as for every CLI change.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import rubles
from zhkh.adapters.cli.shared import (
    ActorOption,
    DatabaseOption,
    actor,
    console,
    finance_rules,
    refuse,
)
from zhkh.kernel.money import to_kopecks
from zhkh.modules.cashdesk.schemas import ShiftOut

cash_app = typer.Typer(help="Касса: смены, приём оплат, квитанции", no_args_is_help=True)
METHODS = {"cash": "наличные", "card": "карта"}


def register(app: typer.Typer) -> None:
    """Add ``zhkh cash …`` to the application."""
    app.add_typer(cash_app, name="cash")


def _rub(text: str | None) -> str:
    return "—" if text is None else f"{rubles(to_kopecks(text))} ₽"


def _at(text: str) -> str:
    return f"{datetime.fromisoformat(text):%d.%m.%Y %H:%M}"


def _print_shift(shift: ShiftOut) -> None:
    state = "открыта" if shift.closed_at is None else f"закрыта {_at(shift.closed_at)}"
    console.print(f"Смена № {shift.id} · {shift.desk} · {shift.cashier} · {state}")
    console.print(f"  размен {_rub(shift.opening_float)}")
    for t in shift.totals:
        console.print(f"  {METHODS[t.method]}: оплат {t.payments} на {_rub(t.taken)}, "
                      f"возвратов {t.refunds} на {_rub(t.refunded)}, итого {_rub(t.net)}")
    console.print(f"  ожидается наличных {_rub(shift.expected_cash)}")
    if shift.counted_cash is not None:
        console.print(f"  пересчитано {_rub(shift.counted_cash)}, расхождение "
                      f"{_rub(shift.difference)}")


@cash_app.command("open")
def open_shift(desk: Annotated[str, typer.Option("--desk", help="Касса (место приёма)")],
               opening_float: Annotated[str, typer.Option(
                   "--float", help="Размен в кассе, руб. (1500.00)")] = "0.00",
               database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Открыть смену кассира (одна открытая смена на кассира)."""
    from pydantic import ValidationError

    from zhkh.modules.cashdesk import service
    from zhkh.modules.cashdesk.schemas import ShiftOpen
    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application:
        try:
            body = ShiftOpen(desk=desk, opening_float=opening_float)
            with application.database.session() as session:
                shift = service.open_shift(session, actor(actor_name), body)
        except (DomainError, ValidationError) as exc:
            refuse(exc)
    _print_shift(shift)


@cash_app.command("pay")
def pay(shift_id: Annotated[int, typer.Argument(help="Номер смены")],
        account: Annotated[str, typer.Argument(help="Лицевой счёт")],
        amount: Annotated[str, typer.Argument(help="Сумма, руб. (1500.00)")],
        method: Annotated[str, typer.Option("--method", help="cash или card")] = "cash",
        tendered: Annotated[str | None, typer.Option(
            "--tendered", help="Получено наличными, руб.")] = None,
        database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Принять оплату в смене: через финансы, как оплату банка; печатает сдачу и остаток."""
    from pydantic import ValidationError

    from zhkh.modules.cashdesk import service
    from zhkh.modules.cashdesk.schemas import CashPaymentIn
    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application:
        rules = finance_rules(application)
        try:
            body = CashPaymentIn(account=account, method=method, amount=amount,
                                 tendered=tendered)
            with application.database.session() as session:
                receipt = service.take_payment(session, application.seams, actor(actor_name),
                                               rules, shift_id, body)
        except (DomainError, ValidationError) as exc:
            refuse(exc)
    console.print(f"Принято {_rub(receipt.amount)} ({METHODS[receipt.method]}), "
                  f"операция № {receipt.id}, оплата № {receipt.payment.id}")
    if receipt.change is not None:
        console.print(f"Сдача: {_rub(receipt.change)}")
    if receipt.balance is not None:
        console.print(f"Остаток по счёту {account}: {_rub(receipt.balance.balance)}")


@cash_app.command("show")
def show(shift_id: Annotated[int, typer.Argument(help="Номер смены")],
         database: DatabaseOption = None) -> None:
    """Смена: итоги по способам оплаты, ожидаемые и пересчитанные наличные."""
    from zhkh.modules.cashdesk import service
    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            shift = service.get_shift(session, shift_id)
        except DomainError as exc:
            refuse(exc)
    _print_shift(shift)


@cash_app.command("receipt")
def receipt(shift_id: Annotated[int, typer.Argument(help="Номер смены")],
            receipt_id: Annotated[int, typer.Argument(help="Номер операции")],
            out: Annotated[Path, typer.Option("--out", help="Файл PDF")],
            database: DatabaseOption = None) -> None:
    """Квитанция об оплате (PDF) для печати."""
    from zhkh.adapters.print.cash_receipt import render_confirmation
    from zhkh.modules.cashdesk import service
    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application:
        titles = {code: s.title for code, s in application.rulebook.services.items()}
        try:
            with application.database.reader() as session:
                found = service.confirmation(session, shift_id, receipt_id)
        except DomainError as exc:
            refuse(exc)
    out.write_bytes(render_confirmation(found, titles))
    console.print(f"Квитанция записана: {out}")


@cash_app.command("close")
def close(shift_id: Annotated[int, typer.Argument(help="Номер смены")],
          counted: Annotated[str, typer.Option("--counted", help="Пересчитано наличных, руб.")],
          database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Закрыть смену: итоги сверяются с проведёнными оплатами."""
    from pydantic import ValidationError

    from zhkh.modules.cashdesk import service
    from zhkh.modules.cashdesk.schemas import ShiftClose
    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application:
        try:
            body = ShiftClose(counted_cash=counted)
            with application.database.session() as session:
                shift = service.close_shift(session, actor(actor_name), shift_id, body)
        except (DomainError, ValidationError) as exc:
            refuse(exc)
    _print_shift(shift)
