"""CLI of the web application's users: add, list, disable, change a password, purge dead
sessions; and
``zhkh keys list``. Every change is audited with the real actor (``--actor`` or the OS user)
and the reason; a password is never printed unless generated here (then once)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from zhkh.adapters.bootstrap import Application, bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit
from zhkh.adapters.cli.shared import ActorOption, DatabaseOption, ReasonOption
from zhkh.adapters.cli.shared import actor as cli_actor
from zhkh.modules.access.models import USER_ROLES
from zhkh.modules.errors import DomainError

users_app = typer.Typer(help="Пользователи веб-приложения", no_args_is_help=True)

FormatOption = Annotated[Format, typer.Option("--format", help="Вид: table, csv, json")]
PasswordOption = Annotated[str | None, typer.Option(
    "--password", help="Пароль (не менее 10 символов); без него пароль создаётся и "
    "печатается один раз")]

USER_COLUMNS = (Column("№", "int"), Column("Логин", "code"), Column("ФИО"), Column("Роль"),
                Column("Область данных"), Column("Создан", "code"), Column("Отключён", "code"))
KEY_COLUMNS = (Column("№", "int"), Column("Имя"), Column("Роль"), Column("Начало", "code"),
               Column("Область данных"), Column("Создан", "code"), Column("Отозван", "code"))


def register(app: typer.Typer) -> None:
    """Add ``zhkh users …`` and ``zhkh keys list``."""
    from zhkh.adapters.cli.access import keys_app

    app.add_typer(users_app, name="users")
    keys_app.command("list")(list_keys)


def generate_password() -> str:
    """A random password of 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def _migrated(application: Application) -> None:
    from zhkh.adapters.db import upgrade

    if application.settings.migration_url is None:
        upgrade(application.settings.database_url)


def _refuse(exc: DomainError) -> NoReturn:
    typer.echo(exc.message, err=True)
    raise typer.Exit(1 if exc.__class__.__name__ in ("NotFound", "Conflict") else 2)


@users_app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="Логин (латиница, цифры, . - _)")],
    role: Annotated[str, typer.Option(help="Роль: admin, operator, cashier, …")],
    full_name: Annotated[str, typer.Option("--name", help="ФИО (для списка и журнала)")] = "",
    scope: Annotated[str, typer.Option(
        help="Область данных: all или номера управляющих организаций (3,7)")] = "all",
    password: PasswordOption = None,
    database: DatabaseOption = None, by: ActorOption = None, reason: ReasonOption = None,
) -> None:
    """Создать пользователя веб-приложения."""
    from zhkh.modules.access.scope import Scope
    from zhkh.modules.access.users import create_user
    from zhkh.modules.audit import service as audit

    plain = password or generate_password()
    try:
        limits = Scope.parse(scope)
        with bootstrap(database_url=database) as application:
            _migrated(application)
            with application.database.session() as session:
                user = create_user(session, login, plain, role, full_name=full_name,
                                   scope=limits)
                audit.record(session, cli_actor(by, reason), action="user.create",
                             object_type="user", object_id=user.id,
                             after={"login": user.login, "role": role,
                                    "scope": limits.describe()})
                login = user.login
    except DomainError as exc:
        _refuse(exc)
    typer.echo(f"Пользователь {login} (роль {role}, {limits.describe()}) создан")
    if password is None:
        typer.echo(f"Пароль (показывается один раз): {plain}")


@users_app.command("list")
def list_users(database: DatabaseOption = None, fmt: FormatOption = Format.table) -> None:
    """Список пользователей (и отключённых)."""
    from zhkh.api.web.format import moment, role_name
    from zhkh.modules.access.scope import Scope
    from zhkh.modules.access.users import list_users as users

    with bootstrap(database_url=database) as application:
        _migrated(application)
        with application.database.reader() as session:
            found = users(session)
            rows = [(u.id, u.login, u.full_name, role_name(u.role),
                     Scope.from_stored(u.scope).describe(), moment(u.created_at),
                     moment(u.disabled_at)) for u in found]
            data = [{"id": u.id, "login": u.login, "full_name": u.full_name, "role": u.role,
                     "scope": u.scope, "created_at": u.created_at.isoformat(),
                     "disabled_at": u.disabled_at.isoformat() if u.disabled_at else None}
                    for u in found]
    emit(Listing(f"Пользователи: {len(rows)}", USER_COLUMNS, rows, data), fmt, None)


