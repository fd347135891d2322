"""The monthly run over the database: lines equal to the kernel's, reruns replace, errors kept."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from zhkh.kernel.calc.calculate import calculate
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.money import to_kopecks, to_micro
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.models import LedgerLine, RunError
from zhkh.modules.billing.run import run_period
from zhkh.modules.registry.models import Account, AccountService, House

PERIOD = "2026-08"


def _ledger(session, period=PERIOD):
    rows = session.execute(select(
        LedgerLine.account_id, LedgerLine.service, LedgerLine.component, LedgerLine.zone,
        LedgerLine.volume_micro, LedgerLine.tariff_micro, LedgerLine.amount_kopecks,
    ).where(LedgerLine.period_booked == period, LedgerLine.kind == "charge")).all()
    return sorted(tuple(r) for r in rows)


def test_a_run_writes_the_lines_calculate_gives_on_validated_situations(
        session, unit, town, calculator):
    report = run_period(unit, calculator, PERIOD)
    assert report.errors == [] and report.lines > 0
    expected = []
    houses = list(session.scalars(select(House.id)))
    facts = FactsReader(session, PERIOD).for_houses(houses)
    for built in facts.situations:
        # the situation built without validation must pass validation unchanged
        situation = Situation.model_validate(built.model_dump(by_alias=True))
        for line in calculate(situation, calculator.rulebook, calculator.engine).lines:
            expected.append((facts.account_ids[line.account], line.service, line.component,
                             line.zone, to_micro(line.volume), to_micro(line.tariff),
                             to_kopecks(line.amount)))
    assert _ledger(session) == sorted(expected)
    assert report.lines == len(expected)
    assert report.amount_kopecks == sum(e[-1] for e in expected)


def test_a_rerun_of_an_open_period_replaces_its_lines_and_never_duplicates_them(
        session, unit, town, calculator):
    run_period(unit, calculator, PERIOD)
    first = _ledger(session)
    second = run_period(unit, calculator, PERIOD)
    assert _ledger(session) == first
    assert set(session.scalars(select(LedgerLine.run_id))) == {second.run_id}


def test_an_account_that_fails_gets_a_stored_error_and_the_others_their_lines(
        session, unit, town, calculator):
    bad_id = town.accounts[0][0]
    session.add(AccountService(account_id=bad_id, service="sauna", provider_id=1,
                               date_from=date(2026, 1, 1)))
    session.flush()
    report = run_period(unit, calculator, PERIOD)
    assert [(e.code, e.service) for e in report.errors] == [("unknown_service", "sauna")]
    stored = list(session.scalars(select(RunError).where(RunError.run_id == report.run_id)))
    assert [(e.account_id, e.code) for e in stored] == [(bad_id, "unknown_service")]
    with_lines = set(session.scalars(select(LedgerLine.account_id).where(
        LedgerLine.period_booked == PERIOD)))
    all_accounts = set(session.scalars(select(Account.id)))
    assert with_lines == all_accounts - {bad_id}
    assert session.scalar(select(func.count()).select_from(LedgerLine).where(
        LedgerLine.account_id == bad_id)) == 0
