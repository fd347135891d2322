"""``zhkh providers``, ``zhkh companies``, ``zhkh contracts``: who is paid, through the same
services as the API (``modules/finance/contracts.py``, audited, the actor is the OS user or
``--actor``). Simple parties take options; a contract (scope and terms) is a JSON file shaped
like the body of ``POST /v1/contracts``. Errors name the field in Russian.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.output import Column, Format, Listing, emit
from zhkh.adapters.cli.shared import (
    ActorOption,
    DatabaseOption,
    ReasonOption,
    actor,
    console,
    parse_day,
    read_json,
    refuse,
)

ALL = 1_000_000
"""A listing's page size: the CLI prints every row."""

providers_app = typer.Typer(help="Поставщики услуг (РСО)", no_args_is_help=True)
companies_app = typer.Typer(help="Управляющие организации", no_args_is_help=True)
contracts_app = typer.Typer(help="Договоры с поставщиками", no_args_is_help=True)

Text = Annotated[str | None, typer.Option()]
FormatOption = Annotated[Format, typer.Option("--format", help="table, csv или json")]
IdArgument = Annotated[int, typer.Argument(help="Номер (id)")]


def register(app: typer.Typer) -> None:
    """Add ``providers``, ``companies`` and ``contracts`` to the application."""
    app.add_typer(providers_app, name="providers")
    app.add_typer(companies_app, name="companies")
    app.add_typer(contracts_app, name="contracts")


def change(database: str | None, call: Callable[[Any], Any]) -> Any:
    """Run ``call(session)`` in one unit of work; a refusal stops with its message."""
    from pydantic import ValidationError

    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application:
        try:
            with application.database.session() as session:
                return call(session)
        except (DomainError, ValidationError) as exc:
            refuse(exc)


def read(database: str | None, call: Callable[[Any], Any]) -> Any:
    """Run ``call(session)`` in a read-only unit; a refusal stops with its message."""
    from zhkh.modules.errors import DomainError

    with bootstrap(database_url=database) as application, \
            application.database.reader() as session:
        try:
            return call(session)
        except DomainError as exc:
            refuse(exc)


def given(**values: Any) -> dict[str, Any]:
    """The options that were given (None means «not given»)."""
    return {k: v for k, v in values.items() if v is not None}


# providers

PROVIDER_COLUMNS = (Column("id", "int"), Column("Код", "code"), Column("Наименование"),
                    Column("ИНН", "code"),
                    Column("КПП", wide=True), Column("Адрес", wide=True),
                    Column("Телефон", wide=True), Column("Эл. почта", wide=True),
                    Column("Прекращён"))


def _provider_row(p: Any) -> tuple[Any, ...]:
    return (p.id, p.code, p.name, p.inn, p.kpp, p.address, p.phone, p.email, p.closed_on)


