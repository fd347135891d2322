"""The columnar path gives exactly the lines of the per-situation path (every field, explain)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import exists, select, update

from zhkh.kernel.calc.calculate import calculate
from zhkh.kernel.calc.columnar import calculate_columns
from zhkh.kernel.calc.columnar_rows import to_lines
from zhkh.kernel.period import Period
from zhkh.modules.billing.columns import ColumnReader
from zhkh.modules.billing.demo_town import TownBuilder, write_readings
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.run import run_period
from zhkh.modules.meters.models import Meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.registry.models import House, Premises

START = Period(2026, 1)


def _key(line):
    return (line.account, line.service, line.component or "", line.zone or "", line.date_from)


def _both_paths(session, calculator, period: Period):
    """(columnar lines, situation lines of the same accounts, routed accounts, batch)."""
    houses = list(session.scalars(select(House.id).order_by(House.id)))
    batch = ColumnReader(session, period).for_houses(houses)
    result = calculate_columns(batch.facts, calculator.rulebook, calculator.engine)
    got = to_lines(batch.facts, result, batch.numbers)
    routed = set(batch.slow) | set(result.slow.tolist())
    simple = sorted(set(batch.facts.account.tolist()) - routed)
    expected = []
    for situation in FactsReader(session, period).for_accounts(simple).situations:
        expected += calculate(situation, calculator.rulebook, calculator.engine).lines
    return sorted(got, key=_key), sorted(expected, key=_key), routed, batch


def _town(session, seed: int, accounts: int, houses: int, missing: float):
    rng = random.Random(seed)
    town = TownBuilder(session, rng, accounts=accounts, houses=houses,
                       start=START.shift(3)).build()
    for back in range(8, -1, -1):
        write_readings(session, town, rng, START.shift(9 - back), missing=missing)
    meters = sorted(z.meter_id for z in town.zones)
    # some meters past verification (before the months checked) and one inside a month
    for mid in meters[::7]:
        session.execute(update(Meter).where(Meter.id == mid).values(
            verified_until=date(2026, 3, 31)))
    session.execute(update(Meter).where(Meter.id == meters[3]).values(
        verified_until=date(2026, 8, 15)))
    # acts of refused access in every third flat without an electricity meter: two acts
    # a few months apart, so some months count one act and later months two (×1.5)
    bare = session.scalars(select(Premises.id).where(~exists().where(
        Meter.premises_id == Premises.id, Meter.service == "electricity"))
        .order_by(Premises.id)).all()
    acts = MeterRepository(session)
    for i, pid in enumerate(bare[::3]):
        for n, month in enumerate((3 + i % 3, 5 + i % 3)):
            acts.add_access_refusal(premises_id=pid, service="electricity",
                                    refused_on=START.shift(month).first_day + timedelta(days=9),
                                    act_number=f"Н-{pid}-{n}", drawn_up_by="контролёр")
    session.flush()
    return town


def test_the_columnar_lines_equal_the_situation_lines_for_several_months(session, calculator):
    _town(session, seed=11, accounts=160, houses=4, missing=0.2)
    methods: Counter = Counter()
    for offset in (4, 5, 6, 7, 8, 9):
        period = START.shift(offset)
        got, expected, routed, batch = _both_paths(session, calculator, period)
        assert len(routed) < len(batch.numbers) // 2
        assert [ln.model_dump() for ln in got] == [ln.model_dump() for ln in expected]
        methods.update((ln.method, ln.zone) for ln in got)
    # the town exercised what the columnar path claims to handle
    for wanted in [("meter", None), ("meter", "day"), ("meter", "night"), ("average", None),
                   ("norm", None), ("area_norm", None), ("house_share", None), ("area", None),
                   ("derived", None), ("fixed", None)]:
        assert methods[wanted] > 0, wanted


def test_a_run_on_the_columnar_path_writes_the_ledger_of_the_situation_path(
        session, unit, calculator):
    _town(session, seed=5, accounts=90, houses=3, missing=0.3)
    period = str(START.shift(7))
    fields = (LedgerLine.account_id, LedgerLine.service, LedgerLine.component,
              LedgerLine.zone, LedgerLine.provider_id, LedgerLine.method,
              LedgerLine.volume_micro, LedgerLine.tariff_micro, LedgerLine.amount_kopecks,
              LedgerLine.explain, LedgerLine.rulebook_version)

    def ledger():
        return sorted(tuple(r) for r in session.execute(select(*fields).where(
            LedgerLine.period_booked == period)))

    slow = run_period(unit, calculator, period, columnar=False, process_queue=False)
    before = ledger()
    fast = run_period(unit, calculator, period, columnar=True, process_queue=False)
    assert ledger() == before and before
    # flats with two acts of refused access got ×1.5 on the path the columnar run routed them to
    assert any("electricity.norm_no_meter_access_refused" in row[9] for row in before)
    assert (fast.lines, fast.accounts, fast.amount_kopecks) == (
        slow.lines, slow.accounts, slow.amount_kopecks)
    assert fast.by_service == slow.by_service
    assert [(e.account, e.code) for e in fast.errors] == [(e.account, e.code)
                                                          for e in slow.errors]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), accounts=st.integers(5, 40),
       missing=st.sampled_from([0.0, 0.3, 0.7]), offset=st.integers(4, 9))
def test_random_small_towns_give_the_same_lines_on_both_paths(
        session, calculator, seed, accounts, missing, offset):
    with session.begin_nested() as nested:
        _town(session, seed=seed, accounts=accounts, houses=max(1, accounts // 15),
              missing=missing)
        got, expected, _routed, _batch = _both_paths(session, calculator, START.shift(offset))
        assert [ln.model_dump() for ln in got] == [ln.model_dump() for ln in expected]
        nested.rollback()
