"""SQL of the registry: companies, providers, houses, premises, accounts, account services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import func, or_, select

from zhkh.modules.db.repository import Repository, active_on, overlapping
from zhkh.modules.paging import page
from zhkh.modules.registry.account_number import validate_account_number
from zhkh.modules.registry.models import (
    Account,
    AccountService,
    House,
    MeterInstallability,
    Premises,
    Provider,
)


class RegistryRepository(Repository):
    """Reads and writes of the registry; flushes, never commits."""

    def provider_by_code(self, code: str) -> Provider | None:
        """The provider with this code, or None."""
        return self.session.scalar(select(Provider).where(Provider.code == code))

    def provider_codes(self, ids: Iterable[int]) -> dict[int, str]:
        """``{provider id: code}`` for the given ids."""
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.execute(select(Provider.id, Provider.code)
                                    .where(Provider.id.in_(wanted)))
        return {provider_id: code for provider_id, code in rows}

    def add_house(self, *, address: str, **attributes: object) -> House:
        """A new house; ``attributes`` are House columns (house_type, total_area_micro …)."""
        return self._add(House(address=address, **attributes))

    def house_ids(self) -> list[int]:
        """Ids of all houses, ascending (the monthly run splits work by house)."""
        return list(self.session.scalars(select(House.id).order_by(House.id)))

    def add_premises(self, *, house_id: int, number: str,
                     meter_installable: Mapping[str, bool] | None = None,
                     **attributes: object) -> Premises:
        """A new premises; ``meter_installable`` maps service → can a meter be installed."""
        premises = Premises(house_id=house_id, number=number, **attributes)
        premises.installability = [
            MeterInstallability(service=s, installable=v)
            for s, v in (meter_installable or {}).items()]
        return self._add(premises)

    def add_account(self, *, number: str, premises_id: int, opened_on: date,
                    closed_on: date | None = None) -> Account:
        """A new account; the number's check digit is verified (AccountNumberError)."""
        validate_account_number(number)
        return self._add(Account(number=number, premises_id=premises_id,
                                 opened_on=opened_on, closed_on=closed_on))

    def account_by_number(self, number: str) -> Account | None:
        """The account with this number, or None."""
        return self.session.scalar(select(Account).where(Account.number == number))

    def accounts_of_house(self, house_id: int, *, first: date | None = None,
                          last: date | None = None) -> list[Account]:
        """Accounts of the house open at some day of ``[first, last]`` (all if no dates)."""
        stmt = (select(Account).join(Premises, Account.premises_id == Premises.id)
                .where(Premises.house_id == house_id).order_by(Account.id))
        if first is not None and last is not None:
            stmt = stmt.where(overlapping(Account.opened_on, Account.closed_on, first, last))
        return list(self.session.scalars(stmt))

    def add_account_service(self, *, account_id: int, service: str, provider_id: int,
                            date_from: date, date_to: date | None = None) -> AccountService:
        """A service of an account from ``date_from`` to ``date_to`` (inclusive, open end)."""
        return self._add(AccountService(account_id=account_id, service=service,
                                        provider_id=provider_id, date_from=date_from,
                                        date_to=date_to))

    def account_services(self, account_id: int, *, on: date | None = None) -> list[AccountService]:
        """Services of the account (only those active on ``on`` when given)."""
        stmt = select(AccountService).where(AccountService.account_id == account_id)
        if on is not None:
            stmt = stmt.where(active_on(AccountService.date_from, AccountService.date_to, on))
        return list(self.session.scalars(stmt.order_by(AccountService.service,
                                                       AccountService.date_from)))

    def list_houses(self, *, address: str | None = None,
                    management_company_id: int | None = None, limit: int, offset: int
                    ) -> tuple[list[House], int]:
        """Houses whose address contains ``address`` and of the company (case folding of Cyrillic
        letters happens on PostgreSQL only: SQLite's ``lower`` folds ASCII)."""
        stmt = select(House)
        if address:
            stmt = stmt.where(or_(
                House.address.contains(address, autoescape=True),
                func.lower(House.address).contains(address.lower(), autoescape=True)))
        if management_company_id is not None:
            stmt = stmt.where(House.management_company_id == management_company_id)
        return page(self.session, stmt, limit=limit, offset=offset, order_by=House.id)

    def list_premises(self, *, house_id: int | None = None, kind: str | None = None,
                      number: str | None = None, limit: int, offset: int
                      ) -> tuple[list[Premises], int]:
        """Premises filtered by house, kind and exact number."""
        stmt = select(Premises)
        if house_id is not None:
            stmt = stmt.where(Premises.house_id == house_id)
        if kind is not None:
            stmt = stmt.where(Premises.kind == kind)
        if number is not None:
            stmt = stmt.where(Premises.number == number)
        return page(self.session, stmt, limit=limit, offset=offset, order_by=Premises.id)

    def list_accounts(self, *, house_id: int | None = None,
                      premises_id: int | None = None, open_on: date | None = None,
                      limit: int, offset: int) -> tuple[list[Account], int]:
        """Accounts of a house or a premises, optionally only those open on ``open_on``."""
        stmt = select(Account)
        if house_id is not None:
            stmt = stmt.join(Premises, Premises.id == Account.premises_id).where(
                Premises.house_id == house_id)
        if premises_id is not None:
            stmt = stmt.where(Account.premises_id == premises_id)
        if open_on is not None:
            stmt = stmt.where(active_on(Account.opened_on, Account.closed_on, open_on))
        return page(self.session, stmt, limit=limit, offset=offset, order_by=Account.id)

    def accounts_of_premises(self, premises_id: int, *,
                             include_rooms: bool = True) -> list[Account]:
        """Accounts of the premises (and of its rooms, for a communal flat), by id."""
        ids = select(Premises.id).where(Premises.parent_id == premises_id)
        cond = Account.premises_id == premises_id
        if include_rooms:
            cond = cond | Account.premises_id.in_(ids)
        return list(self.session.scalars(select(Account).where(cond).order_by(Account.id)))
