"""A registry file posted in bulk books what posting its lines one by one at the cash desk
would: the same allocation rows (key, kind, kopecks, day paid, note), line for line, on a small
town with bills of two providers over three months, several lines per account, unknown
accounts and lines the bank sent twice."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance import repository
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.finance.payments import NewPayment, post
from zhkh.modules.finance.registries import import_registry
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository

from .test_payments import BOOK, charge, provider
from .test_registry_import import BANK, Line, file

ACCOUNTS = 15


def allocation_rows(session) -> list[tuple]:
    """Every allocation row in the order written, its payment named by its place among the
    payments (ids differ between the two postings)."""
    order = {pid: i for i, pid in enumerate(session.scalars(select(Payment.id)
                                                            .order_by(Payment.id)))}
    return [(order[r.payment_id], r.account_id, r.service, r.provider_id, r.bill_period,
             r.kind, r.amount_kopecks, r.paid_on, r.note)
            for r in session.scalars(select(Allocation).order_by(Allocation.id))]


@pytest.mark.parametrize("seed", [8, 1, 2, 3, 4])
@pytest.mark.parametrize("bulk_from", [0, repository.BULK_ACCOUNTS])
def test_a_file_in_bulk_books_what_the_cash_desk_would_line_by_line(session, seed, bulk_from,
                                                                     monkeypatch):
    """Random files (by ``seed``): the bulk path, whose allocation rows are computed while
    the COPY writes them, gives exactly the parts of posting payment by payment — with the
    open keys read through a temporary table of the accounts (``bulk_from`` 0) or not."""
    monkeypatch.setattr(repository, "BULK_ACCOUNTS", bulk_from)
    rng = random.Random(seed)
    accounts = town(session, rng)
    ids = [a.id for a in accounts]
    repo = repository.FinanceRepository(session)
    assert repo.open_keys_in_bulk(ids) == repo.open_keys(ids)
    lines = file_lines(rng, accounts)
    with session.begin_nested() as bulk:
        report = import_registry(session, BANK, file("bulk", *lines), BOOK,
                                 received_on=date(2026, 10, 25))
        in_bulk = allocation_rows(session)
        bulk.rollback()
    with session.begin_nested() as by_hand:
        ids = {a.number: a.id for a in accounts}
        seen = set()
        for ln in lines:
            if ln.account not in ids or (ln.operation_id, ln.payment_date, ln.amount) in seen:
                continue
            seen.add((ln.operation_id, ln.payment_date, ln.amount))
            post(session, BANK, NewPayment(account_id=ids[ln.account], paid_on=ln.payment_date,
                                           amount_kopecks=ln.amount, channel="bank",
                                           received_on=date(2026, 10, 25)), BOOK)
        one_by_one = allocation_rows(session)
        by_hand.rollback()
    assert report.duplicates == 2 and report.unidentified > 0
    assert len(in_bulk) > 100
    assert in_bulk == one_by_one


def town(session, rng: random.Random) -> list:
    """Accounts with bills of two providers over three closed months; 2026-10 open."""
    reg = RegistryRepository(session)
    house = reg.add_house(address="ул. Реестровая, 1")
    accounts = [reg.add_account(number=make_account_number(500 + i),
                                premises_id=reg.add_premises(house_id=house.id,
                                                             number=str(i + 1)).id,
                                opened_on=date(2020, 1, 1)) for i in range(ACCOUNTS)]
    water = provider(session, "voda", "Водоканал", "7700000000").id
    heat = provider(session, "teplo", "Теплосеть", "7700000001").id
    periods = PeriodRepository(session)
    for month in ("2026-07", "2026-08", "2026-09"):
        periods.open(month)
        for acc in accounts:
            charge(session, acc.id, water, month, rng.randint(5_000, 90_000))
            charge(session, acc.id, heat, month, rng.randint(30_000, 300_000),
                   service="heating")
        periods.close(month)
    periods.open("2026-10")
    return accounts


def file_lines(rng: random.Random, accounts: list) -> list:
    """Sixty lines on random accounts (one in ten unknown), two of them sent twice."""
    lines = []
    for i in range(60):
        acc = rng.choice(accounts)
        number = acc.number if rng.random() > 0.1 else "0000000000"
        lines.append(Line(date(2026, 10, 1 + i % 20), number, rng.randint(1_000, 400_000),
                          rng.randint(0, 500), f"op-{i}"))
    return [*lines, lines[3], lines[17]]  # sent twice: posted once


@pytest.mark.postgres
def test_open_keys_read_beside_on_a_second_connection_book_the_same(monkeypatch):
    """A large file on PostgreSQL reads its accounts' open keys on a second connection while
    the first writes its lines and payments: over a committed town, the allocation rows are
    those of reading them on the import's own connection."""
    from zhkh.adapters.db import Database, upgrade
    from zhkh.modules.finance import registries

    from .conftest import _create_pg_database, _drop_pg_database, _pg_admin

    admin = _pg_admin()
    url = _create_pg_database(admin)
    db = None
    try:
        upgrade(url)
        db = Database.from_url(url)
        rng = random.Random(5)
        with db.session() as session:
            accounts = town(session, rng)
        lines = file_lines(rng, accounts)
        monkeypatch.setattr(repository, "BULK_ACCOUNTS", 0)
        started = []

        class Spy(registries.ThreadPoolExecutor):
            def submit(self, *args, **kwargs):
                started.append(args[0].__name__)
                return super().submit(*args, **kwargs)

        monkeypatch.setattr(registries, "ThreadPoolExecutor", Spy)
        rows = {}
        for beside in (True, False):
            monkeypatch.setattr(registries, "READ_BESIDE", beside)
            with db.session() as session:
                report = import_registry(session, BANK, file("bulk", *lines), BOOK,
                                         received_on=date(2026, 10, 25))
                rows[beside] = allocation_rows(session)
                session.rollback()
        assert started == ["beside"]  # the second connection read once, when allowed
        assert report.posted > 40 and len(rows[True]) > 100
        assert rows[True] == rows[False]
    finally:
        if db is not None:
            db.dispose()
        _drop_pg_database(admin, url)
        admin.dispose()
