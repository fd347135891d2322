"""Closing with pre-close checks; recalculation of closed months into the open one."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, text

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.settings import Settings
from zhkh.kernel.money import to_kopecks
from zhkh.modules.audit.models import AuditEntry
from zhkh.modules.billing.account_calc import recalculate_account
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.periods import close_period, pre_close_checks
from zhkh.modules.billing.recalc import recalc_since
from zhkh.modules.billing.repository import PeriodRepository, RecalculationQueueRepository
from zhkh.modules.billing.run import run_period
from zhkh.modules.meters.models import Meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.registry.models import Account, AccountService, Premises
from zhkh.rules import RULES_DIR

OLD, NEW = "2026-08", "2026-09"


def _sums(session, **where):
    stmt = select(LedgerLine.account_id, LedgerLine.service, func.sum(LedgerLine.amount_kopecks))
    for column, value in where.items():
        stmt = stmt.where(getattr(LedgerLine, column) == value)
    stmt = stmt.group_by(LedgerLine.account_id, LedgerLine.service)
    return {(a, s): int(k) for a, s, k in session.execute(stmt)}


def _close_old(session, unit, calculator):
    run_period(unit, calculator, OLD)
    report = close_period(session, OLD)
    assert report.closed and report.opened == NEW
    run_period(unit, calculator, NEW)


def test_closing_is_refused_while_a_run_error_and_accounts_without_charges_remain(
        session, unit, town, calculator):
    bad_id = town.accounts[0][0]
    session.add(AccountService(account_id=bad_id, service="sauna", provider_id=1,
                               date_from=date(2026, 1, 1)))
    session.flush()
    run_period(unit, calculator, OLD)
    refused = close_period(session, OLD)
    assert not refused.closed
    assert {c.code for c in refused.blocking} == {"run_errors", "no_charges"}
    assert not PeriodRepository(session).is_closed(OLD)

    session.execute(delete(AccountService).where(AccountService.service == "sauna"))
    run_period(unit, calculator, OLD)
    allowed = close_period(session, OLD)
    assert allowed.closed and allowed.blocking == []
    assert PeriodRepository(session).is_closed(OLD)


def test_closing_is_refused_before_any_run(session, unit, town, calculator):
    PeriodRepository(session).open(OLD)
    report = close_period(session, OLD)
    assert not report.closed
    missing = next(c for c in report.checks if c.code == "no_charges")
    assert missing.count == len(town.accounts)


def test_a_corrected_reading_of_a_closed_month_is_booked_in_the_open_month(
        session, unit, town, calculator):
    _close_old(session, unit, calculator)
    closed_before = _sums(session, period_booked=OLD)
    meter = session.scalar(select(Meter).where(Meter.service == "cold_water",
                                               Meter.kind == "individual").order_by(Meter.id))
    readings = MeterRepository(session).current_readings(meter.id)
    target = next(r for r in readings if r.taken_on.strftime("%Y-%m") == OLD)
    previous = max((r for r in readings if r.taken_on < target.taken_on),
                   key=lambda r: r.taken_on)
    account_id = session.scalar(select(Account.id).where(
        Account.premises_id == meter.premises_id))
    old_volume = target.value_micro - previous.value_micro
    MeterRepository(session).add_correction(target, value_micro=previous.value_micro
                                            + old_volume // 2, reason="опечатка")
    RecalculationQueueRepository(session).enqueue(account_id=account_id, period_for=OLD,
                                                  reason="исправлено показание")
    run_period(unit, calculator, NEW)  # the run processes the queue

    assert _sums(session, period_booked=OLD) == closed_before
    recalcs = list(session.scalars(select(LedgerLine).where(
        LedgerLine.kind == "recalculation", LedgerLine.account_id == account_id)))
    by_service = {(r.service, r.period_for): r for r in recalcs}
    cold = by_service[("cold_water", OLD)]
    assert cold.period_booked == NEW and cold.amount_kopecks < 0
    assert "было" in cold.explain and "стало" in cold.explain
    assert "причина: исправлено показание" in cold.explain
    was = closed_before[(account_id, "cold_water")]
    assert _sums(session, period_for=OLD)[(account_id, "cold_water")] == was + cold.amount_kopecks
    # the open month's own charge moved the other way (its previous reading is lower now)
    assert ("cold_water", NEW) not in by_service


def test_recalc_since_books_a_retroactive_tariff_change_for_every_account(
        session, unit, town, calculator, tmp_path):
    _close_old(session, unit, calculator)
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    tariffs = rules / "tariffs" / "housing.yaml"
    text = tariffs.read_text(encoding="utf-8")
    assert '2026-01-01: "35.20"' in text
    tariffs.write_text(text.replace('2026-01-01: "35.20"', '2026-01-01: "36.20"'),
                       encoding="utf-8")
    changed = bootstrap(Settings(rules_dir=rules)).batch_calculator

    booked = recalc_since(unit, changed, OLD, reason="решение об изменении платы",
                          actor="Иванова")
    assert {b.service for b in booked} == {"maintenance"}
    # audited with the actor and the reason, to the kopeck of what was booked (issue 14, 7)
    entries = list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == "billing.recalc")))
    assert entries and {(e.actor, e.reason) for e in entries} == {
        ("Иванова", "решение об изменении платы")}
    assert sum(e.after["lines"] for e in entries) == len(booked)
    assert sum(e.after["amount_kopecks"] for e in entries) == sum(
        b.amount_kopecks for b in booked)
    assert len(booked) == len(town.accounts)
    areas = dict(session.execute(select(Account.id, Premises.area_micro).join(
        Premises, Premises.id == Account.premises_id)).all())
    for b in booked:
        area = Decimal(areas[b.account_id]).scaleb(-6)
        assert b.amount_kopecks == (to_kopecks(area * Decimal("36.20"))
                                    - to_kopecks(area * Decimal("35.20")))
        assert b.now_kopecks - b.was_kopecks == b.amount_kopecks > 0
    again = recalc_since(unit, changed, OLD, reason="повтор")
    assert again == []  # idempotent: the ledger already holds the new amounts


def test_online_recalculation_returns_the_new_lines_and_books_closed_months(
        session, unit, town, calculator):
    _close_old(session, unit, calculator)
    number = session.scalar(select(Account.number).order_by(Account.id))
    lines = recalculate_account(session, number, OLD, calculator=calculator)
    charges = [ln for ln in lines if ln["kind"] == "charge"]
    assert charges and all(ln["period_booked"] == NEW for ln in charges)
    assert all(isinstance(ln["amount"], str) for ln in lines)
    # nothing changed in the facts: no recalculation to book
    assert [ln for ln in lines if ln["kind"] == "recalculation"] == []


def test_online_recalculation_of_an_unknown_account_is_refused(session, unit, town, calculator):
    from zhkh.modules.errors import NotFound

    PeriodRepository(session).open(OLD)
    with pytest.raises(NotFound):
        recalculate_account(session, "0000000000", OLD, calculator=calculator)



def _ledger_statistics(session) -> int:
    return session.execute(text(
        "SELECT count(*) FROM pg_stats WHERE tablename = 'ledger_lines'")).scalar_one()


def test_on_postgresql_a_run_and_the_pre_close_checks_leave_the_ledger_analyzed(
        session, unit, town, calculator, backend):
    """Without planner statistics of the lines just written, PostgreSQL planned the
    suspicious-volume check as a nested loop re-running one aggregate per row of the other:
    minutes for a 2,000-account demo month instead of milliseconds."""
    if backend != "postgresql":
        pytest.skip("ANALYZE и статистика планировщика — только PostgreSQL")
    assert _ledger_statistics(session) == 0
    run_period(unit, calculator, OLD)
    assert _ledger_statistics(session) > 0
    session.execute(text("DELETE FROM pg_statistic WHERE starelid = 'ledger_lines'::regclass"))
    assert _ledger_statistics(session) == 0
    pre_close_checks(session, OLD)
    assert _ledger_statistics(session) > 0


def test_an_incident_not_ended_is_reported_before_closing_but_does_not_block_it(
        session, unit, town, calculator):
    from datetime import datetime

    from zhkh.modules.complaints.repository import ComplaintsRepository

    incidents = ComplaintsRepository(session)
    open_one = incidents.add_incident(house_id=town.houses[0], service="hot_water",
                                      kind="interruption", started_at=datetime(2026, 8, 30, 9),
                                      reference="акт №7")
    incidents.add_incident(house_id=town.houses[0], service="cold_water", kind="interruption",
                           started_at=datetime(2026, 8, 3, 9), ended_at=datetime(2026, 8, 3, 20))
    incidents.add_incident(house_id=town.houses[1], service="heating", kind="interruption",
                           started_at=datetime(2026, 9, 1, 0))
    session.flush()
    run_period(unit, calculator, OLD)
    check = next(c for c in pre_close_checks(session, OLD) if c.code == "open_incidents")
    assert (check.blocking, check.count) == (False, 1)
    assert check.examples[0].startswith("акт №7: hot_water, ") and "с 30.08.2026 09:00" in \
        check.examples[0]
    assert close_period(session, OLD).closed
    assert open_one.ended_at is None
