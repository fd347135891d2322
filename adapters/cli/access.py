"""CLI of access: create and revoke API keys (the plain key is printed once), purge expired
idempotent responses. Creation and revocation are audited with the real actor (``--actor`` or
the OS user) and the reason."""

from __future__ import annotations

import gc
import threading
from typing import Annotated

import typer

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.shared import actor as cli_actor

ActorOption = Annotated[str | None, typer.Option(
    "--actor", help="Кто выполняет (по умолчанию — пользователь ОС)")]
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Основание (в журнал аудита)")]

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
    by: ActorOption = None, reason: ReasonOption = None,
) -> None:
    """Создать ключ API для роли и области данных; ключ показывается только один раз."""
    from zhkh.adapters.db import upgrade
    from zhkh.modules.access.permissions import ROLES
    from zhkh.modules.access.scope import Scope
    from zhkh.modules.access.service import issue_api_key
    from zhkh.modules.audit import service as audit
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
        if application.settings.migration_url is None:
            upgrade(application.settings.database_url)
        with application.database.session() as session:
            unknown = [c for c in sorted(limits.companies or ())
                       if session.get(ManagementCompany, c) is None]
            if unknown:
                typer.echo("Нет управляющих организаций с номерами "
                           f"{', '.join(map(str, unknown))}", err=True)
                raise typer.Exit(2)
            stored, key = issue_api_key(session, name, role, limits)
            audit.record(session, cli_actor(by, reason), action="api_key.create",
                         object_type="api_key", object_id=stored.id,
                         after={"name": name, "role": role, "key_prefix": stored.key_prefix,
                                "scope": limits.describe()})
    typer.echo(f"Ключ для «{name}» (роль {role}, {limits.describe()}) — сохраните его, "
               "повторно он не показывается:")
    typer.echo(key)


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[int, typer.Argument(help="Номер ключа")],
    database: Annotated[str | None, typer.Option(help="URL базы данных")] = None,
    by: ActorOption = None, reason: ReasonOption = None,
) -> None:
    """Отозвать ключ API (он остаётся в списке, но больше не действует)."""
    from zhkh.modules.access.service import revoke_api_key
    from zhkh.modules.audit import service as audit
    from zhkh.modules.errors import NotFound

    with bootstrap(database_url=database) as application:
        try:
            with application.database.session() as session:
                key = revoke_api_key(session, key_id)
                revoked_at = key.revoked_at.isoformat() if key.revoked_at else None
                audit.record(session, cli_actor(by, reason), action="api_key.revoke",
                             object_type="api_key", object_id=key.id,
                             after={"name": key.name, "role": key.role,
                                    "revoked_at": revoked_at})
        except NotFound as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from None
    typer.echo(f"Ключ {key_id} («{key.name}», роль {key.role}) отозван")


@keys_app.command("purge-idempotency")
def purge_idempotency(
    database: Annotated[str | None, typer.Option(help="URL базы данных")] = None,
) -> None:
    """Удалить сохранённые ответы идемпотентных запросов старше ZHKH_IDEMPOTENCY_HOURS."""
    from datetime import UTC, datetime, timedelta

    from zhkh.modules.access.repository import AccessRepository

    with bootstrap(database_url=database) as application:
        hours = application.settings.idempotency_hours
        with application.database.session() as session:
            purged = AccessRepository(session).purge_idempotency(
                datetime.now(UTC) - timedelta(hours=hours))
    typer.echo(f"Удалено сохранённых ответов старше {hours} ч: {purged}")


def serve(
    host: Annotated[str, typer.Option(help="Адрес")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Порт")] = 8000,
    database: Annotated[str | None, typer.Option(
        help="URL базы данных (по умолчанию ZHKH_DATABASE_URL)")] = None,
) -> None:
    """Запустить HTTP API и веб-приложение (база — --database или ZHKH_DATABASE_URL; правила —
    из переменных окружения ZHKH_*)."""
    import uvicorn

    from zhkh.adapters.cli.access_log import log_config
    from zhkh.adapters.db import current_revision, head_revision, upgrade
    from zhkh.adapters.db.checkpoint import WalCheckpointer
    from zhkh.api.app import create_app
    from zhkh.api.routers.analytics import warm

    with bootstrap(database_url=database) as application:
        settings = application.settings
        if settings.migration_url is None:
            upgrade(settings.database_url)
        elif current_revision(settings.database_url) != head_revision():
            typer.echo("Схема базы не последней версии: выполните zhkh db upgrade (миграции "
                       "выполняет владелец ZHKH_MIGRATION_URL, не роль приложения)", err=True)
            raise typer.Exit(1)
        app = create_app(application=application)
        # the ≈220,000 objects alive after start (modules, rules, engine) never die: kept out
        # of the collector's reach, a full collection walks only what requests made — ≈5 ms
        # instead of ≈200 ms every ≈50 account cards (p99 of the card 245 → under 80 ms)
        gc.collect()
        gc.freeze()
        # SQLite: the WAL copied into the database by a thread, not by the commit of the
        # request that happens to fill it (the p99 of a payment paid for that)
        checkpointer = WalCheckpointer(application.database.engine).start()
        # the closed months' sums of the analytics, read while the first pages are served
        threading.Thread(target=warm, args=(app,), name="zhkh-analytics-warm-up",
                         daemon=True).start()
        try:
            uvicorn.run(app, host=host, port=port, log_config=log_config())
        finally:
            checkpointer.stop()
