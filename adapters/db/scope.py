"""The data scope filter: one place where a key's management companies limit every query.

Installed by the composition root on the database's session factories. A session whose
``info[SESSION_KEY]`` holds a scope other than ``ALL`` gets, on every ORM statement (select,
``Session.get``, joins, subqueries, ORM update/delete), a criterion per scoped entity that keeps
only rows belonging to a house of one of the scope's management companies. What is out of scope
is simply not there: a card answers 404, a list leaves it out, a report does not sum it.

Belonging: a house by its company; premises by their house; an account by its premises;
persons by a registration or an ownership share in scoped premises; meters by their premises or
house; payments, allocations, ledger lines, benefits, documents by their account (or house /
premises). Rows that belong to no house (a person registered nowhere, a house without a
company) are visible only to keys of every company. Plain SQL (``text``) and bulk Core
statements of the monthly run are not filtered: they run from the CLI, whose scope is ALL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, event, or_, select, union
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from zhkh.modules.access.scope import ALL, SESSION_KEY, Scope
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.complaints.models import Complaint, QualityIncident
from zhkh.modules.documents.models import IssuedCertificate, IssuedDocument
from zhkh.modules.finance.models import Allocation, Contract, Payment
from zhkh.modules.meters.models import AccessRefusal, Meter, Reading
from zhkh.modules.passport.models import (
    Absence,
    BenefitAssignment,
    OwnershipShare,
    Person,
    PersonData,
    Registration,
)
from zhkh.modules.registry.models import Account, AccountService, House, ManagementCompany, Premises


def _criteria(companies: frozenset[int]) -> list[tuple[type, ColumnElement[bool]]]:
    """(entity, condition) for every scoped entity, for these company ids."""
    ids = sorted(companies)
    houses = select(House.id).where(House.management_company_id.in_(ids))
    premises = select(Premises.id).where(Premises.house_id.in_(houses))
    accounts = select(Account.id).where(Account.premises_id.in_(premises))
    persons = union(select(Registration.person_id).where(Registration.premises_id.in_(premises)),
                    select(OwnershipShare.person_id).where(
                        OwnershipShare.premises_id.in_(premises)))
    meters = select(Meter.id).where(or_(Meter.premises_id.in_(premises),
                                        Meter.house_id.in_(houses)))
    return [
        (ManagementCompany, ManagementCompany.id.in_(ids)),
        (House, House.management_company_id.in_(ids)),
        (Premises, Premises.house_id.in_(houses)),
        (Account, Account.premises_id.in_(premises)),
        (AccountService, AccountService.account_id.in_(accounts)),
        (Person, Person.id.in_(persons)),
        (PersonData, PersonData.person_id.in_(persons)),
        (Registration, Registration.premises_id.in_(premises)),
        (OwnershipShare, OwnershipShare.premises_id.in_(premises)),
        (Absence, Absence.person_id.in_(persons)),
        (BenefitAssignment, BenefitAssignment.account_id.in_(accounts)),
        (Meter, Meter.id.in_(meters)),
        (Reading, Reading.meter_id.in_(meters)),
        (AccessRefusal, AccessRefusal.premises_id.in_(premises)),
        (QualityIncident, QualityIncident.house_id.in_(houses)),
        (Complaint, Complaint.house_id.in_(houses)),
        (Payment, Payment.account_id.in_(accounts)),
        (Allocation, Allocation.account_id.in_(accounts)),
        (LedgerLine, LedgerLine.account_id.in_(accounts)),
        (IssuedDocument, IssuedDocument.house_id.in_(houses)),
        (IssuedCertificate, IssuedCertificate.premises_id.in_(premises)),
        (Contract, or_(Contract.management_company_id.in_(ids),
                       Contract.management_company_id.is_(None))),
    ]


def _limit_to_scope(state: ORMExecuteState) -> None:
    scope: Scope = state.session.info.get(SESSION_KEY, ALL)
    if scope.companies is None or not (state.is_select or state.is_update or state.is_delete):
        return
    options: list[Any] = [with_loader_criteria(entity, condition, include_aliases=True)
                          for entity, condition in _criteria(scope.companies)]
    state.statement = state.statement.options(*options)


def install_scope_filter(*factories: sessionmaker[Session]) -> None:
    """Make every session of ``factories`` honour the scope kept in its ``info`` (idempotent)."""
    for factory in factories:
        if not event.contains(factory, "do_orm_execute", _limit_to_scope):
            event.listen(factory, "do_orm_execute", _limit_to_scope)


def set_scope(session: Session, scope: Scope) -> None:
    """Limit ``session`` to ``scope`` from now on (the API does it for each request)."""
    session.info[SESSION_KEY] = scope
