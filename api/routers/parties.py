"""``/v1/management-companies``, ``/v1/providers``, ``/v1/contracts``: who is paid (finance).

Created, read, listed and changed; never deleted — a company or a provider is ended by
``closed_on``, a contract by ``date_to``. Requisites are checked with their check digits and
a refusal names the field (``modules/finance/requisites.py``). A contract's money terms are
dated: a change from a day is ``POST /v1/contracts/{id}/terms``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from sqlalchemy.orm import Session

from zhkh.api import finance_examples as examples
from zhkh.api.auth import allow
from zhkh.api.deps import ActorDep, IdPath, IdQuery, SessionDep, WindowDep
from zhkh.api.errors import Responses, body_references
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.finance import contracts
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
from zhkh.modules.paging import Page

router = APIRouter(prefix="/v1", tags=["finance"], route_class=TransactionalRoute)
READ, WRITE = allow("finance", "read"), allow("finance", "write")

NameQuery = Annotated[str | None, Query(max_length=300, description="Часть наименования")]
InnQuery = Annotated[str | None, Query(max_length=12, description="ИНН")]
ActiveOn = Annotated[Day | None, Query(description="Действующие на дату")]
_REQUISITES: Responses = {
    422: {"description": "Неверные данные или реквизиты: ИНН, КПП, БИК, счёт с "
                         "контрольной цифрой (code: inn_checksum, account_key, …; "
                         "field — поле)"}}
_TAKEN: Responses = {
    409: {"description": "ИНН, код поставщика или номер договора уже заняты, условия "
                         "с этой даты уже заданы (code: inn_taken, provider_code_taken, "
                         "contract_number_taken, terms_exist)"}}


# management companies

@router.post("/management-companies", status_code=201, dependencies=[WRITE],
             responses={**_REQUISITES, **_TAKEN}, summary="Добавить управляющую организацию")
def create_company(session: SessionDep, actor: ActorDep,
                   body: Annotated[CompanyIn, Body(openapi_examples=examples.COMPANY)]
                   ) -> CompanyOut:
    """A new management company; 409 ``inn_taken`` for an ИНН already registered."""
    return CompanyOut.of(contracts.create_company(session, actor, body))


@router.get("/management-companies", dependencies=[READ], summary="Управляющие организации")
def list_companies(session: SessionDep, window: WindowDep, name: NameQuery = None,
                   inn: InnQuery = None, active_on: ActiveOn = None) -> Page[CompanyOut]:
    """Companies by a part of the name, ИНН, working on a day."""
    return contracts.list_companies(session, name=name, inn=inn, active_on=active_on,
                                    limit=window.limit, offset=window.offset)


@router.get("/management-companies/{company_id}", dependencies=[READ],
            summary="Управляющая организация")
def get_company(session: SessionDep, company_id: IdPath) -> CompanyOut:
    """One company; 404 ``company_not_found``."""
    return CompanyOut.of(contracts.get_company(session, company_id))


@router.patch("/management-companies/{company_id}", dependencies=[WRITE],
              responses={**_REQUISITES, **_TAKEN}, summary="Изменить управляющую организацию")
def update_company(session: SessionDep, actor: ActorDep, company_id: IdPath,
                   body: CompanyPatch) -> CompanyOut:
    """Change the fields sent; ``closed_on`` ends the company (it is never deleted)."""
    return CompanyOut.of(contracts.update_company(session, actor, company_id, body))


# providers

@router.post("/providers", status_code=201, dependencies=[WRITE],
             responses={**_REQUISITES, **_TAKEN}, summary="Добавить поставщика (РСО)")
def create_provider(session: SessionDep, actor: ActorDep,
                    body: Annotated[ProviderIn, Body(openapi_examples=examples.PROVIDER)]
                    ) -> ProviderOut:
    """A new provider; its ``code`` is what rules, services and files name (409
    ``provider_code_taken`` when in use)."""
    return ProviderOut.of(contracts.create_provider(session, actor, body))


@router.get("/providers", dependencies=[READ], summary="Поставщики")
def list_providers(session: SessionDep, window: WindowDep, name: NameQuery = None,
                   code: Annotated[str | None, Query(max_length=64)] = None,
                   inn: InnQuery = None, active_on: ActiveOn = None) -> Page[ProviderOut]:
    """Providers by a part of the name, code, ИНН, supplying on a day."""
    return contracts.list_providers(session, name=name, code=code, inn=inn,
                                    active_on=active_on, limit=window.limit,
                                    offset=window.offset)


@router.get("/providers/{provider_id}", dependencies=[READ], summary="Поставщик")
def get_provider(session: SessionDep, provider_id: IdPath) -> ProviderOut:
    """One provider; 404 ``provider_not_found``."""
    return ProviderOut.of(contracts.get_provider(session, provider_id))


@router.patch("/providers/{provider_id}", dependencies=[WRITE], responses=_REQUISITES,
              summary="Изменить поставщика")
def update_provider(session: SessionDep, actor: ActorDep, provider_id: IdPath,
                    body: ProviderPatch) -> ProviderOut:
    """Change the fields sent (the code stays); ``closed_on`` ends the provider."""
    return ProviderOut.of(contracts.update_provider(session, actor, provider_id, body))


# contracts

@router.post("/contracts", status_code=201, dependencies=[WRITE],
             responses={**_REQUISITES, **_TAKEN}, summary="Заключить договор с поставщиком")
def create_contract(session: SessionDep, actor: ActorDep,
                    body: Annotated[ContractIn, Body(openapi_examples=examples.CONTRACT)]
                    ) -> ContractOut:
    """A contract: which services of which houses (or of every house of the company) the
    provider is paid for, from when, and its first money terms. An unknown provider, company
    or house is 422 naming its field."""
    with body_references(provider_not_found="provider_id",
                         company_not_found="management_company_id"):
        created = contracts.create_contract(session, actor, body)
    return _contract(session, created.id)


@router.get("/contracts", dependencies=[READ], summary="Договоры с поставщиками")
def list_contracts(session: SessionDep, window: WindowDep, provider_id: IdQuery = None,
                   management_company_id: IdQuery = None, house_id: IdQuery = None,
                   service: Annotated[str | None, Query(max_length=64)] = None,
                   active_on: ActiveOn = None) -> Page[ContractOut]:
    """Contracts of a provider or a company, covering a house or a service, in force on a
    day; each with its scope and every dated row of its terms."""
    return contracts.list_contracts(
        session, provider_id=provider_id, management_company_id=management_company_id,
        house_id=house_id, service=service, active_on=active_on, limit=window.limit,
        offset=window.offset)


@router.get("/contracts/{contract_id}", dependencies=[READ], summary="Договор")
def get_contract(session: SessionDep, contract_id: IdPath) -> ContractOut:
    """One contract with scope and terms; 404 ``contract_not_found``."""
    return _contract(session, contract_id)


@router.patch("/contracts/{contract_id}", dependencies=[WRITE], summary="Изменить договор")
def update_contract(session: SessionDep, actor: ActorDep, contract_id: IdPath,
                    body: ContractPatch) -> ContractOut:
    """Change the number or the signing date; ``date_to`` ends the contract."""
    return _contract(session, contracts.update_contract(session, actor, contract_id, body).id)


@router.post("/contracts/{contract_id}/terms", status_code=201, dependencies=[WRITE],
             responses={**_REQUISITES, **_TAKEN}, summary="Новые условия договора с даты")
def add_terms(session: SessionDep, actor: ActorDep, contract_id: IdPath,
              body: Annotated[TermsIn, Body(openapi_examples=examples.TERMS)]) -> ContractOut:
    """Bank details, agent fee and transfer rule from ``date_from`` (earlier terms stay for
    their days); returns the contract with all its terms."""
    contracts.add_terms(session, actor, contract_id, body)
    return _contract(session, contract_id)


def _contract(session: Session, contract_id: int) -> ContractOut:
    return contracts.contract_outs(session, [contracts.get_contract(session, contract_id)])[0]
