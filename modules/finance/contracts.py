"""Who is paid: management companies, providers (РСО) and contracts with their dated terms.

Requisites are checked with their check digits (``requisites``), errors name the field. Nothing
is deleted: a company, a provider or a contract is ended by a date. A contract's money terms
(bank details, agent fee, transfer rule) are dated rows: a change from a day is a new row, and
the terms of a day are those of the latest row on or before it. Every change is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Conflict, Invalid
from zhkh.modules.finance import requisites
from zhkh.modules.finance.models import Contract, ContractScope, ContractTerms
from zhkh.modules.finance.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    ContractIn,
    ContractOut,
    ContractPatch,
    ProviderIn,
    ProviderOut,
    ProviderPatch,
    TermsIn,
)
from zhkh.modules.paging import Page, page
from zhkh.modules.registry.models import House, ManagementCompany, Provider

COMPANY_FIELDS = ("name", "inn", "kpp", "ogrn", "address", "phone", "email", "website",
                  "closed_on")
PROVIDER_FIELDS = ("code", "name", "inn", "kpp", "address", "phone", "email", "closed_on")
CONTRACT_FIELDS = ("provider_id", "management_company_id", "number", "signed_on", "date_from",
                   "date_to")
TERMS_FIELDS = ("contract_id", "date_from", "bank_name", "bik", "settlement_account",
                "corr_account", "fee_kind", "fee_value", "transfer_rule", "transfer_days")


def _checked_party(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("inn") is not None:
        data["inn"] = requisites.validate_inn(data["inn"], kind="legal")
    if data.get("kpp") is not None:
        data["kpp"] = requisites.validate_kpp(data["kpp"])
    return data


def _apply(session: Session, actor: Actor, obj: Any, changes: dict[str, Any], fields: tuple,
           action: str, kind: str) -> None:
    before = audit.snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    session.flush()
    audit.record(session, actor, action=action, object_type=kind, object_id=obj.id,
                 before=before, after=audit.snapshot(obj, fields))


# management companies

def get_company(session: Session, company_id: int) -> ManagementCompany:
    """The company or ``NotFound`` (``company_not_found``)."""
    return get_or_not_found(session, ManagementCompany, company_id, code="company_not_found",
                            message=f"управляющая организация {company_id} не найдена",
                            obj=f"management_company:{company_id}")


def create_company(session: Session, actor: Actor, data: CompanyIn) -> ManagementCompany:
    """A new management company; its ИНН must be valid and not taken (``Conflict``)."""
    fields = _checked_party(data.model_dump(exclude={"reason"}))
    _inn_free(session, ManagementCompany, fields["inn"], None)
    company = ManagementCompany(**fields)
    session.add(company)
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="company.create",
                 object_type="management_company", object_id=company.id,
                 after=audit.snapshot(company, COMPANY_FIELDS))
    return company


def update_company(session: Session, actor: Actor, company_id: int,
                   data: CompanyPatch) -> ManagementCompany:
    """Change a company's details or end it (``closed_on``)."""
    company = get_company(session, company_id)
    changes = _checked_party(data.model_dump(exclude_unset=True, exclude={"reason"}))
    if "inn" in changes:
        _inn_free(session, ManagementCompany, changes["inn"], company_id)
    _apply(session, actor.with_reason(data.reason), company, changes, COMPANY_FIELDS,
           "company.update", "management_company")
    return company


def _inn_free(session: Session, model: Any, inn: str, own_id: int | None) -> None:
    taken = session.scalar(select(model.id).where(model.inn == inn))
    if taken is not None and taken != own_id:
        raise Conflict("inn_taken", f"ИНН {inn} уже принадлежит записи {taken}", field="inn")


# providers

def get_provider(session: Session, provider_id: int) -> Provider:
    """The provider or ``NotFound`` (``provider_not_found``)."""
    return get_or_not_found(session, Provider, provider_id, code="provider_not_found",
                            message=f"поставщик {provider_id} не найден",
                            obj=f"provider:{provider_id}")


def create_provider(session: Session, actor: Actor, data: ProviderIn) -> Provider:
    """A new provider; its code must be free (``Conflict``) and its ИНН valid."""
    fields = _checked_party(data.model_dump(exclude={"reason"}))
    if session.scalar(select(Provider.id).where(Provider.code == fields["code"])) is not None:
        raise Conflict("provider_code_taken", f"код поставщика {fields['code']} уже занят",
                       field="code")
    provider = Provider(**fields)
    session.add(provider)
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="provider.create",
                 object_type="provider", object_id=provider.id,
                 after=audit.snapshot(provider, PROVIDER_FIELDS))
    return provider


def update_provider(session: Session, actor: Actor, provider_id: int,
                    data: ProviderPatch) -> Provider:
    """Change a provider's details or end it (``closed_on``); its code stays."""
    provider = get_provider(session, provider_id)
    changes = _checked_party(data.model_dump(exclude_unset=True, exclude={"reason"}))
    _apply(session, actor.with_reason(data.reason), provider, changes, PROVIDER_FIELDS,
           "provider.update", "provider")
    return provider


