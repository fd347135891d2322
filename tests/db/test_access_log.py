"""The personal-data access log (152-ФЗ) is append-only on both databases: no statement edits,
deletes, replaces or truncates a row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from zhkh.modules.audit import Actor, record_personal_read
from zhkh.modules.audit.repository import AccessLogRepository

REFUSED = "журнал доступа к персональным данным только дополняется"


def _refused(session, statement: str, params: dict) -> None:
    with pytest.raises((IntegrityError, DBAPIError), match=REFUSED), session.begin_nested():
        session.execute(text(statement), params)


@pytest.fixture
def logged(session):
    written = record_personal_read(session, Actor("api_key:1:test", "запрос суда"), "person",
                                   [7, 3, 7])
    assert written == 2
    items, total = AccessLogRepository(session).list_reads()
    assert total == 2
    return items


def test_a_read_is_one_row_per_person_with_who_when_what_and_why(session, logged):
    assert sorted(r.person_id for r in logged) == [3, 7]
    row = logged[0]
    assert (row.actor, row.what, row.reason) == ("api_key:1:test", "person", "запрос суда")
    assert abs((datetime.now(UTC) - row.at.replace(tzinfo=row.at.tzinfo or UTC)
                ).total_seconds()) < 600


def test_nothing_is_written_for_no_person(session):
    assert record_personal_read(session, Actor("cli"), "person", []) == 0


@pytest.mark.parametrize("statement", [
    "UPDATE personal_data_access SET actor = 'x' WHERE id = :i",
    "UPDATE personal_data_access SET reason = NULL",
    "DELETE FROM personal_data_access WHERE id = :i",
    "DELETE FROM personal_data_access",
])
def test_a_row_cannot_be_changed_or_deleted(session, logged, statement):
    _refused(session, statement, {"i": logged[0].id})
    assert AccessLogRepository(session).list_reads()[1] == 2


def test_a_row_cannot_be_replaced_or_upserted(session, logged, backend):
    row = logged[0]
    values = {"i": row.id, "at": row.at, "p": row.person_id}
    if backend == "sqlite":
        statement = ("INSERT OR REPLACE INTO personal_data_access "
                     "(id, at, actor, person_id, what) VALUES (:i, :at, 'forged', :p, 'x')")
    else:
        statement = ("INSERT INTO personal_data_access (id, at, actor, person_id, what) "
                     "VALUES (:i, :at, 'forged', :p, 'x') ON CONFLICT (id) DO UPDATE "
                     "SET actor = 'forged'")
    _refused(session, statement, values)
    assert session.execute(text("SELECT actor FROM personal_data_access WHERE id = :i"),
                           {"i": row.id}).scalar_one() == "api_key:1:test"


def test_the_table_cannot_be_truncated_on_postgresql(session, logged, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused above)")
    _refused(session, "TRUNCATE personal_data_access", {})
    assert AccessLogRepository(session).list_reads()[1] == 2


def test_reads_are_filtered_and_paged_newest_first(session):
    actor = Actor("api_key:2:officer", None)
    record_personal_read(session, actor, "persons_list", [1, 2, 3])
    record_personal_read(session, Actor("api_key:3:other"), "person", [2])
    repo = AccessLogRepository(session)
    assert repo.list_reads(person_id=2)[1] == 2
    assert repo.list_reads(actor="api_key:2:officer")[1] == 3
    assert repo.list_reads(what="person")[1] == 1
    items, total = repo.list_reads(limit=2, offset=0)
    assert total == 4 and len(items) == 2 and items[0].id > items[1].id
    assert repo.list_reads(since=datetime(2100, 1, 1, tzinfo=UTC))[1] == 0
    assert repo.list_reads(until=datetime(2000, 1, 1, tzinfo=UTC))[1] == 0
