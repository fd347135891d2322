"""``zhkh accounts create``: open a personal account through the same service as
``POST /v1/accounts`` (audited); without ``--number`` the next free number with its check
digit is given."""

from __future__ import annotations

from typing import Annotated

import typer

from zhkh.adapters.cli.shared import (
    ActorOption,
    DatabaseOption,
    ReasonOption,
    actor,
    change,
    console,
    parse_day,
)

accounts_app = typer.Typer(help="Лицевые счета", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``accounts`` to the application."""
    app.add_typer(accounts_app, name="accounts")


@accounts_app.command("create")
def create(premises: Annotated[int, typer.Option(help="Помещение (id)")],
           opened_on: Annotated[str, typer.Option(
               "--opened-on", help="Дата открытия (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)")],
           number: Annotated[str | None, typer.Option(
               help="Номер с контрольной цифрой (по умолчанию — следующий свободный)")] = None,
           reason: ReasonOption = None, database: DatabaseOption = None,
           actor_name: ActorOption = None) -> None:
    """Открыть лицевой счёт в помещении; без --number номер назначается сам."""
    from zhkh.modules.registry import service as registry
    from zhkh.modules.registry.schemas import AccountCreate

    day = parse_day(opened_on, "--opened-on")
    opened = change(database, lambda session, _seams: registry.create_account(
        session, actor(actor_name), AccountCreate(
            number=number, premises_id=premises, opened_on=day, reason=reason)).number)
    console.print(f"Открыт лицевой счёт {opened} (помещение {premises}, с {day:%d.%m.%Y})")
