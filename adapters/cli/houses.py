"""``zhkh houses``: a house's dated decisions on common property (СОИ), through the same
service as ``POST/GET /v1/houses/{id}/common-decisions`` (audited; the house's accounts are
queued for recalculation from the decision's month)."""

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
    refuse,
)

houses_app = typer.Typer(help="Дома: решения общего собрания о СОИ", no_args_is_help=True)
HouseArgument = Annotated[int, typer.Argument(help="Номер дома (id)")]
COLUMNS = (Column("id", "int"), Column("Действует с"), Column("Сверх норматива"),
           Column("Протокол"))


def register(app: typer.Typer) -> None:
    """Add ``houses`` to the application."""
    app.add_typer(houses_app, name="houses")


@houses_app.command("decision-add")
def decision_add(house: HouseArgument,
                 date_from: Annotated[str, typer.Option("--from", help="С какой даты "
                                                        "(ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)")],
                 document: Annotated[str, typer.Option(help="Протокол собрания")],
                 lifted: Annotated[bool, typer.Option(
                     "--lifted/--capped", help="Распределять весь объём на СОИ (--lifted) "
                                               "или вернуть ограничение нормативом")] = True,
                 reason: ReasonOption = None, database: DatabaseOption = None,
                 actor_name: ActorOption = None) -> None:
    """Записать решение общего собрания об объёме коммунальных ресурсов на СОИ."""
    from zhkh.modules.registry import service as registry
    from zhkh.modules.registry.schemas import CommonDecisionCreate, CommonDecisionOut

    day = parse_day(date_from, "--from")
    found = change(database, lambda session, seams: CommonDecisionOut.of(
        registry.add_common_decision(session, seams, actor(actor_name), house,
                                     CommonDecisionCreate(date_from=day, cap_lifted=lifted,
                                                          document=document, reason=reason))))
    what = "весь объём на СОИ" if found.cap_lifted else "с ограничением нормативом"
    console.print(f"Решение № {found.id} дома {house} с {found.date_from:%d.%m.%Y}: {what}; "
                  "лицевые счета дома поставлены в очередь перерасчёта")


@houses_app.command("decisions")
def decisions(house: HouseArgument, fmt: Annotated[Format, typer.Option(
        "--format", help="table, csv или json")] = Format.table,
              database: DatabaseOption = None) -> None:
    """Решения общего собрания дома о СОИ."""
    from zhkh.modules.errors import DomainError
    from zhkh.modules.registry import service as registry
    from zhkh.modules.registry.schemas import CommonDecisionOut

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            found = [CommonDecisionOut.of(d) for d in registry.common_decisions(session, house)]
        except DomainError as exc:
            refuse(exc)
    rows: list[tuple[Any, ...]] = [(d.id, d.date_from, "да" if d.cap_lifted else "нет",
                                    d.document) for d in found]
    emit(Listing(f"Решения дома {house}: {len(found)}", COLUMNS, rows,
                 [d.model_dump(mode="json") for d in found]), fmt, None)