@users_app.command("disable")
def disable(
    login: Annotated[str, typer.Argument(help="Логин или номер пользователя")],
    database: DatabaseOption = None, by: ActorOption = None, reason: ReasonOption = None,
) -> None:
    """Отключить пользователя (он остаётся в списке; его сеансы завершаются)."""
    from zhkh.modules.access.users import disable_user
    from zhkh.modules.audit import service as audit

    try:
        with bootstrap(database_url=database) as application:
            with application.database.session() as session:
                user = disable_user(session, login)
                audit.record(session, cli_actor(by, reason), action="user.disable",
                             object_type="user", object_id=user.id,
                             after={"login": user.login})
                name = user.login
    except DomainError as exc:
        _refuse(exc)
    typer.echo(f"Пользователь {name} отключён")


@users_app.command("passwd")
def passwd(
    login: Annotated[str, typer.Argument(help="Логин или номер пользователя")],
    password: PasswordOption = None,
    database: DatabaseOption = None, by: ActorOption = None, reason: ReasonOption = None,
) -> None:
    """Сменить пароль пользователя (его открытые сеансы завершаются)."""
    from zhkh.modules.access.users import set_password
    from zhkh.modules.audit import service as audit

    plain = password or generate_password()
    try:
        with bootstrap(database_url=database) as application:
            with application.database.session() as session:
                user = set_password(session, login, plain)
                audit.record(session, cli_actor(by, reason), action="user.password",
                             object_type="user", object_id=user.id,
                             after={"login": user.login})
                name = user.login
    except DomainError as exc:
        _refuse(exc)
    typer.echo(f"Пароль пользователя {name} изменён")
    if password is None:
        typer.echo(f"Новый пароль (показывается один раз): {plain}")


def list_keys(database: DatabaseOption = None, fmt: FormatOption = Format.table) -> None:
    """Список ключей API (только начало ключа; и отозванные)."""
    from zhkh.api.web.format import moment, role_name
    from zhkh.modules.access.scope import Scope
    from zhkh.modules.access.service import list_api_keys

    with bootstrap(database_url=database) as application:
        _migrated(application)
        with application.database.reader() as session:
            keys = list_api_keys(session)
            rows = [(k.id, k.name, role_name(k.role), k.key_prefix + "…",
                     Scope.from_stored(k.scope).describe(), moment(k.created_at),
                     moment(k.revoked_at)) for k in keys]
            data = [{"id": k.id, "name": k.name, "role": k.role, "key_prefix": k.key_prefix,
                     "scope": k.scope, "created_at": k.created_at.isoformat(),
                     "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}
                    for k in keys]
    emit(Listing(f"Ключи API: {len(rows)}", KEY_COLUMNS, rows, data), fmt, None)


DEMO_ROLES = tuple(r for r in USER_ROLES if r != "external_system")
"""The demo's web users: one per role a person holds (a system uses an API key)."""


def demo_users(application: Application, path: Path) -> list[tuple[str, str, str]]:
    """One user per role of :data:`DEMO_ROLES` (login = the role's name with hyphens),
    each with a generated password; printed (Russian) and written to ``path`` with mode 0600
    (only the owner reads it). Returns (login, role, password) rows."""
    import os

    from rich.table import Table

    from zhkh.adapters.cli.shared import console
    from zhkh.api.web.format import role_name
    from zhkh.modules.access.users import create_user
    from zhkh.modules.audit import Actor
    from zhkh.modules.audit import service as audit

    rows = []
    with application.database.session() as session:
        for role in DEMO_ROLES:
            login, password = role.replace("_", "-"), generate_password()
            user = create_user(session, login, password, role,
                               full_name=f"Демо: {role_name(role)}")
            audit.record(session, Actor("demo"), action="user.create", object_type="user",
                         object_id=user.id, after={"login": login, "role": role})
            rows.append((login, role, password))
    text = "".join(f"{login}\t{role}\t{password}\n" for login, role, password in rows)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# логин\tроль\tпароль — пользователи веб-приложения демо-базы\n" + text)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_TRUNC
    table = Table(title="Пользователи веб-приложения")
    for column in ("Логин", "Роль", "Пароль"):
        table.add_column(column, no_wrap=True)
    for login, role, password in rows:
        table.add_row(login, role_name(role), password)
    console.print(table)
    console.print(f"Пароли записаны в {path} (доступен только владельцу). Веб-приложение: "
                  "zhkh serve --database … → http://127.0.0.1:8000/")
    return rows


@users_app.command("purge-sessions")
def purge_sessions(database: DatabaseOption = None) -> None:
    """Удалить завершённые и истёкшие сеансы веб-приложения (открытые не затрагиваются)."""
    from zhkh.modules.access.users import purge_sessions as purge

    with bootstrap(database_url=database) as application:
        _migrated(application)
        with application.database.session() as session:
            purged = purge(session)
    typer.echo(f"Удалено завершённых и истёкших сеансов: {purged}")
