"""What a situation says about an account: residents by day, readings around the period."""

from datetime import date

import pytest

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.observations import (
    active_meters,
    check_verification,
    months_without_readings,
    persons_segments,
)
from zhkh.kernel.calc.situation import Account, Meter
from zhkh.kernel.period import Period

OCT = Period(2026, 10)


def account(residents, owners=0):
    return Account.model_validate({
        "number": "1", "area": "50", "owners": owners, "residents": residents,
        "services": [{"service": "cold_water", "provider": "p"}],
    })


def test_residents_are_counted_per_day_including_first_and_last_day():
    acc = account([
        {"person": "a", "from": "2020-01-01"},
        {"person": "b", "from": "2026-10-11", "to": "2026-10-20"},
    ])
    segs = [(s.start.day, s.end.day, s.value) for s in persons_segments(acc, OCT)]
    assert segs == [(1, 10, 1), (11, 20, 2), (21, 31, 1)]


def test_owners_are_counted_when_nobody_is_registered():
    acc = account([{"person": "a", "from": "2026-10-16"}], owners=2)
    segs = [(s.start.day, s.end.day, s.value) for s in persons_segments(acc, OCT)]
    assert segs == [(1, 15, 2), (16, 31, 1)]


def meter(readings, **kw):
    return Meter.model_validate({"id": "m", "readings": readings, **kw})


def test_previous_is_the_last_reading_before_the_month_and_current_the_last_inside_it():
    m = meter([
        {"date": "2026-08-25", "value": "100"},
        {"date": "2026-09-24", "value": "110"},
        {"date": "2026-10-10", "value": "112"},
        {"date": "2026-10-25", "value": "118.5"},
    ])
    (mp,) = active_meters([m], OCT)
    z = mp.zones[0]
    assert (z.previous.value, z.current.value) == (110, 118.5)
    assert mp.readings_present
    assert z.history_volumes == (10,)


def test_a_meter_installed_inside_the_month_starts_from_its_initial_reading():
    m = meter([{"date": "2026-10-12", "value": "0.5"}, {"date": "2026-10-25", "value": "4"}],
              installed="2026-10-12")
    (mp,) = active_meters([m], OCT)
    assert (mp.start, mp.end) == (date(2026, 10, 12), date(2026, 10, 31))
    assert (mp.zones[0].previous.value, mp.zones[0].current.value) == (0.5, 4)


def test_a_removed_meter_is_not_active_after_removal():
    m = meter([], removed="2026-09-30")
    assert active_meters([m], OCT) == []


def test_months_without_readings_count_back_from_the_period():
    m = meter([{"date": "2026-07-25", "value": "1"}])
    assert months_without_readings([m], OCT) == 3
    m2 = meter([{"date": "2026-10-02", "value": "1"}])
    assert months_without_readings([m2], OCT) == 0


def test_a_reading_taken_after_verification_expired_is_refused():
    m = meter([{"date": "2026-10-25", "value": "5"}], verified_until="2026-10-01")
    with pytest.raises(CalculationError) as err:
        check_verification("1", "cold_water", [m])
    assert err.value.code == "meter_verification_expired"
    assert err.value.account == "1"