@providers_app.command("add")
def provider_add(code: Annotated[str, typer.Option(help="Код (латиница, как в правилах)")],
                 name: Annotated[str, typer.Option(help="Наименование")],
                 inn: Annotated[str, typer.Option(help="ИНН")],
                 kpp: Text = None, address: Text = None, phone: Text = None,
                 email: Text = None, reason: ReasonOption = None,
                 database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Добавить поставщика (ИНН и КПП проверяются по контрольным цифрам)."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import ProviderIn, ProviderOut

    found = change(database, lambda s: ProviderOut.of(contracts.create_provider(
        s, actor(actor_name), ProviderIn(**given(code=code, name=name, inn=inn, kpp=kpp,
                                                 address=address, phone=phone, email=email,
                                                 reason=reason)))))
    console.print(f"Поставщик № {found.id} «{found.name}» ({found.code}) добавлен")


@providers_app.command("list")
def provider_list(fmt: FormatOption = Format.table, database: DatabaseOption = None) -> None:
    """Поставщики."""
    from zhkh.modules.finance import contracts

    found = sorted(read(database, lambda s: contracts.list_providers(s, limit=ALL).items),
                   key=lambda p: p.code)
    emit(Listing(f"Поставщики: {len(found)}", PROVIDER_COLUMNS,
                 [_provider_row(p) for p in found], found), fmt, None)


@providers_app.command("show")
def provider_show(provider_id: IdArgument, fmt: FormatOption = Format.table,
                  database: DatabaseOption = None) -> None:
    """Поставщик и его договоры."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import ProviderOut

    found, deals = read(database, lambda s: (
        ProviderOut.of(contracts.get_provider(s, provider_id)),
        contracts.list_contracts(s, provider_id=provider_id, limit=ALL).items))
    if fmt is not Format.table:
        emit(Listing("", (), [], {**found.model_dump(mode="json"), "contracts": [
            c.model_dump(mode="json") for c in deals]}), Format.json, None)
        return
    for column, value in zip(PROVIDER_COLUMNS, _provider_row(found), strict=True):
        console.print(f"{column.title}: {value if value is not None else '—'}")
    _print_contracts(deals)


@providers_app.command("update")
def provider_update(provider_id: IdArgument, name: Text = None, inn: Text = None,
                    kpp: Text = None, address: Text = None, phone: Text = None,
                    email: Text = None,
                    closed_on: Annotated[str | None, typer.Option(
                        "--closed-on", help="Дата прекращения")] = None,
                    reason: ReasonOption = None, database: DatabaseOption = None,
                    actor_name: ActorOption = None) -> None:
    """Изменить реквизиты поставщика или прекратить его (--closed-on)."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import ProviderOut, ProviderPatch

    patch = given(name=name, inn=inn, kpp=kpp, address=address, phone=phone, email=email,
                  closed_on=parse_day(closed_on, "--closed-on"), reason=reason)
    found = change(database, lambda s: ProviderOut.of(contracts.update_provider(
        s, actor(actor_name), provider_id, ProviderPatch(**patch))))
    console.print(f"Поставщик № {found.id} «{found.name}» изменён")


# management companies

COMPANY_COLUMNS = (Column("id", "int"), Column("Наименование"), Column("ИНН", "code"),
                   Column("КПП", wide=True), Column("ОГРН", wide=True),
                   Column("Адрес", wide=True), Column("Телефон", wide=True),
                   Column("Эл. почта", wide=True), Column("Сайт", wide=True),
                   Column("Прекращена"))


@companies_app.command("add")
def company_add(name: Annotated[str, typer.Option(help="Наименование")],
                inn: Annotated[str, typer.Option(help="ИНН")], kpp: Text = None,
                ogrn: Text = None, address: Text = None, phone: Text = None,
                email: Text = None, website: Text = None, reason: ReasonOption = None,
                database: DatabaseOption = None, actor_name: ActorOption = None) -> None:
    """Добавить управляющую организацию."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import CompanyIn, CompanyOut

    found = change(database, lambda s: CompanyOut.of(contracts.create_company(
        s, actor(actor_name), CompanyIn(**given(
            name=name, inn=inn, kpp=kpp, ogrn=ogrn, address=address, phone=phone,
            email=email, website=website, reason=reason)))))
    console.print(f"Управляющая организация № {found.id} «{found.name}» добавлена")


@companies_app.command("list")
def company_list(fmt: FormatOption = Format.table, database: DatabaseOption = None) -> None:
    """Управляющие организации."""
    from zhkh.modules.finance import contracts

    found = sorted(read(database, lambda s: contracts.list_companies(s, limit=ALL).items),
                   key=lambda c: (c.name, c.id))
    rows = [(c.id, c.name, c.inn, c.kpp, c.ogrn, c.address, c.phone, c.email, c.website,
             c.closed_on) for c in found]
    emit(Listing(f"Управляющие организации: {len(found)}", COMPANY_COLUMNS, rows, found),
         fmt, None)


@companies_app.command("update")
def company_update(company_id: IdArgument, name: Text = None, inn: Text = None,
                   kpp: Text = None, ogrn: Text = None, address: Text = None,
                   phone: Text = None, email: Text = None, website: Text = None,
                   closed_on: Annotated[str | None, typer.Option(
                       "--closed-on", help="Дата прекращения")] = None,
                   reason: ReasonOption = None, database: DatabaseOption = None,
                   actor_name: ActorOption = None) -> None:
    """Изменить управляющую организацию или прекратить её (--closed-on)."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import CompanyOut, CompanyPatch

    patch = given(name=name, inn=inn, kpp=kpp, ogrn=ogrn, address=address, phone=phone,
                  email=email, website=website, reason=reason,
                  closed_on=parse_day(closed_on, "--closed-on"))
    found = change(database, lambda s: CompanyOut.of(contracts.update_company(
        s, actor(actor_name), company_id, CompanyPatch(**patch))))
    console.print(f"Управляющая организация № {found.id} «{found.name}» изменена")


# contracts

@contracts_app.command("add")
def contract_add(file: Annotated[Path, typer.Argument(
                     help="JSON договора: provider_id, number, date_from, scope, terms …")],
                 reason: ReasonOption = None, database: DatabaseOption = None,
                 actor_name: ActorOption = None) -> None:
    """Заключить договор: услуги домов (scope) и первые условия (terms) из JSON-файла."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import ContractIn

    data = read_json(file)

    def create(session: Any) -> Any:
        body = ContractIn.model_validate(data)
        return contracts.contract_out(session, contracts.create_contract(
            session, actor(actor_name, reason), body))

    found = change(database, create)
    console.print(f"Договор № {found.number} (id {found.id}) с поставщиком "
                  f"{found.provider_id} с {found.date_from} заключён")


@contracts_app.command("list")
def contract_list(provider: Annotated[int | None, typer.Option(
                      "--provider", help="Поставщик (id)")] = None,
                  on: Annotated[str | None, typer.Option("--on", help="Действующие на дату")]
                  = None, fmt: FormatOption = Format.table,
                  database: DatabaseOption = None) -> None:
    """Договоры (поставщика, действующие на дату)."""
    from zhkh.modules.finance import contracts

    day = parse_day(on, "--on")
    found = read(database, lambda s: contracts.list_contracts(
        s, provider_id=provider, active_on=day, limit=ALL).items)
    if fmt is Format.table:
        _print_contracts(found)
        return
    emit(Listing("Договоры", CONTRACT_COLUMNS, [_contract_row(c) for c in found], found),
         fmt, None)


CONTRACT_COLUMNS = (Column("id", "int"), Column("Поставщик", "int"), Column("УО", "int"),
                    Column("Номер"), Column("С", "code"), Column("По", "code"),
                    Column("Услуг", "int"),
                    Column("Р/с", wide=True), Column("Вознаграждение", wide=True))


def _contract_row(c: Any) -> tuple[Any, ...]:
    last = c.terms[-1] if c.terms else None
    fee = (f"{last.fee} %" if last.fee_kind == "percent" else f"{last.fee} руб.") if last \
        else None
    return (c.id, c.provider_id, c.management_company_id, c.number, c.date_from,
            c.date_to or "", len(c.scope), last.settlement_account if last else None, fee)


def _print_contracts(found: list[Any]) -> None:
    emit(Listing(f"Договоры: {len(found)}", CONTRACT_COLUMNS,
                 [_contract_row(c) for c in found], found), Format.table, None)


@contracts_app.command("show")
def contract_show(contract_id: IdArgument, fmt: FormatOption = Format.table,
                  database: DatabaseOption = None) -> None:
    """Договор: услуги домов и все условия по датам."""
    from zhkh.modules.finance import contracts

    c = read(database, lambda s: contracts.contract_out(s, contracts.get_contract(
        s, contract_id)))
    if fmt is not Format.table:
        emit(Listing("", (), [], c), Format.json, None)
        return
    console.print(f"[b]Договор № {c.number}[/b] (id {c.id}): поставщик {c.provider_id}, УО "
                  f"{c.management_company_id or '—'}, с {c.date_from} по {c.date_to or '—'}, "
                  f"подписан {c.signed_on or '—'}")
    emit(Listing("Услуги по договору", (Column("Дом", "int"), Column("Услуга")),
                 [(s.house_id if s.house_id is not None else "все дома УО", s.service)
                  for s in c.scope], c), Format.table, None)
    for t in c.terms:
        fee = f"{t.fee} %" if t.fee_kind == "percent" else f"{t.fee} руб. за платёж"
        days = f" ({', '.join(map(str, t.transfer_days or []))} числа)" \
            if t.transfer_rule == "days" else ""
        console.print(f"С {t.date_from}: {t.bank_name}, БИК {t.bik}, р/с "
                      f"{t.settlement_account}, к/с {t.corr_account}; вознаграждение {fee}; "
                      f"перечисление {'ежедневно' if t.transfer_rule == 'daily' else 'по дням'}"
                      f"{days}")


@contracts_app.command("end")
def contract_end(contract_id: IdArgument,
                 on: Annotated[str, typer.Option("--on", help="Последний день договора")],
                 reason: ReasonOption = None, database: DatabaseOption = None,
                 actor_name: ActorOption = None) -> None:
    """Прекратить договор с даты (последний день действия)."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import ContractPatch

    day = parse_day(on, "--on")
    found = change(database, lambda s: contracts.update_contract(
        s, actor(actor_name), contract_id, ContractPatch(date_to=day, reason=reason)))
    console.print(f"Договор № {found.number} (id {found.id}) действует по {found.date_to}")


@contracts_app.command("terms")
def contract_terms(contract_id: IdArgument,
                   file: Annotated[Path, typer.Argument(
                       help="JSON условий: date_from, bank_name, bik, settlement_account, …")],
                   reason: ReasonOption = None, database: DatabaseOption = None,
                   actor_name: ActorOption = None) -> None:
    """Новые условия договора с даты (реквизиты, вознаграждение, правило перечисления)."""
    from zhkh.modules.finance import contracts
    from zhkh.modules.finance.schemas import TermsIn, TermsOut

    data = read_json(file)
    found = change(database, lambda s: TermsOut.of(contracts.add_terms(
        s, actor(actor_name, reason), contract_id, TermsIn.model_validate(data))))
    console.print(f"Условия договора {contract_id} с {found.date_from} записаны")
