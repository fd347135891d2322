"""``zhkh owners``: owners of premises with their shares (собственники, доли), through the
same service as ``/v1/ownerships`` (audited; each change recalculates the premises' accounts,
since owners count where nobody is registered, ПП РФ №354, п. 56(2))."""

from __future__ import annotations

from typing import Annotated, Any

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
    parse_day,
)

ALL = 1_000_000
owners_app = typer.Typer(help="Собственники помещений и их доли", no_args_is_help=True)
FormatOption = Annotated[Format, typer.Option("--format", help="table, csv или json")]
COLUMNS = (Column("id", "int"), Column("Человек", "int"), Column("Помещение", "int"),
           Column("Доля", "code"), Column("С", "code"), Column("По", "code"))


def register(app: typer.Typer) -> None:
    """Add ``owners`` to the application."""
    app.add_typer(owners_app, name="owners")



def _recalc_note(out: Any) -> None:
    for r in out.recalculation or []:
        if r.error:
            console.print(f"Счёт {r.account}: перерасчёт не выполнен — {r.error['message']}")
        else:
            console.print(f"Счёт {r.account}: пересчитан с {r.period}")


@owners_app.command("add")
def owners_add(person: Annotated[int, typer.Option("--person", help="Человек (id)")],
               premises: Annotated[int, typer.Option("--premises", help="Помещение (id)")],
               date_from: Annotated[str, typer.Option("--from", help="С даты")],
               share: Annotated[str, typer.Option(help="Доля, например 1/2")] = "1/1",
               date_to: Annotated[str | None, typer.Option("--to", help="По дату")] = None,
               reason: ReasonOption = None, database: DatabaseOption = None,
               actor_name: ActorOption = None) -> None:
    """Добавить собственника помещения с долей."""
    from zhkh.modules.passport import owners
    from zhkh.modules.passport.schemas import OwnershipCreate, OwnershipOut

    def call(session: Any, seams: Any) -> OwnershipOut:
        data = OwnershipCreate(person_id=person, premises_id=premises, share=share,
                               date_from=parse_day(date_from, "--from"),
                               date_to=parse_day(date_to, "--to"), reason=reason)
        return OwnershipOut.of(*owners.create_ownership(session, seams, actor(actor_name),
                                                        data))

    out = change(database, call)
    console.print(f"Собственник № {out.id}: человек {out.person_id}, помещение "
                  f"{out.premises_id}, доля {out.share} с {out.date_from:%d.%m.%Y}")
    _recalc_note(out)


@owners_app.command("end")
def owners_end(ownership: Annotated[int, typer.Argument(help="Запись о собственнике (id)")],
               date_to: Annotated[str, typer.Option("--to", help="Последний день")],
               reason: ReasonOption = None, database: DatabaseOption = None,
               actor_name: ActorOption = None) -> None:
    """Прекратить право собственности (последний день включительно)."""
    from zhkh.modules.passport import owners
    from zhkh.modules.passport.schemas import OwnershipOut, OwnershipUpdate

    def call(session: Any, seams: Any) -> OwnershipOut:
        data = OwnershipUpdate(date_to=parse_day(date_to, "--to"), reason=reason)
        return OwnershipOut.of(*owners.update_ownership(session, seams, actor(actor_name),
                                                        ownership, data))

    out = change(database, call)
    console.print(f"Собственник № {out.id}: по {out.date_to:%d.%m.%Y}")
    _recalc_note(out)


@owners_app.command("list")
def owners_list(premises: Annotated[int | None, typer.Option("--premises")] = None,
                person: Annotated[int | None, typer.Option("--person")] = None,
                on: Annotated[str | None, typer.Option("--on", help="На дату")] = None,
                fmt: FormatOption = Format.table, database: DatabaseOption = None) -> None:
    """Собственники помещения или помещения человека (на дату)."""
    from zhkh.modules.passport.repository import PassportRepository
    from zhkh.modules.passport.schemas import OwnershipOut

    day = parse_day(on, "--on")
    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        items, _ = PassportRepository(session).list_ownerships(
            person_id=person, premises_id=premises, active=day, limit=ALL, offset=0)
        found = [OwnershipOut.of(o) for o in items]
    emit(Listing(f"Собственники: {len(found)}", COLUMNS,
                 [(o.id, o.person_id, o.premises_id, o.share, o.date_from.isoformat(),
                   o.date_to.isoformat() if o.date_to else "—") for o in found],
                 [o.model_dump(mode="json") for o in found]), fmt, None)
