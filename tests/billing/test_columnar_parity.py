"""The columnar path gives exactly the lines of the per-situation path (every field, explain)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import exists, select, update

from zhkh.kernel.calc.calculate import calculate
from zhkh.kernel.calc.columnar import calculate_columns
from zhkh.kernel.calc.columnar_rows import to_lines
from zhkh.kernel.period import Period
from zhkh.modules.billing.columns import ColumnReader
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.run import run_period
from zhkh.modules.complaints.repository import ComplaintsRepository
from zhkh.modules.demo.town import (
    TownBuilder,
    fix_sequences,
    write_benefits,
    write_readings,
)
from zhkh.modules.meters.models import Meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.passport.models import Registration
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.models import Account, AccountService, House, Premises

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


def _town(session, seed: int, accounts: int, houses: int, missing: float,
          extras: bool = False, moves: int = 0):
    """A town with readings up to 2026-10; ``moves`` more registrations changing inside
    each of the months checked (2026-05 … 2026-10), besides the town's own."""
    rng = random.Random(seed)
    town = TownBuilder(session, rng, accounts=accounts, houses=houses,
                       start=START.shift(3)).build()
    for back in range(8, -1, -1):
        write_readings(session, town, rng, START.shift(9 - back), missing=missing)
    if extras:
        _benefits_and_incidents(session, town, rng)
    fix_sequences(session)  # the town's rows have explicit ids; new persons come after
    for offset in range(4, 10):
        _moves(session, town, rng, START.shift(offset), moves)
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


def _moves(session, town, rng, period: Period, count: int) -> None:
    """``count`` changes of residents inside ``period`` in random flats: a person moving in,
    one staying a few days, or a resident moving out (a flat may be left to its owners)."""
    passport = PassportRepository(session)
    flats = [p for _a, p in town.accounts]
    for _ in range(count):
        flat = rng.choice(flats)
        day = period.first_day + timedelta(days=rng.randint(1, period.days - 1))
        kind = rng.choice(("in", "stay", "out"))
        staying = session.scalars(select(Registration).where(
            Registration.premises_id == flat, Registration.date_to.is_(None),
            Registration.date_from < day).order_by(Registration.id)).all()
        if kind == "out" and staying:
            rng.choice(staying).date_to = day - timedelta(days=1)
            continue
        person = passport.add_person()
        end = day + timedelta(days=rng.randint(0, (period.last_day - day).days)) \
            if kind == "stay" else None
        passport.add_registration(person_id=person.id, premises_id=flat,
                                  kind="stay" if end else "residence", date_from=day,
                                  date_to=end)
    session.flush()


def _benefits_and_incidents(session, town, rng) -> None:
    """Benefit holders in a fifth of the households; in the first house a closed interruption
    of cold water for the house and an open one (August 2026), in a flat of the last house
    cold radiators from 28 July to 2 August."""
    write_benefits(session, town, rng, share=0.2, start=START.shift(3))
    incidents = ComplaintsRepository(session)
    incidents.add_incident(house_id=town.houses[0], service="cold_water", kind="interruption",
                           started_at=datetime(2026, 8, 3, 9), ended_at=datetime(2026, 8, 4, 21))
    incidents.add_incident(house_id=town.houses[0], service="hot_water", kind="interruption",
                           started_at=datetime(2026, 8, 20, 9))
    last = max(p for a, p in town.accounts)
    house = session.scalar(select(Premises.house_id).where(Premises.id == last))
    incidents.add_incident(house_id=house, premises_id=last, service="heating",
                           kind="temperature", magnitude_micro=3_000_000,
                           started_at=datetime(2026, 7, 28, 0), ended_at=datetime(2026, 8, 2, 0))
    session.flush()


def _second_stage_accounts(session, period: Period) -> set[int]:
    """Accounts with a benefit holder registered in the month or a closed incident of their
    house (on a service they have) or premises in it."""
    reader = FactsReader(session, period)
    houses = list(session.scalars(select(House.id)))
    premises = select(Premises.id).where(Premises.house_id.in_(houses))
    found = set(reader.benefits(select(Account.id)))
    for incidents in reader.incidents(houses, premises).values():
        for inc in incidents:
            stmt = select(Account.id).join(Premises, Premises.id == Account.premises_id).join(
                AccountService, AccountService.account_id == Account.id).where(
                AccountService.service == inc.service)
            stmt = stmt.where(Premises.id == inc.premises_id) if inc.premises_id else \
                stmt.where(Premises.house_id == inc.house_id)
            found |= set(session.scalars(stmt))
    return found


