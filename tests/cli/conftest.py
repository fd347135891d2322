"""A small town for the finance commands, on a fresh migrated database per test.

Each backend is migrated once per session into a template (an SQLite file, a PostgreSQL
database); a test gets a copy (a file copy, ``CREATE DATABASE … TEMPLATE``), because the
commands commit in their own units of work and cannot run inside a rolled-back transaction.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from zhkh.adapters.bank import FooterInput, RegistryLine, get_profile, render_registry
from zhkh.adapters.cli.main import app
from zhkh.adapters.db import Database, normalize_url, upgrade
from zhkh.kernel.period import Period

PG_ENV = "ZHKH_TEST_POSTGRES_URL"
PAYEES = {  # valid requisites (check digits): REFERENCE §6 S11 and a second computed one
    "vodokanal": {"inn": "1841008627", "account": "40702810268000010356"},
    "teplo": {"inn": "1841000018", "account": "40702810568000010357"},
}
BIK, CORR, BANK = "049401601", "30101810400000000601", "Удмуртское отделение № 8618 ПАО Сбербанк"
COMPANY_INN = "7701000019"
runner = CliRunner()


def cli(*args: Any, url: str) -> Any:
    """Run ``zhkh args… --database url`` in this process (an 80-column terminal)."""
    result = runner.invoke(app, [*map(str, args), "--database", url],
                           env={"COLUMNS": "80"})
    return result


# databases ---------------------------------------------------------------------------------

def _pg_admin() -> Any:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} не задан: варианты тестов на PostgreSQL пропущены")
    return create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")


def _pg_url(admin: Any, name: str) -> str:
    return make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated template databases by backend, made on first use."""
    made: dict[str, str] = {}
    yield made
    if "postgresql" in made:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f'DROP DATABASE IF EXISTS "{make_url(made["postgresql"]).database}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def make_db(templates: dict[str, str], tmp_path: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Factory: a fresh migrated database of ``backend`` (copied from the template)."""
    created: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            if "sqlite" not in templates:
                path = tmp_path_factory.mktemp("template") / "template.sqlite"
                upgrade(f"sqlite:///{path}")
                templates["sqlite"] = str(path)
            target = tmp_path / f"town{len(created)}.sqlite"
            shutil.copy(templates["sqlite"], target)
            created.append(str(target))
            return f"sqlite:///{target}"
        admin = _pg_admin()
        try:
            if "postgresql" not in templates:
                name = f"zhkh_cli_tpl_{secrets.token_hex(4)}"
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                templates["postgresql"] = _pg_url(admin, name)
                upgrade(templates["postgresql"])
            name = f"zhkh_cli_{secrets.token_hex(5)}"
            template = make_url(templates["postgresql"]).database
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            created.append(name)
            return _pg_url(admin, name)
        finally:
            admin.dispose()

    yield make
    pg = [name for name in created if not name.endswith(".sqlite")]
    if pg:
        admin = _pg_admin()
        with admin.connect() as conn:
            for name in pg:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# the town ----------------------------------------------------------------------------------

@dataclass
class Town:
    """Who and what the tests talk about (ids and numbers), and its database URL."""

    url: str
    company_id: int = 0
    house_id: int = 0
    providers: dict[str, int] = field(default_factory=dict)
    contracts: dict[str, int] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)
    db: Database | None = None

    def run(self, *args: Any) -> Any:
        return cli(*args, url=self.url)

    def ok(self, *args: Any) -> Any:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return result

    def scalar(self, sql: str) -> Any:
        """One value of a read-only query (one pooled engine per town)."""
        from sqlalchemy import text

        if self.db is None:
            self.db = Database.from_url(self.url)
        with self.db.reader() as session:
            return session.execute(text(sql)).scalar()

    def close(self) -> None:
        if self.db is not None:
            self.db.dispose()


BILLS = {"cold_water": ("vodokanal", 100_000), "heating": ("teplo", 200_000)}
"""What each account is billed a month: service → (provider, kopecks)."""


def build_town(url: str, tmp: Path, *, months: tuple[str, ...] = ("2026-08", "2026-09"),
               open_period: str = "2026-10",
               bills: dict[str, tuple[str, int]] | None = None) -> Town:
    """A company, two providers with contracts (through the CLI), a house of three flats
    with accounts (flat 1 owned by Иванов И. И.), bills of ``months`` (closed) and the open
    period."""
    town = Town(url)
    town.ok("companies", "add", "--name", "УК «Дом»", "--inn", COMPANY_INN)
    town.company_id = 1
    _registry(town, months, open_period)
    for code, name in (("vodokanal", "Водоканал"), ("teplo", "Теплосеть")):
        town.ok("providers", "add", "--code", code, "--name", name,
                "--inn", PAYEES[code]["inn"], "--reason", "договор поставки")
    town.providers = {"vodokanal": 1, "teplo": 2}
    _bills(town, months, bills or BILLS)
    for code, service in (("vodokanal", "cold_water"), ("teplo", "heating")):
        path = tmp / f"contract-{code}.json"
        path.write_text(json.dumps(contract_body(town, code, service)), encoding="utf-8")
        town.ok("contracts", "add", path)
        town.contracts[code] = len(town.contracts) + 1
    return town


