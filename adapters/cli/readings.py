"""``zhkh readings review``: readings held by the plausibility checks (``rules/checks``) — the
queue, and the operator's decision: confirm (the reading is stored and the accounts
recalculated) or reject with a reason. The same services as ``/v1/reading-review``."""

from __future__ import annotations

from typing import Annotated

import typer

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit
from zhkh.adapters.cli.shared import (
    ActorOption,
    DatabaseOption,
    ReasonOption,
    actor,
    change,
    console,
)

ALL = 1_000_000
readings_app = typer.Typer(help="Показания приборов учёта", no_args_is_help=True)
review_app = typer.Typer(help="Показания на проверке: не прошли проверки правдоподобия",
                         no_args_is_help=True)
readings_app.add_typer(review_app, name="review")
FormatOption = Annotated[Format, typer.Option("--format", help="table, csv или json")]
IdArgument = Annotated[int, typer.Argument(help="Номер показания на проверке (id)")]
COLUMNS = (Column("id", "int"), Column("Прибор", "int"), Column("Дата", "code"),
           Column("Показание", "code"), Column("Источник", "code"), Column("Состояние", "code"),
           Column("Проверки"))
STATUS = {"pending": "на проверке", "confirmed": "подтверждено", "rejected": "отклонено"}


def register(app: typer.Typer) -> None:
    """Add ``readings`` to the application."""
    app.add_typer(readings_app, name="readings")



@review_app.command("list")
def review_list(status: Annotated[str, typer.Option(
                    help="pending (на проверке), confirmed, rejected или all")] = "pending",
                meter: Annotated[int | None, typer.Option("--meter")] = None,
                fmt: FormatOption = Format.table, database: DatabaseOption = None) -> None:
    """Показания, не прошедшие проверки, с названием каждой проверки."""
    from zhkh.modules.meters import review
    from zhkh.modules.meters.schemas import ReadingReviewOut

    if status not in (*STATUS, "all"):
        console.print(f"[red]--status: {status!r} — ожидается pending, confirmed, rejected "
                      "или all[/red]")
        raise typer.Exit(2)
    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        items, _ = review.list_reviews(session, status=None if status == "all" else status,
                                       meter_id=meter, limit=ALL, offset=0)
        found = [ReadingReviewOut.of(r) for r in items]
    emit(Listing(f"Показания на проверке: {len(found)}", COLUMNS,
                 [(r.id, r.meter_id, r.taken_on.isoformat(), r.value, r.source,
                   STATUS[r.status], "; ".join(f"{c.code}: {c.message}" for c in r.checks))
                  for r in found], [r.model_dump(mode="json") for r in found]), fmt, None)


@review_app.command("confirm")
def review_confirm(review_id: IdArgument, reason: ReasonOption = None,
                   database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Подтвердить показание: оно записывается, лицевые счета пересчитываются."""
    from zhkh.modules.meters import review
    from zhkh.modules.meters.schemas import ReadingReviewOut

    out = change(database, lambda s, seams: ReadingReviewOut.of(*review.confirm(
        s, seams, actor(actor_name, reason), review_id)))
    console.print(f"Показание {out.value} от {out.taken_on:%d.%m.%Y} подтверждено и записано "
                  f"(№ {out.reading_id})")
    for r in out.recalculation or []:
        if r.error:
            console.print(f"Счёт {r.account}: перерасчёт не выполнен — {r.error['message']}")
        else:
            console.print(f"Счёт {r.account}: пересчитан с {r.period}")


@review_app.command("reject")
def review_reject(review_id: IdArgument,
                  reason: Annotated[str, typer.Option("--reason", help="Основание")],
                  database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Отклонить показание: в расчёт оно не пойдёт."""
    from zhkh.modules.meters import review
    from zhkh.modules.meters.schemas import ReadingReviewOut

    out = change(database, lambda s, _seams: ReadingReviewOut.of(review.reject(
        s, actor(actor_name, reason), review_id)))
    console.print(f"Показание {out.value} от {out.taken_on:%d.%m.%Y} отклонено")
