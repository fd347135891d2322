"""The run's penalty phase over several units of work at once books what it books one batch at
a time; a batch that fails stops it without a line of its own written; batches whose range of
ids skips accounts read and book only their own.

The phase commits each batch, so these tests use a database of their own (not the rolled-back
transaction of the other database tests): a town of 24 accounts whose four closed bills are
all unpaid, so that every account owes penalties in the fifth month."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from zhkh.adapters.db import Database, upgrade
from zhkh.kernel.period import Period
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import PeriodRepository
from zhkh.modules.finance import penalties, penalty_state
from zhkh.modules.finance.models import PenaltyState
from zhkh.modules.finance.penalties import book_penalties, rebuild_penalty_state
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository

from .test_payments import charge, provider
from .test_penalty_state import POLICY

ACCOUNTS = 24
FIRST = Period(2025, 1)
OPEN = FIRST.shift(4)


@pytest.fixture
def db(backend, empty_database):
    url = empty_database(backend)
    upgrade(url)
    database = Database.from_url(url)
    with database.session() as session:
        reg = RegistryRepository(session)
        house = reg.add_house(address="ул. Пеней, 5")
        ids = [reg.add_account(number=make_account_number(900 + i),
                               premises_id=reg.add_premises(house_id=house.id,
                                                            number=str(i + 1),
                                                            kind="flat").id,
                               opened_on=date(2020, 1, 1)).id for i in range(ACCOUNTS)]
        water = provider(session, "voda", "Водоканал", "7700000000").id
        heat = provider(session, "teplo", "Теплосеть", "7700000001").id
        periods = PeriodRepository(session)
        for index in range(4):
            month = FIRST.shift(index)
            periods.open(str(month))
            for n, a in enumerate(ids):
                charge(session, a, water, str(month), 10_000 + 100 * n)
                charge(session, a, heat, str(month), 90_000 + 1_000 * n, service="heating")
            periods.close(str(month))
        periods.open(str(OPEN))
    database.ids = ids  # type: ignore[attr-defined]
    yield database
    database.dispose()


def _lines(db: Database) -> list[tuple]:
    with db.reader() as session:
        return session.execute(
            select(LedgerLine.account_id, LedgerLine.component, LedgerLine.provider_id,
                   LedgerLine.kind, LedgerLine.amount_kopecks, LedgerLine.explain)
            .where(LedgerLine.service == "penalty", LedgerLine.period_booked == str(OPEN))
            .order_by(LedgerLine.account_id, LedgerLine.component, LedgerLine.provider_id,
                      LedgerLine.kind)).all()


def _book(db: Database, *, workers: int, incremental: bool = True):
    return book_penalties(db.session, db.ids, OPEN, POLICY, version="v1",  # type: ignore[attr-defined]
                          run_id=f"w{workers}", batch=5, workers=workers,
                          incremental=incremental)


def test_batches_at_once_book_what_one_at_a_time_books(db):
    one = _book(db, workers=1, incremental=False)
    alone = _lines(db)
    assert one.lines == len(alone) > ACCOUNTS  # every account owes two bills' penalties
    together = _book(db, workers=2)  # builds the state of every batch at once
    assert _lines(db) == alone
    assert (together.accounts, together.lines, together.penalty_kopecks) == \
        (one.accounts, one.lines, one.penalty_kopecks)
    with db.reader() as session:
        heads = session.execute(select(PenaltyState.account_id, PenaltyState.as_of)).all()
    assert sorted(heads) == [(a, str(OPEN)) for a in db.ids]  # type: ignore[attr-defined]
    again = _book(db, workers=3)  # on the state the batches built
    assert _lines(db) == alone
    assert again.penalty_kopecks == one.penalty_kopecks


def test_a_failing_batch_stops_the_phase_and_writes_nothing_of_its_own(db, monkeypatch):
    real = penalties._replace
    bad = db.ids[12]  # type: ignore[attr-defined]  # in the third batch of five accounts
    started: list[int] = []

    def failing(session, ids, *args, **kw):
        started.append(ids[0])
        if bad in ids:
            raise RuntimeError("сбой пакета")
        return real(session, ids, *args, **kw)

    monkeypatch.setattr(penalties, "_replace", failing)
    with pytest.raises(RuntimeError, match="сбой пакета"):
        _book(db, workers=2)
    booked = {line[0] for line in _lines(db)}
    batch = set(db.ids[10:15])  # type: ignore[attr-defined]
    assert not booked & batch
    assert set(db.ids[:10]) <= booked  # type: ignore[attr-defined]  # committed before it
    # at most one batch beyond the failing one was in flight; none started after it failed
    assert len(started) <= 4


def test_a_batch_with_accounts_left_out_books_only_its_own(db):
    """Every other account: the batches read by the range of their ids, the others' rows
    in that range are left out."""
    some = db.ids[::2]  # type: ignore[attr-defined]
    whole = book_penalties(db.session, some, OPEN, POLICY, version="v1", run_id="whole",
                           batch=5, workers=1, incremental=False)
    expected = _lines(db)
    assert {line[0] for line in expected} == set(some)
    # their state as of the month before, moved a month by the phase (the month's bookings
    # read by range), then read as it is by a rerun
    rebuild_penalty_state(db.session, some, OPEN.shift(-1), POLICY, version="v1", batch=5)
    book_penalties(db.session, some, OPEN, POLICY, version="v1", run_id="moved", batch=5,
                   workers=2)
    assert _lines(db) == expected
    book_penalties(db.session, some, OPEN, POLICY, version="v1", run_id="again", batch=5,
                   workers=2)
    assert _lines(db) == expected
    with db.reader() as session:
        kept = set(session.scalars(select(PenaltyState.account_id)))
    assert kept == set(some)
    assert whole.lines == len(expected)


def test_reads_by_range_answer_for_the_accounts_asked_only(db):
    some = db.ids[::3]  # type: ignore[attr-defined]
    rebuild_penalty_state(db.session, db.ids, OPEN, POLICY, version="v1")  # type: ignore[attr-defined]
    with db.reader() as session:
        month = penalty_state.month_bookings(session, some, OPEN.shift(-1))
        stored = penalty_state.read_state(session, some)
        heads = penalty_state.read_heads(session, some, "v1")
    for cols in (month, stored):
        keys = np.concatenate([cols.c_key, cols.p_key, cols.b_key])
        assert set((keys // penalty_state.K).tolist()) == set(some)
    assert set(heads) == set(some)