def contract_body(town: Town, code: str, service: str, **changes: Any) -> dict[str, Any]:
    """The JSON of a contract of ``code`` for ``service`` in the town's house."""
    body = {"provider_id": town.providers[code], "management_company_id": town.company_id,
            "number": f"{code}-1", "date_from": "2020-01-01",
            "scope": [{"house_id": town.house_id, "service": service}],
            "terms": {"bank_name": BANK, "bik": BIK, "settlement_account":
                      PAYEES[code]["account"], "corr_account": CORR, "fee": "1.5"}}
    body.update(changes)
    return body


def _registry(town: Town, months: tuple[str, ...], open_period: str) -> None:
    from zhkh.modules.passport.models import OwnershipShare, Person, PersonData
    from zhkh.modules.registry.account_number import make_account_number
    from zhkh.modules.registry.repository import RegistryRepository

    db = Database.from_url(town.url)
    with db.session() as session:
        reg = RegistryRepository(session)
        house = reg.add_house(address="г. Ижевск, ул. Ленина, д. 1",
                              total_area_micro=1_000_000_000)
        house.management_company_id = town.company_id
        flats = [reg.add_premises(house_id=house.id, number=str(n), kind="flat",
                                  area_micro=50_000_000) for n in (1, 2, 3)]
        town.house_id = house.id
        for i, flat in enumerate(flats):
            account = reg.add_account(number=make_account_number(100 + i),
                                      premises_id=flat.id, opened_on=date(2020, 1, 1))
            town.accounts.append(account.number)
        person = Person()
        session.add(person)
        session.flush()
        session.add(PersonData(person_id=person.id, full_name="Иванов Иван Иванович"))
        session.add(OwnershipShare(person_id=person.id, premises_id=flats[0].id, numerator=1,
                                   denominator=1, date_from=date(2020, 1, 1)))
    db.dispose()


def charge(town: Town, account: int, service: str, period: str, kopecks: int,
           kind: str = "recalculation") -> None:
    """One more ledger line of the ``account``-th account booked in ``period`` (open)."""
    from sqlalchemy import select

    from zhkh.modules.billing.repository import LedgerRepository, LedgerRow
    from zhkh.modules.registry.models import Account

    db = Database.from_url(town.url)
    with db.session() as session:
        account_id = session.scalar(select(Account.id).where(
            Account.number == town.accounts[account]))
        LedgerRepository(session).write_lines([LedgerRow(
            account_id=account_id, service=service, component=None, zone=None,
            provider_id=town.providers[BILLS[service][0]], period_for=period,
            period_booked=period, kind=kind, method=None, volume_micro=None,
            tariff_micro=None, amount_kopecks=kopecks, rulebook_version="test", explain=None,
            run_id=None)])
    db.dispose()


def _bills(town: Town, months: tuple[str, ...], bills: dict[str, tuple[str, int]]) -> None:
    from sqlalchemy import select

    from zhkh.modules.billing.repository import LedgerRepository, LedgerRow, PeriodRepository
    from zhkh.modules.registry.models import Account

    db = Database.from_url(town.url)
    with db.session() as session:
        periods, ledger = PeriodRepository(session), LedgerRepository(session)
        ids = list(session.scalars(select(Account.id).order_by(Account.number)))
        for month in months:
            periods.open(month)
            ledger.write_lines([LedgerRow(
                account_id=account_id, service=service, component=None, zone=None,
                provider_id=town.providers[code], period_for=month, period_booked=month,
                kind="charge", method=None, volume_micro=None, tariff_micro=None,
                amount_kopecks=kopecks, rulebook_version="test", explain=None, run_id=None)
                for account_id in ids for service, (code, kopecks) in bills.items()])
            periods.close(month)
        periods.open(str(Period.parse(months[-1]).shift(1)))
    db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def town(request: pytest.FixtureRequest, make_db: Any, tmp_path: Path) -> Iterator[Town]:
    """The town on each backend."""
    built = build_town(make_db(request.param), tmp_path)
    yield built
    built.close()


@pytest.fixture
def sqlite_town(make_db: Any, tmp_path: Path) -> Iterator[Town]:
    """The town on SQLite only (commands whose SQL the database tests cover on both)."""
    built = build_town(make_db("sqlite"), tmp_path)
    yield built
    built.close()


# bank files --------------------------------------------------------------------------------

def payment(account: str, kopecks: int, n: int, *, day: date = date(2026, 10, 5),
            commission: int = 0) -> RegistryLine:
    """A payment at a Sberbank branch; ``n`` makes the operation id."""
    return RegistryLine(payment_date=day, payment_time=time(10, 0, n % 60), account=account,
                        amount=kopecks, commission=commission,
                        amount_to_transfer=kopecks - commission, operation_id=f"op-{n}",
                        payer="Плательщик", address="г. Ижевск", period=Period(2026, 9),
                        branch="8618", cashier="0001")


def registry_file(path: Path, lines: list[RegistryLine], profile: str = "sberbank_classic",
                  order: str = "417") -> Path:
    """Write the file a bank would send with ``lines`` (footer computed)."""
    path.write_bytes(render_registry(lines, get_profile(profile),
                                     footer=FooterInput(order, date(2026, 10, 6))))
    return path
