"""``zhkh complaints list|show|new|move``: consumers' complaints from the terminal, thin over
``modules/complaints/desk.py`` — the service the API and the complaints desk use, so a
complaint registered or moved here is audited, kept in its history and (confirmed) records
its incident exactly as there. Times are local wall-clock times of the house; due times are
shown in Moscow time, as on the desk."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit
from zhkh.adapters.cli.shared import (
    EXIT_INPUT,
    ActorOption,
    DatabaseOption,
    ReasonOption,
    actor,
    console,
    fail,
    refuse,
)

complaints_app = typer.Typer(help="Обращения потребителей (претензии)", no_args_is_help=True)

COLUMNS = (Column("№", "int"), Column("Состояние"), Column("Срок шага", "code"),
           Column("Лицевой счёт", "code"), Column("Дом", "int"), Column("Услуга", "code"),
           Column("Нарушение"), Column("Началось", "code"), Column("Суть", wide=True))
STATUS_HELP = ("new — новое, accepted — принято, inspection — на проверке, confirmed — "
               "подтверждено, rejected — отклонено, closed — закрыто")
KIND_HELP = ("interruption, temperature, pressure, tko_delay, unsafe (как в правилах quality) "
             "или other")


def register(app: typer.Typer) -> None:
    """Add ``complaints`` to the application."""
    app.add_typer(complaints_app, name="complaints")


def local_time(text: str | None, option: str) -> str | None:
    """A local wall-clock time as the service reads it (``2026-11-05T08:00``), from
    ``ГГГГ-ММ-ДД ЧЧ:ММ``, ``ГГГГ-ММ-ДДTЧЧ:ММ`` or ``ДД.ММ.ГГГГ ЧЧ:ММ``; a bad value stops
    with exit 2 naming the option."""
    if text is None:
        return None
    value = " ".join(text.replace("T", " ").split())
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(value, pattern).isoformat(timespec="minutes")
        except ValueError:
            continue
    fail(f"{option}: «{text}» — не время; ожидается ГГГГ-ММ-ДД ЧЧ:ММ или ДД.ММ.ГГГГ ЧЧ:ММ",
         EXIT_INPUT)


def _status(value: str | None, option: str) -> str | None:
    """A status code, also given by its Russian title («на проверке»)."""
    from zhkh.modules.complaints.workflow import STATUS_TITLES

    if value is None:
        return None
    wanted = value.strip().lower()
    for code, title in STATUS_TITLES.items():
        if wanted in (code, title):
            return code
    fail(f"{option}: «{value}» — нет такого состояния; возможны: {STATUS_HELP}", EXIT_INPUT)


@complaints_app.command("list")
def list_complaints(
    status: Annotated[str | None, typer.Option(help=f"Состояние: {STATUS_HELP}")] = None,
    house: Annotated[int | None, typer.Option(help="Дом (id)")] = None,
    overdue: Annotated[bool, typer.Option(
        "--overdue", help="Только просроченные (срок текущего шага прошёл)")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Сколько показать")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Сколько пропустить")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv или json")
                   ] = Format.table,
    database: DatabaseOption = None,
) -> None:
    """Обращения, самые срочные первыми (по сроку текущего шага; закрытые — в конце)."""
    from zhkh.api.web.format import moment
    from zhkh.modules.complaints import desk
    from zhkh.modules.complaints.repository import ComplaintDeskRepository
    from zhkh.modules.complaints.workflow import KIND_TITLES

    if fmt is Format.xlsx:
        fail("список обращений печатается в виде table, csv или json", EXIT_INPUT)
    wanted = _status(status, "--status")
    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        at = desk.now()
        found, total = ComplaintDeskRepository(session).find(
            status=wanted, house_id=house, overdue_at=at if overdue else None, limit=limit,
            offset=offset)
        shown = desk.views(session, found, at=at)
    rows = [(c.id, c.status_title, (moment(c.due_at) + (" просрочено" if c.overdue else ""))
             if c.due_at else "—", c.account or "—", c.house_id, c.service,
             KIND_TITLES.get(c.kind, c.kind), f"{c.started_at:%d.%m.%Y %H:%M}", c.text)
            for c in shown]
    title = f"Обращения: {len(rows)} из {total}" if total > len(rows) + offset or offset \
        else f"Обращения: {total}"
    emit(Listing(title, COLUMNS, rows, [c.model_dump(mode="json") for c in shown]), fmt, None)


def _service_title(application: Any, code: str) -> str:
    """«Отопление (heating)» by the published rules' catalogue; the code alone when the rules
    do not name it or cannot be read (a show must not fail on the rules)."""
    from zhkh.kernel.rulebook import RulebookError

    try:
        catalogue = getattr(application.rulebook, "services", None) or {}
    except RulebookError:
        return code
    return f"{catalogue[code].title} ({code})" if code in catalogue else code


@complaints_app.command("show")
def show(complaint_id: Annotated[int, typer.Argument(help="Номер обращения")],
         database: DatabaseOption = None) -> None:
    """Обращение с историей переходов и следующими возможными шагами."""
    from zhkh.api.web.format import moment
    from zhkh.modules.complaints import desk, workflow
    from zhkh.modules.errors import DomainError
    from zhkh.modules.registry.models import House, Premises

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            complaint = desk.get_complaint(session, complaint_id)
        except DomainError as exc:
            refuse(exc)
        c = desk.view(session, complaint, history=True)
        house = session.get(House, c.house_id)
        premises = session.get(Premises, c.premises_id) if c.premises_id else None
        address = (house.address if house else f"дом {c.house_id}") + (
            f", помещение {premises.number}" if premises else "")
        service = _service_title(application, c.service)
    due = "—" if c.due_at is None else moment(c.due_at) + (" (просрочено)" if c.overdue
                                                           else "")
    lines = [
        f"Обращение №{c.id} — {c.status_title}",
        f"Канал: {workflow.CHANNEL_TITLES.get(c.channel, c.channel)}",
        f"Кто обратился: {c.caller_name or '—'}" + (f", {c.caller_phone}"
                                                   if c.caller_phone else ""),
        f"Лицевой счёт: {c.account or '—'}",
        f"Адрес: {address}",
        f"Услуга: {service}",
        f"Нарушение: {workflow.KIND_TITLES.get(c.kind, c.kind)}",
        f"Началось: {c.started_at:%d.%m.%Y %H:%M}",
        f"Суть: {c.text}",
        f"Поступило: {moment(c.created_at)} ({c.created_by})",
        f"Срок шага: {due}",
    ]
    if c.incident_id is not None:
        lines.append(f"Инцидент: №{c.incident_id}")
    lines.append("История:")
    for e in c.history or []:
        step = (f"{workflow.STATUS_TITLES.get(e.from_status, e.from_status)} → "
                if e.from_status else "")
        lines.append(f"  {moment(e.at)}  {step}{workflow.STATUS_TITLES[e.to_status]}  "
                     f"({e.actor})" + (f": {e.comment}" if e.comment else ""))
    steps = workflow.NEXT[c.status]
    lines.append("Следующий шаг: " + (", ".join(f"{s} ({workflow.STATUS_TITLES[s]})"
                                                for s in steps) if steps else "нет (закрыто)"))
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@complaints_app.command("new")
def new(
    service: Annotated[str, typer.Option(help="Услуга (код: hot_water, heating, …)")],
    kind: Annotated[str, typer.Option(help=f"Вид нарушения: {KIND_HELP}")],
    started: Annotated[str, typer.Option(
        help="Когда началось, местное время: ГГГГ-ММ-ДД ЧЧ:ММ или ДД.ММ.ГГГГ ЧЧ:ММ")],
    text: Annotated[str, typer.Option(help="Суть обращения (словами обратившегося)")],
    channel: Annotated[str, typer.Option(
        help="Канал: phone — телефон, portal — портал, visit — личный приём")] = "phone",
    account: Annotated[str | None, typer.Option(help="Лицевой счёт, если назван")] = None,
    house: Annotated[int | None, typer.Option(
        help="Дом (id); не нужен при лицевом счёте или помещении")] = None,
    premises: Annotated[int | None, typer.Option(help="Помещение (id)")] = None,
    caller: Annotated[str | None, typer.Option(help="Кто обратился (как представился)")
                      ] = None,
    phone: Annotated[str | None, typer.Option(help="Телефон обратившегося")] = None,
    reason: ReasonOption = None, database: DatabaseOption = None,
    actor_name: ActorOption = None,
) -> None:
    """Зарегистрировать обращение (состояние «новое», срок — по регламенту)."""
    from pydantic import ValidationError

    from zhkh.modules.complaints import desk
    from zhkh.modules.complaints.schemas import ComplaintCreate
    from zhkh.modules.errors import DomainError

    values: dict[str, Any] = {
        "channel": channel, "caller_name": caller, "caller_phone": phone, "account": account,
        "house_id": house, "premises_id": premises, "service": service, "kind": kind,
        "started_at": local_time(started, "--started"), "text": text, "reason": reason}
    with bootstrap(database_url=database) as application:
        try:
            data = ComplaintCreate.model_validate(
                {k: v for k, v in values.items() if v is not None})
            with application.database.session() as session:
                complaint = desk.register(session, application.seams, actor(actor_name), data)
                number, due = complaint.id, complaint.due_at
        except (DomainError, ValidationError) as exc:
            refuse(exc)
    from zhkh.api.web.format import moment

    console.print(f"Зарегистрировано обращение №{number} (новое)"
                  + (f", срок шага — {moment(due)}" if due else ""), markup=False)


@complaints_app.command("move")
def move(
    complaint_id: Annotated[int, typer.Argument(help="Номер обращения")],
    to: Annotated[str, typer.Option("--to", help=f"Новое состояние: {STATUS_HELP}")],
    comment: Annotated[str | None, typer.Option(
        help="Комментарий; для отклонения — причина (обязательно)")] = None,
    ended: Annotated[str | None, typer.Option(
        help="Для подтверждения: когда нарушение закончилось (местное время)")] = None,
    magnitude: Annotated[str | None, typer.Option(
        help="Для подтверждения температуры (°C ниже нормы) или давления (% вне диапазона)")
    ] = None,
    database: DatabaseOption = None, actor_name: ActorOption = None,
) -> None:
    """Перевести обращение на следующий шаг (подтверждение вносит инцидент и пересчёт).

    Шаги: new → accepted → inspection → confirmed | rejected → closed."""
    from pydantic import ValidationError

    from zhkh.modules.complaints import desk
    from zhkh.modules.complaints.schemas import TransitionIn
    from zhkh.modules.complaints.workflow import STATUS_TITLES
    from zhkh.modules.errors import DomainError

    values: dict[str, Any] = {"to": _status(to, "--to"), "comment": comment,
                              "ended_at": local_time(ended, "--ended"),
                              "magnitude": magnitude}
    with bootstrap(database_url=database) as application:
        try:
            data = TransitionIn.model_validate(
                {k: v for k, v in values.items() if v is not None})
            with application.database.session() as session:
                done = desk.transition(session, application.seams, actor(actor_name),
                                       complaint_id, data)
                status, incident = done.complaint.status, done.complaint.incident_id
                recalculated = done.recalculated
        except (DomainError, ValidationError) as exc:
            refuse(exc)
    console.print(f"Обращение №{complaint_id}: {STATUS_TITLES[status]}", markup=False)
    if incident is not None and status == "confirmed":
        console.print(f"Внесён инцидент №{incident}", markup=False)
    if recalculated is not None:
        console.print(f"Пересчитано лицевых счетов: {recalculated.accounts} "
                      f"(с {recalculated.period})", markup=False)
        for error in recalculated.errors:
            why = (error.error or {}).get("message", "отказ")
            console.print(f"  не пересчитан {error.account}: {why}; поставлен в очередь",
                          markup=False)
