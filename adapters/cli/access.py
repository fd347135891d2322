"""CLI of access: create an API key for a role (the plain key is printed once)."""

from __future__ import annotations

from typing import Annotated

import typer

from zhkh.adapters.bootstrap import bootstrap

keys_app = typer.Typer(help="Ключи API", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``zhkh keys …`` and ``zhkh serve`` to the application."""
    app.add_typer(keys_app, name="keys")
    app.command("serve")(serve)


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="Роль: admin, methodologist, operator, …")],
    name: Annotated[str, typer.Option(help="Кому выдан ключ (человек или система)")],
    scope: Annotated[str, typer.Option(
        help="Область данных: all (все управляющие организации) или их номера через запятую "
             "(3,7)")] = "all",
    database: Annotated[str | None, typer.Option(help="URL базы данных")] = None,
) -> None:
    """Создать ключ API для роли и области данных; ключ показывается только один раз."""
    from zhkh.adapters.db import upgrade
    from zhkh.modules.access.permissions import ROLES
    from zhkh.modules.access.scope import Scope
    from zhkh.modules.access.service import create_api_key
    from zhkh.modules.errors import Invalid
    from zhkh.modules.registry.models import ManagementCompany

    if role not in ROLES:
        typer.echo(f"Неизвестная роль {role!r}; допустимы: {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    try:
        limits = Scope.parse(scope)
    except Invalid as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    with bootstrap(database_url=database) as application:
        upgrade(application.settings.database_url)
        with application.database.session() as session:
            unknown = [c for c in sorted(limits.companies or ())
                       if session.get(ManagementCompany, c) is None]
            if unknown:
                typer.echo("Нет управляющих организаций с номерами "
                           f"{', '.join(map(str, unknown))}", err=True)
                raise typer.Exit(2)
            key = create_api_key(session, name, role, limits)
    typer.echo(f"Ключ для «{name}» (роль {role}, {limits.describe()}) — сохраните его, "
               "повторно он не показывается:")
    typer.echo(key)


def serve(
    host: Annotated[str, typer.Option(help="Адрес")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Порт")] = 8000,
) -> None:
    """Запустить HTTP API (база и правила — из переменных окружения ZHKH_*)."""
    import uvicorn

    from zhkh.adapters.db import upgrade
    from zhkh.api.app import create_app

    with bootstrap() as application:
        upgrade(application.settings.database_url)
        uvicorn.run(create_app(application=application), host=host, port=port)