# contracts

def get_contract(session: Session, contract_id: int) -> Contract:
    """The contract or ``NotFound`` (``contract_not_found``)."""
    return get_or_not_found(session, Contract, contract_id, code="contract_not_found",
                            message=f"договор {contract_id} не найден",
                            obj=f"contract:{contract_id}")


def create_contract(session: Session, actor: Actor, data: ContractIn) -> Contract:
    """A contract with its scope (services of houses) and first terms from ``date_from``."""
    get_provider(session, data.provider_id)
    if data.management_company_id is not None:
        get_company(session, data.management_company_id)
    if data.date_to is not None and data.date_to < data.date_from:
        raise Invalid("dates_out_of_order", "дата окончания раньше даты начала",
                      field="date_to")
    taken = session.scalar(select(Contract.id).where(Contract.provider_id == data.provider_id,
                                                     Contract.number == data.number))
    if taken is not None:
        raise Conflict("contract_number_taken",
                       f"у поставщика уже есть договор № {data.number}", field="number")
    contract = Contract(provider_id=data.provider_id, number=data.number,
                        management_company_id=data.management_company_id,
                        signed_on=data.signed_on, date_from=data.date_from,
                        date_to=data.date_to)
    session.add(contract)
    session.flush()
    for i, item in enumerate(data.scope):
        if item.house_id is not None and session.get(House, item.house_id) is None:
            raise Invalid("house_not_found", f"дом {item.house_id} не найден",
                          field=f"scope.{i}.house_id")
        session.add(ContractScope(contract_id=contract.id, house_id=item.house_id,
                                  service=item.service))
    actor = actor.with_reason(data.reason)
    audit.record(session, actor, action="contract.create", object_type="contract",
                 object_id=contract.id, after={
                     **audit.snapshot(contract, CONTRACT_FIELDS),
                     "scope": [s.model_dump() for s in data.scope]})
    add_terms(session, actor, contract.id, data.terms.model_copy(
        update={"date_from": data.terms.date_from or data.date_from}))
    return contract


def update_contract(session: Session, actor: Actor, contract_id: int,
                    data: ContractPatch) -> Contract:
    """Change the number, the signing date or end the contract (``date_to``)."""
    contract = get_contract(session, contract_id)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    end = changes.get("date_to", contract.date_to)
    if end is not None and end < contract.date_from:
        raise Invalid("dates_out_of_order", "дата окончания раньше даты начала",
                      field="date_to")
    _apply(session, actor.with_reason(data.reason), contract, changes, CONTRACT_FIELDS,
           "contract.update", "contract")
    return contract


def add_terms(session: Session, actor: Actor, contract_id: int, data: TermsIn) -> ContractTerms:
    """New money terms of a contract from ``data.date_from`` (a second row for the same day
    is a ``Conflict``: terms are never edited)."""
    contract = get_contract(session, contract_id)
    day = data.date_from or contract.date_from
    if day < contract.date_from:
        raise Invalid("terms_before_contract", "условия не могут действовать раньше договора",
                      field="date_from")
    bik = requisites.validate_bik(data.bik, field="bik")
    terms = ContractTerms(
        contract_id=contract_id, date_from=day, bank_name=data.bank_name, bik=bik,
        settlement_account=requisites.validate_settlement_account(
            data.settlement_account, bik, field="settlement_account"),
        corr_account=requisites.validate_correspondent_account(
            data.corr_account, bik, field="corr_account"),
        fee_kind=data.fee_kind, fee_value=data.fee_units(), transfer_rule=data.transfer_rule,
        transfer_days=list(data.transfer_days) if data.transfer_days else None)
    if session.scalar(select(ContractTerms.id).where(ContractTerms.contract_id == contract_id,
                                                     ContractTerms.date_from == day)):
        raise Conflict("terms_exist", f"условия договора с {day:%d.%m.%Y} уже заданы",
                       field="date_from")
    session.add(terms)
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="contract.terms",
                 object_type="contract", object_id=contract_id,
                 after=audit.snapshot(terms, TERMS_FIELDS))
    return terms


def terms_on(session: Session, contract_id: int, day: date) -> ContractTerms | None:
    """The terms of a contract in force on ``day`` (None before its first terms)."""
    return session.scalar(select(ContractTerms).where(
        ContractTerms.contract_id == contract_id, ContractTerms.date_from <= day)
        .order_by(ContractTerms.date_from.desc()).limit(1))


