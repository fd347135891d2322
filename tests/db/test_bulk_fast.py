"""Fast bulk writers: COPY text built by the caller (COPY's special characters escaped) and
SQLite's multi-row INSERTs (bind processing as on the ORM path; triggers still apply)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import LEDGER_COLUMNS, LedgerRepository, LedgerRow
from zhkh.modules.db.bulk import copy_escape, copy_text, insert_rows
from zhkh.modules.passport.models import Registration
from zhkh.modules.passport.repository import PassportRepository


def test_copy_text_keeps_tabs_newlines_and_backslashes_of_an_explain(session, world, backend):
    if backend != "postgresql":
        pytest.skip("COPY есть только в PostgreSQL")
    text = "объём\tтаб\\слэш\nстрока\rвозврат"
    row = LedgerRow(account_id=world.accounts[0].id, service="cold_water", component=None,
                    zone=None, provider_id=world.provider.id, period_for="2026-10",
                    period_booked="2026-10", kind="charge", method="meter",
                    volume_micro=1_500_000, tariff_micro=48_720_000, amount_kopecks=7308,
                    rulebook_version="sha256:abc", explain=text, run_id=None)
    line = "\t".join("\\N" if v is None else copy_escape(str(v)) for v in row) + "\n"
    copy_text(session, LedgerLine.__table__, LEDGER_COLUMNS, [line])
    stored = LedgerRepository(session).lines_of_account(world.accounts[0].id)
    assert [(ln.explain, ln.component, ln.run_id) for ln in stored] == [(text, None, None)]


def test_bulk_inserted_dates_read_back_as_the_orm_stores_them(session, backend, world):
    people = [PassportRepository(session).add_person() for _ in range(3)]
    rows = [(p.id, world.flats[0].id, "residence", date(2026, 1, i + 1), None)
            for i, p in enumerate(people)]
    insert_rows(session, Registration.__table__,
                ("person_id", "premises_id", "kind", "date_from", "date_to"), rows)
    session.expire_all()
    found = session.scalars(select(Registration.date_from).where(
        Registration.person_id.in_([p.id for p in people])).order_by(Registration.date_from))
    assert list(found) == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
