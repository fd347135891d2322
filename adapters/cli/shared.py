"""What the finance commands share: options, exit codes, the actor, dates, and one way to
print a refusal — in Russian, naming the field.

Exit codes of the finance commands: 0 done; 1 refused by a business rule (not found, a
conflict, an invalid change); 2 bad input (an option, a JSON file, a validation error);
3 the registry file is already loaded; 4 the registry file is refused (line and field named).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from zhkh.adapters.bootstrap import Application, bootstrap
from zhkh.modules.audit import Actor

EXIT_REFUSED = 1
EXIT_INPUT = 2
EXIT_ALREADY_LOADED = 3
EXIT_BAD_FILE = 4

console = Console()
errors = Console(stderr=True)

DatabaseOption = Annotated[str | None, typer.Option(
    "--database", help="URL базы (по умолчанию ZHKH_DATABASE_URL или sqlite:///zhkh.sqlite)")]
ActorOption = Annotated[str | None, typer.Option(
    "--actor", help="Кто вносит изменение (по умолчанию — пользователь ОС)")]
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Основание (в журнал аудита)")]

FIELD_TITLES = {
    "inn": "ИНН", "kpp": "КПП", "ogrn": "ОГРН", "bik": "БИК", "name": "наименование",
    "code": "код", "address": "адрес", "phone": "телефон", "email": "эл. почта",
    "website": "сайт", "closed_on": "дата прекращения", "settlement_account": "расчётный счёт",
    "corr_account": "корреспондентский счёт", "bank_name": "банк", "fee": "вознаграждение",
    "fee_kind": "вид вознаграждения", "transfer_rule": "правило перечисления",
    "transfer_days": "дни перечисления", "date_from": "дата начала",
    "date_to": "дата окончания", "signed_on": "дата подписания", "number": "номер",
    "provider_id": "поставщик", "management_company_id": "управляющая организация",
    "house_id": "дом", "service": "услуга", "scope": "услуги договора", "terms": "условия",
    "account": "лицевой счёт", "reason": "основание", "amount": "сумма", "paid_on":
    "дата оплаты", "on": "дата", "reference": "номер платёжного поручения",
    "sequence": "номер файла",
}


def field_title(path: str) -> str:
    """The Russian name of a field path (``terms.bik`` → «условия → БИК»); list indexes
    become «№ n»."""
    parts = []
    for part in path.split("."):
        parts.append(f"№ {int(part) + 1}" if part.isdigit() else FIELD_TITLES.get(part, part))
    return " → ".join(parts)


def actor(name: str | None, reason: str | None = None) -> Actor:
    """Who makes the change: ``--actor`` or the OS user, with the reason given."""
    return Actor(name or getpass.getuser(), reason or None)


def fail(message: str, code: int = EXIT_REFUSED) -> NoReturn:
    """Print ``message`` to stderr in red and stop with ``code``."""
    errors.print(f"[red]{escape(message)}[/red]", soft_wrap=True)
    raise typer.Exit(code)


def refuse(exc: Exception) -> NoReturn:
    """Stop on a refusal of a module: a ``DomainError`` (its message and the field in
    Russian; Invalid → exit 1 like the other refusals) or a pydantic ``ValidationError``
    (every field at fault, exit 2)."""
    from pydantic import ValidationError

    from zhkh.modules.errors import DomainError
    from zhkh.modules.validation_messages import russian_message

    if isinstance(exc, ValidationError):
        lines = [f"поле «{field_title('.'.join(str(p) for p in e['loc']))}»: "
                 f"{russian_message(e)}" for e in exc.errors()]
        fail("Неверные данные:\n" + "\n".join(lines), EXIT_INPUT)
    if isinstance(exc, DomainError):
        where = f"поле «{field_title(exc.field)}»: " if exc.field else ""
        fail(f"{where}{exc.message}", EXIT_REFUSED)
    raise exc


def change(database: str | None, call: Callable[[Any, Any], Any]) -> Any:
    """Run ``call(session, seams)`` as one committed unit of work on ``database``; a domain or
    validation error rolls it back and ends the command with the refusal in Russian."""
    from pydantic import ValidationError

    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application:
        try:
            with application.database.session() as session:
                return call(session, application.seams)
        except (DomainError, ValidationError) as exc:
            refuse(exc)


def parse_day(text: str | None, option: str) -> date | None:
    """``ГГГГ-ММ-ДД`` or ``ДД.ММ.ГГГГ`` → a date; a bad value stops with exit 2 naming the
    option."""
    if text is None:
        return None
    value = text.strip()
    try:
        if "." in value:
            d, m, y = value.split(".")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: «{text}» — не дата; ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ", EXIT_INPUT)


def parse_period(text: str, option: str = "--period") -> str:
    """``ГГГГ-ММ`` → the canonical period text; a bad value stops with exit 2."""
    from zhkh.kernel.period import Period

    try:
        return str(Period.parse(text))
    except ValueError:
        fail(f"{option}: «{text}» — не период; ожидается ГГГГ-ММ", EXIT_INPUT)


def read_json(path: Path) -> Any:
    """A JSON file's content; an unreadable file stops with exit 2."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"Не удалось прочитать {path}: {exc}", EXIT_INPUT)


def finance_rules(app: Application) -> Any:
    """The finance rules of the published rulebook; broken rule files stop with exit 2."""
    from zhkh.kernel.rulebook import RulebookError

    try:
        return app.finance_rules
    except RulebookError as exc:
        fail(f"Ошибки в правилах:\n{exc}", EXIT_INPUT)