def contract_for(session: Session, house_id: int, service: str, day: date) -> Contract | None:
    """The contract in force on ``day`` paying for ``service`` of ``house_id`` (a scope row of
    the house itself, or of every house of the contract's management company). Two contracts
    in force for the same service of a house are a ``Conflict`` naming both."""
    house = session.get(House, house_id)
    company = house.management_company_id if house is not None else None
    stmt = (select(Contract).join(ContractScope, ContractScope.contract_id == Contract.id)
            .where(ContractScope.service == service, Contract.date_from <= day,
                   or_(Contract.date_to.is_(None), Contract.date_to >= day),
                   or_(ContractScope.house_id == house_id,
                       and_(ContractScope.house_id.is_(None),
                            Contract.management_company_id == company))))
    found = list(session.scalars(stmt).unique())
    if len(found) > 1:
        numbers = ", ".join(f"№ {c.number} (id {c.id})" for c in found)
        raise Conflict("contracts_overlap", f"услугу {service} дома {house_id} на "
                       f"{day:%d.%m.%Y} оплачивают несколько договоров: {numbers}")
    return found[0] if found else None


# lists and read models (the API and the CLI)

def _active_on(model: Any, day: date) -> Any:
    return or_(model.closed_on.is_(None), model.closed_on >= day)


def _name_contains(column: Any, text: str) -> Any:
    # SQLite's lower() folds ASCII only; PostgreSQL folds Cyrillic too
    return or_(column.contains(text, autoescape=True),
               func.lower(column).contains(text.lower(), autoescape=True))


def list_companies(session: Session, *, name: str | None = None, inn: str | None = None,
                   active_on: date | None = None, limit: int = 50, offset: int = 0
                   ) -> Page[CompanyOut]:
    """Management companies whose name contains ``name``, with ``inn``, working on
    ``active_on``; by id."""
    stmt = select(ManagementCompany)
    if name:
        stmt = stmt.where(_name_contains(ManagementCompany.name, name))
    if inn:
        stmt = stmt.where(ManagementCompany.inn == inn)
    if active_on is not None:
        stmt = stmt.where(_active_on(ManagementCompany, active_on))
    items, total = page(session, stmt, limit=limit, offset=offset, order_by=ManagementCompany.id)
    return Page[CompanyOut](items=[CompanyOut.of(c) for c in items], total=total, limit=limit,
                            offset=offset)


def list_providers(session: Session, *, name: str | None = None, code: str | None = None,
                   inn: str | None = None, active_on: date | None = None, limit: int = 50,
                   offset: int = 0) -> Page[ProviderOut]:
    """Providers whose name contains ``name``, of ``code`` or ``inn``, supplying on
    ``active_on``; by id."""
    stmt = select(Provider)
    if name:
        stmt = stmt.where(_name_contains(Provider.name, name))
    if code:
        stmt = stmt.where(Provider.code == code)
    if inn:
        stmt = stmt.where(Provider.inn == inn)
    if active_on is not None:
        stmt = stmt.where(_active_on(Provider, active_on))
    items, total = page(session, stmt, limit=limit, offset=offset, order_by=Provider.id)
    return Page[ProviderOut](items=[ProviderOut.of(p) for p in items], total=total,
                             limit=limit, offset=offset)


def list_contracts(session: Session, *, provider_id: int | None = None,
                   management_company_id: int | None = None, house_id: int | None = None,
                   service: str | None = None, active_on: date | None = None,
                   limit: int = 50, offset: int = 0) -> Page[ContractOut]:
    """Contracts of a provider or a company, covering a house (its own scope rows) or a
    service, in force on ``active_on``; by id, each with its scope and terms."""
    stmt = select(Contract)
    if provider_id is not None:
        stmt = stmt.where(Contract.provider_id == provider_id)
    if management_company_id is not None:
        stmt = stmt.where(Contract.management_company_id == management_company_id)
    if house_id is not None or service is not None:
        scoped = select(ContractScope.contract_id)
        if house_id is not None:
            scoped = scoped.where(ContractScope.house_id == house_id)
        if service is not None:
            scoped = scoped.where(ContractScope.service == service)
        stmt = stmt.where(Contract.id.in_(scoped))
    if active_on is not None:
        stmt = stmt.where(Contract.date_from <= active_on,
                          or_(Contract.date_to.is_(None), Contract.date_to >= active_on))
    items, total = page(session, stmt, limit=limit, offset=offset, order_by=Contract.id)
    return Page[ContractOut](items=contract_outs(session, items), total=total, limit=limit,
                             offset=offset)


def contract_out(session: Session, contract: Contract) -> ContractOut:
    """A contract with its scope and all its dated terms."""
    return contract_outs(session, [contract])[0]


def contract_outs(session: Session, contracts: list[Contract]) -> list[ContractOut]:
    """Read models of contracts with their scope and terms (one query for each)."""
    ids = [c.id for c in contracts]
    scope: dict[int, list[ContractScope]] = {i: [] for i in ids}
    terms: dict[int, list[ContractTerms]] = {i: [] for i in ids}
    if ids:
        for s in session.scalars(select(ContractScope).where(ContractScope.contract_id.in_(ids))
                                 .order_by(ContractScope.id)):
            scope[s.contract_id].append(s)
        for t in session.scalars(select(ContractTerms).where(
                ContractTerms.contract_id.in_(ids))):
            terms[t.contract_id].append(t)
    return [ContractOut.of(c, scope[c.id], terms[c.id]) for c in contracts]
