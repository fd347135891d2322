"""Numbers, money, dates and periods as Russians write them — the Jinja filters of every page.

In a template: ``{{ line.amount_kopecks | money }}`` → ``1 234,56 ₽``;
``{{ "1234.56" | money }}`` (a decimal string of the API's schemas) → the same;
``{{ "2026-10" | period }}`` → «октябрь 2026»; ``{{ some_date | day }}`` → ``15.11.2026``;
``{{ some_moment | moment }}`` → ``15.11.2026 14:05`` (Moscow time); ``{{ "8.333" | volume }}``
→ ``8,333`` (the digits it has). A missing value gives an empty string, never «None».
The same functions serve Python code (tables, charts): import them from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment

from zhkh.adapters.print import fmt as _print

RUB = "\u00a0₽"
try:
    LOCAL = ZoneInfo("Europe/Moscow")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without tzdata
    from datetime import UTC as LOCAL  # type: ignore[assignment]


def kopecks_of(value: Any) -> int | None:
    """Kopecks of an integer (kopecks) or of a decimal string/Decimal of roubles
    (``"1234.56"``); None for None or text that is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return int((amount * 100).to_integral_value())


def money(value: Any) -> str:
    """Kopecks (int) or roubles (decimal string) → ``1 234,56 ₽`` (``−12,30 ₽``)."""
    kopecks = kopecks_of(value)
    return "" if kopecks is None else _print.money(kopecks) + RUB


def money_plain(value: Any) -> str:
    """Like :func:`money` without the sign of the rouble (for table columns headed «₽»)."""
    kopecks = kopecks_of(value)
    return "" if kopecks is None else _print.money(kopecks)


def period(value: Any) -> str:
    """``2026-10`` → «октябрь 2026» (anything else is shown as given)."""
    if not value:
        return ""
    text = str(value)
    try:
        return _print.period(text)
    except (ValueError, IndexError):
        return text


def day(value: date | str | None) -> str:
    """A date (or ISO text) → ``15.11.2026``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value[:10])
        except ValueError:
            return value
        return _print.day(parsed)
    return _print.day(value if not isinstance(value, datetime) else value.date())


def moment(value: datetime | None) -> str:
    """A moment → ``15.11.2026 14:05`` in Moscow time."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL) if value.tzinfo else value
    return f"{_print.day(local.date())} {local:%H:%M}"


def volume(value: Any) -> str:
    """A decimal string or Decimal → ``1 234,567`` with the digits it has."""
    if value is None or value == "":
        return ""
    return _print.decimal(str(value))


ROLE_NAMES = {
    "admin": "администратор", "methodologist": "методолог", "operator": "оператор",
    "passport_officer": "паспортист", "cashier": "кассир", "senior_cashier": "старший кассир",
    "dispatcher": "диспетчер", "analyst": "аналитик", "auditor": "аудитор",
    "external_system": "внешняя система", "accountant": "бухгалтер",
}


def role_name(role: str) -> str:
    """The Russian name of a role (``cashier`` → «кассир»; an unknown role as given)."""
    return ROLE_NAMES.get(role, role)


FILTERS: dict[str, Callable[..., str]] = {
    "money": money, "money_plain": money_plain, "period": period, "day": day, "moment": moment,
    "volume": volume, "role_name": role_name}


def install(env: Environment) -> None:
    """Register the filters in a Jinja environment."""
    env.filters.update(FILTERS)
