"""CLI of access: create an API key for a role (the plain key is printed once)."""

from __future__ import annotations

from typing import Annotated

import typer

from zhkh.adapters.settings import get_settings

keys_app = typer.Typer(help="Ключи API", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``zhkh keys …`` and ``zhkh serve`` to the application."""
    app.add_typer(keys_app, name="keys")
    app.command("serve")(serve)


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="Роль: admin, methodologist, operator, …")],
    name: Annotated[str, typer.Option(help="Кому выдан ключ (человек или система)")],
    database: Annotated[str | None, typer.Option(help="URL базы данных")] = None,
) -> None:
    """Создать ключ API для роли; ключ показывается только один раз."""
    from zhkh.adapters.db import Database, upgrade
    from zhkh.modules.access.permissions import ROLES
    from zhkh.modules.access.service import create_api_key

    if role not in ROLES:
        typer.echo(f"Неизвестная роль {role!r}; допустимы: {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    url = database or get_settings().database_url
    upgrade(url)
    db = Database.from_url(url)
    try:
        with db.session() as session:
            key = create_api_key(session, name, role)
    finally:
        db.dispose()
    typer.echo(f"Ключ для «{name}» (роль {role}) — сохраните его, повторно он не показывается:")
    typer.echo(key)


def serve(
    host: Annotated[str, typer.Option(help="Адрес")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Порт")] = 8000,
) -> None:
    """Запустить HTTP API (база и правила — из переменных окружения ZHKH_*)."""
    import uvicorn

    from zhkh.adapters.db import upgrade

    upgrade(get_settings().database_url)
    uvicorn.run("zhkh.api.app:create_app", factory=True, host=host, port=port)
