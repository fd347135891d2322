"""The bulk writer (COPY / executemany), the streaming reader (``stream_columns``) and the
recompute delete of one house."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select, text

from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import LEDGER_COLUMNS, LedgerRepository, LedgerRow
from zhkh.modules.db.bulk import stream_columns
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository

KINDS = ("charge", "benefit", "quality_reduction", "penalty", "correction")


def _rows(world, count: int, seed: int = 7) -> list[LedgerRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        rows.append(LedgerRow(
            account_id=world.accounts[i % 2].id, service=rng.choice(["cold_water", "heating"]),
            component=rng.choice([None, "water", "heat"]), zone=rng.choice([None, "day"]),
            provider_id=world.provider.id, period_for="2026-10", period_booked="2026-10",
            kind=rng.choice(KINDS), method=rng.choice([None, "meter", "norm"]),
            volume_micro=rng.choice([None, rng.randrange(0, 10**12)]),
            tariff_micro=rng.randrange(0, 10**11),
            amount_kopecks=rng.randrange(-(2**62), 2**62),
            rulebook_version="sha256:abc", explain=f"строка {i}: «объём × тариф»\tтаб\\слэш",
            run_id="run-bulk"))
    return rows


def _lines(columns=("id", *LEDGER_COLUMNS)):
    table = LedgerLine.__table__
    return select(*(table.c[c] for c in columns)).order_by(table.c.id)


def test_ten_thousand_lines_written_in_bulk_read_back_equal(session, world):
    rows = _rows(world, 10_000)
    ledger = LedgerRepository(session)
    assert ledger.write_lines(rows) == 10_000
    read = []
    for batch in stream_columns(session, _lines(LEDGER_COLUMNS), batch=4_000):
        read.extend(zip(*(batch[c] for c in LEDGER_COLUMNS), strict=True))
    assert [LedgerRow(*r) for r in read] == rows


def test_the_reader_streams_in_batches_of_the_asked_size(session, world, backend):
    LedgerRepository(session).write_lines(_rows(world, 2_500))
    stream = stream_columns(session, _lines(), batch=1_000)
    sizes = []
    for batch in stream:
        sizes.append(len(batch["id"]))
        if backend == "postgresql" and len(sizes) == 1:
            # a server-side cursor is open while we iterate: rows are not all in memory
            open_cursors = session.execute(text("SELECT count(*) FROM pg_cursors")).scalar_one()
            assert open_cursors >= 1
    assert sizes == [1_000, 1_000, 500]


def test_the_recompute_delete_of_one_house_takes_only_its_lines(session, world):
    reg = RegistryRepository(session)
    other = reg.add_house(address="ул. Мира, 2")
    flat = reg.add_premises(house_id=other.id, number="1")
    stranger = reg.add_account(number=make_account_number(999), premises_id=flat.id,
                               opened_on=date(2020, 1, 1))
    rows = _rows(world, 10)
    rows.append(rows[0]._replace(account_id=stranger.id))
    ledger = LedgerRepository(session)
    ledger.write_lines(rows)
    assert ledger.delete_for_recompute("2026-10", house_id=other.id) == 1
    left = session.scalars(select(LedgerLine.account_id)).all()
    assert len(left) == 10 and stranger.id not in left


def test_a_row_of_the_wrong_width_is_refused_naming_its_position(session, world):
    bad = [tuple(_rows(world, 1)[0])[:-1]]
    with pytest.raises(ValueError, match="строка 1"), session.begin_nested():
        LedgerRepository(session).write_lines(bad)
