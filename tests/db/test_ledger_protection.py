"""The database itself keeps the ledger append-only and closed periods final.

Every refusal here goes through raw SQL, so it is the trigger or the constraint that
refuses, not repository code.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from zhkh.modules.audit.repository import AuditRepository
from zhkh.modules.billing.models import BillingPeriod, LedgerLine
from zhkh.modules.billing.repository import (
    LedgerRepository,
    LedgerRow,
    PeriodClosedError,
    PeriodRepository,
)

INSERT_LINE = text(
    "INSERT INTO ledger_lines (account_id, service, provider_id, period_for, period_booked, "
    "kind, amount_kopecks, rulebook_version) "
    "VALUES (:account, 'cold_water', :provider, :for_, :booked, :kind, :amount, 'v1')")


def _line(world, booked: str, amount: int = 12_345, *, kind: str = "charge",
          period_for: str | None = None) -> LedgerRow:
    return LedgerRow(world.accounts[0].id, "cold_water", None, None, world.provider.id,
                     period_for or booked, booked, kind, "meter", 3_000_000, 41_150_000,
                     amount, "v1", "3 м³ × 41,15 ₽", "run-1")


def _count(session, booked: str) -> int:
    return session.execute(text("SELECT count(*) FROM ledger_lines WHERE period_booked = :p"),
                            {"p": booked}).scalar_one()


def _refused(session, statement, params, match: str) -> None:
    with pytest.raises(IntegrityError, match=match), session.begin_nested():
        session.execute(statement, params)


@pytest.fixture
def closed_world(session, world):
    """World with lines booked in 2026-09, then 2026-09 closed; 2026-10 open with lines."""
    periods, ledger = PeriodRepository(session), LedgerRepository(session)
    periods.open("2026-09")
    ledger.write_lines([_line(world, "2026-09"), _line(world, "2026-09", 500)])
    periods.close("2026-09")
    ledger.write_lines([_line(world, "2026-10")])
    return world


class TestAClosedPeriodIsFinal:
    def test_its_lines_cannot_be_updated_by_raw_sql(self, session, closed_world):
        _refused(session, text("UPDATE ledger_lines SET amount_kopecks = 1 "
                               "WHERE period_booked = '2026-09'"), {}, "не изменяются")
        assert _count(session, "2026-09") == 2

    def test_its_lines_cannot_be_deleted_by_raw_sql(self, session, closed_world):
        _refused(session, text("DELETE FROM ledger_lines WHERE period_booked = '2026-09'"), {},
                 "закрыт")
        assert _count(session, "2026-09") == 2

    def test_no_line_can_be_booked_into_it(self, session, closed_world):
        params = {"account": closed_world.accounts[0].id, "provider": closed_world.provider.id,
                  "for_": "2026-09", "booked": "2026-09", "kind": "charge", "amount": 1}
        _refused(session, INSERT_LINE, params, "закрыт")

    def test_the_bulk_writer_cannot_book_into_it_either(self, session, closed_world):
        with pytest.raises(IntegrityError, match="закрыт"), session.begin_nested():
            LedgerRepository(session).write_lines([_line(closed_world, "2026-09")] * 3)
        assert _count(session, "2026-09") == 2

    def test_it_cannot_be_reopened_edited_or_deleted(self, session, closed_world):
        _refused(session, text("UPDATE billing_periods SET status = 'open', closed_at = NULL "
                               "WHERE period = '2026-09'"), {}, "закрыт")
        _refused(session, text("DELETE FROM billing_periods WHERE period = '2026-09'"), {},
                 "закрыт")
        with pytest.raises(PeriodClosedError):
            PeriodRepository(session).open("2026-09")

    def test_a_recalculation_of_it_is_booked_in_the_open_period(self, session, closed_world):
        params = {"account": closed_world.accounts[0].id, "provider": closed_world.provider.id,
                  "for_": "2026-09", "booked": "2026-10", "kind": "recalculation",
                  "amount": -500}
        session.execute(INSERT_LINE, params)
        amounts = session.scalars(select(LedgerLine.amount_kopecks).where(
            LedgerLine.account_id == closed_world.accounts[0].id,
            LedgerLine.period_for == "2026-09"))
        assert sorted(amounts) == [-500, 500, 12_345]


class TestAnOpenPeriodMayBeRecomputed:
    def test_its_lines_can_be_deleted_by_raw_sql(self, session, closed_world):
        session.execute(text("DELETE FROM ledger_lines WHERE period_booked = '2026-10'"))
        assert _count(session, "2026-10") == 0
        assert _count(session, "2026-09") == 2

    def test_the_repository_deletes_one_house_for_recompute(self, session, closed_world):
        deleted = LedgerRepository(session).delete_for_recompute(
            "2026-10", house_id=closed_world.house.id)
        assert deleted == 1
        assert _count(session, "2026-10") == 0

    def test_but_its_lines_are_never_updated(self, session, closed_world):
        _refused(session, text("UPDATE ledger_lines SET explain = 'x' "
                               "WHERE period_booked = '2026-10'"), {}, "не изменяются")

    def test_no_period_can_be_renamed(self, session, closed_world):
        _refused(session, text("UPDATE billing_periods SET period = '2026-11' "
                               "WHERE period = '2026-10'"), {}, "переименовывается")


class TestConstraintsOnLines:
    @pytest.mark.parametrize(("field", "value", "constraint"), [
        ("kind", "bonus", "kind_allowed"),
        ("for_", "2026-00", "period_for_format"),
        ("for_", "2025-1x", "period_for_format"),
        ("for_", "2026-11", "not_booked_before_due"),
    ])
    def test_a_line_outside_the_rules_is_refused(self, session, world, field, value, constraint):
        params = {"account": world.accounts[0].id, "provider": world.provider.id,
                  "for_": "2026-10", "booked": "2026-10", "kind": "recalculation", "amount": 1}
        params[field] = value
        _refused(session, INSERT_LINE, params, constraint)

    def test_a_charge_is_for_the_period_it_is_booked_in(self, session, world):
        PeriodRepository(session).open("2026-08")
        params = {"account": world.accounts[0].id, "provider": world.provider.id,
                  "for_": "2026-08", "booked": "2026-10", "kind": "charge", "amount": 1}
        _refused(session, INSERT_LINE, params, "charge_in_own_period")

    def test_a_fractional_amount_is_refused_on_sqlite_and_stored_as_bigint_on_postgres(
            self, session, world, backend):
        params = {"account": world.accounts[0].id, "provider": world.provider.id,
                  "for_": "2026-10", "booked": "2026-10", "kind": "charge"}
        if backend == "sqlite":
            _refused(session, INSERT_LINE, {**params, "amount": 12.5}, "amount_kopecks_integer")
        else:
            kind = session.execute(text(
                "SELECT data_type FROM information_schema.columns WHERE "
                "table_name = 'ledger_lines' AND column_name = 'amount_kopecks'")).scalar_one()
            assert kind == "bigint"


def test_the_audit_log_cannot_be_edited_or_deleted(session):
    entry = AuditRepository(session).record(actor="оператор", action="close_period",
                                            object_type="period", object_id="2026-09",
                                            before={"status": "open"},
                                            after={"status": "closed"}, reason="конец месяца")
    _refused(session, text("UPDATE audit_log SET actor = 'x' WHERE id = :i"), {"i": entry.id},
             "аудита")
    _refused(session, text("DELETE FROM audit_log WHERE id = :i"), {"i": entry.id}, "аудита")
    entries, total = AuditRepository(session).list_entries(object_type="period",
                                                           object_id="2026-09")
    assert total == 1
    assert [(e.before, e.after) for e in entries] == [({"status": "open"}, {"status": "closed"})]


@pytest.mark.parametrize("value", [
    "2026-10", "1000-01", "9999-12",
    "2026-00", "2026-13", "2026-1x", "20a6-10", "0999-10", "2026-1", "2026-100", "2026/10",
    " 2026-1", "2026-²1", "２０２６-10",
])
def test_the_period_check_accepts_exactly_yyyy_mm(session, world, value):
    """The cheap dialect forms of the check agree with the plain definition of a period."""
    import re

    expected = bool(re.fullmatch(r"[1-9][0-9]{3}-(0[1-9]|1[0-2])", value, flags=re.ASCII))
    params = {"account": world.accounts[0].id, "provider": world.provider.id,
              "for_": value, "booked": "9999-12", "kind": "recalculation", "amount": 1}
    # the database's check is the format alone; the application bounds years to 1900–2099
    session.add(BillingPeriod(period="9999-12", status="open"))
    session.flush()
    if expected:
        with session.begin_nested():
            session.execute(INSERT_LINE, params)
    else:  # PostgreSQL may refuse by the column length or another check first
        with pytest.raises(DBAPIError, match=r"period_for_format|not_booked_before_due|too long"), \
                session.begin_nested():
            session.execute(INSERT_LINE, params)


class TestReferencesOfLines:
    """A line points at an existing account, provider and booking period, and what a line
    points at is not deleted: foreign keys on SQLite, one statement-level trigger per COPY
    plus guards on the referenced tables on PostgreSQL (migrations 0101, 0105)."""

    REFUSED = "FOREIGN KEY|несуществующий объект"

    @pytest.mark.parametrize("field", ["account", "provider", "booked"])
    def test_a_line_pointing_at_nothing_is_refused(self, session, world, field):
        params = {"account": world.accounts[0].id, "provider": world.provider.id,
                  "for_": "2026-10", "booked": "2026-10", "kind": "charge", "amount": 1}
        params[field] = "2031-01" if field == "booked" else 987_654
        if field == "booked":
            params["for_"] = "2031-01"
        _refused(session, INSERT_LINE, params, self.REFUSED)
        assert _count(session, params["booked"]) == 0

    def test_the_bulk_writer_refuses_the_whole_batch(self, session, world):
        good = _line(world, "2026-10")
        orphan = good._replace(account_id=987_654)
        with pytest.raises(IntegrityError, match=self.REFUSED), session.begin_nested():
            LedgerRepository(session).write_lines([good, good, orphan])
        assert _count(session, "2026-10") == 0

    def test_the_refusal_names_the_missing_account(self, session, world, backend):
        good = _line(world, "2026-10")
        rows = [good, good._replace(account_id=987_654), good._replace(account_id=987_655)]
        expected = "FOREIGN KEY" if backend == "sqlite" else "лицевой счёт id 987654"
        with pytest.raises(IntegrityError, match=expected), session.begin_nested():
            LedgerRepository(session).write_lines(rows)

    @pytest.mark.parametrize("period", ["2026-13", "2026-1x", "0999-10"])
    def test_a_charge_in_a_malformed_period_is_refused(self, session, world, period):
        """On PostgreSQL a charge's periods are not matched against the format line by line:
        its booked period must be a billing period, and those are checked for format."""
        params = {"account": world.accounts[0].id, "provider": world.provider.id,
                  "for_": period, "booked": period, "kind": "charge", "amount": 1}
        _refused(session, INSERT_LINE, params, "period_booked_format|" + self.REFUSED)
        _refused(session, text("INSERT INTO billing_periods (period, status) "
                               "VALUES (:p, 'open')"), {"p": period}, "period_format")

    def test_lines_of_existing_rows_are_accepted_in_bulk(self, session, world):
        rows = [_line(world, "2026-10")._replace(account_id=a.id) for a in world.accounts]
        assert LedgerRepository(session).write_lines(rows * 3) == 6

    @pytest.mark.parametrize("target", ["account", "provider", "period"])
    def test_what_a_line_points_at_cannot_be_deleted(self, session, world, target):
        reg_provider = world.provider.id
        if target == "provider":
            session.execute(text("INSERT INTO providers (code, name, inn) "
                                 "VALUES ('teplo', 'Теплосеть', '7700000001')"))
            reg_provider = session.execute(text(
                "SELECT id FROM providers WHERE code = 'teplo'")).scalar_one()
        booked = "2026-10"
        if target == "period":
            PeriodRepository(session).open("2026-11")
            booked = "2026-11"
        line = _line(world, booked)._replace(account_id=world.accounts[1].id,
                                             provider_id=reg_provider)
        LedgerRepository(session).write_lines([line])
        statement = {
            "account": ("DELETE FROM accounts WHERE id = :id", world.accounts[1].id),
            "provider": ("DELETE FROM providers WHERE id = :id", reg_provider),
            "period": ("DELETE FROM billing_periods WHERE period = :id", booked),
        }[target]
        _refused(session, text(statement[0]), {"id": statement[1]},
                 "FOREIGN KEY|ссылаются строки журнала")
        assert _count(session, booked) == 1

    def test_an_unreferenced_row_can_still_be_deleted(self, session, world):
        PeriodRepository(session).open("2026-12")
        gone = session.execute(text("DELETE FROM billing_periods WHERE period = '2026-12'"))
        assert gone.rowcount == 1
        gone = session.execute(text("DELETE FROM accounts WHERE id = :id"),
                               {"id": world.accounts[1].id})
        assert gone.rowcount == 1
        assert session.execute(text("SELECT count(*) FROM billing_periods "
                                    "WHERE period = '2026-12'")).scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM accounts WHERE id = :id"),
                               {"id": world.accounts[1].id}).scalar_one() == 0