def _part_of_month(lines, period: Period) -> list:
    return [ln for ln in lines if (ln.date_from, ln.date_to) != (
        period.first_day.isoformat(), period.last_day.isoformat())]


def test_the_columnar_lines_equal_the_situation_lines_for_several_months(session, calculator):
    _town(session, seed=11, accounts=160, houses=4, missing=0.2, moves=6)
    methods: Counter = Counter()
    cut: Counter = Counter()
    for offset in (4, 5, 6, 7, 8, 9):
        period = START.shift(offset)
        got, expected, routed, batch = _both_paths(session, calculator, period)
        assert len(routed) < len(batch.numbers) // 2
        assert [ln.model_dump() for ln in got] == [ln.model_dump() for ln in expected]
        methods.update((ln.method, ln.zone) for ln in got)
        cut.update((ln.method, ln.service, ln.component) for ln in _part_of_month(got, period))
    # residents changing inside the month stayed columnar: only norm lines were cut, water
    # and waste (hot water's heat component with its factor too) among them
    assert {m for m, _s, _c in cut} == {"norm"}
    assert {("cold_water", None), ("hot_water", "heat"), ("solid_waste", None)} <= {
        (s, c) for _m, s, c in cut}, cut
    # the town exercised what the columnar path claims to handle
    for wanted in [("meter", None), ("meter", "day"), ("meter", "night"), ("average", None),
                   ("norm", None), ("area_norm", None), ("house_share", None), ("area", None),
                   ("derived", None), ("fixed", None)]:
        assert methods[wanted] > 0, wanted


def test_accounts_with_a_benefit_or_an_incident_take_the_situation_path(session, calculator):
    _town(session, seed=3, accounts=60, houses=3, missing=0.1, extras=True)
    for offset in (5, 6, 7):
        period = START.shift(offset)
        _got, _expected, routed, _batch = _both_paths(session, calculator, period)
        second = _second_stage_accounts(session, period)
        assert second and second <= routed
    # the open incident and the July–August cold rooms were read only where they overlap
    assert _second_stage_accounts(session, START.shift(5)) != _second_stage_accounts(
        session, START.shift(6))


def test_a_run_on_the_columnar_path_writes_the_ledger_of_the_situation_path(
        session, unit, calculator):
    _town(session, seed=5, accounts=90, houses=3, missing=0.3, extras=True, moves=8)
    period = str(START.shift(7))
    fields = (LedgerLine.account_id, LedgerLine.kind, LedgerLine.service, LedgerLine.component,
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
    assert any("electricity.norm_no_meter_access_refused" in row[10] for row in before)
    kinds = {line[1] for line in before}
    assert {"charge", "benefit", "quality_reduction"} <= kinds
    assert (fast.lines, fast.accounts, fast.amount_kopecks) == (
        slow.lines, slow.accounts, slow.amount_kopecks)
    assert fast.by_service == slow.by_service
    assert [(e.account, e.code) for e in fast.errors] == [(e.account, e.code)
                                                          for e in slow.errors]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), accounts=st.integers(5, 40),
       missing=st.sampled_from([0.0, 0.3, 0.7]), offset=st.integers(4, 9),
       moves=st.integers(0, 4))
def test_random_small_towns_give_the_same_lines_on_both_paths(
        session, calculator, seed, accounts, missing, offset, moves):
    with session.begin_nested() as nested:
        _town(session, seed=seed, accounts=accounts, houses=max(1, accounts // 15),
              missing=missing, extras=True, moves=moves)
        got, expected, routed, _batch = _both_paths(session, calculator, START.shift(offset))
        assert [ln.model_dump() for ln in got] == [ln.model_dump() for ln in expected]
        assert _second_stage_accounts(session, START.shift(offset)) <= routed
        nested.rollback()
