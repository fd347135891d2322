"""Readings: a resent reading is stored once; a correction supersedes, history is kept."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from zhkh.modules.meters.repository import (
    MeterRepository,
    ReadingConflictError,
    ReadingSupersededError,
)


@pytest.fixture
def meter(session, world):
    return MeterRepository(session).add_meter(
        serial="СГВ-15 №123", service="cold_water", kind="individual",
        premises_id=world.flats[0].id, installed_on=date(2024, 1, 1),
        zones=("single",), capacity_micro=100_000 * 10**6, verified_until=date(2030, 1, 1))


def test_the_same_reading_sent_twice_is_stored_once(session, meter):
    meters = MeterRepository(session)
    first, created = meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20),
                                        value_micro=123_456_789, source="portal",
                                        source_id="portal-42")
    again, created_again = meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20),
                                              value_micro=123_456_789, source="portal",
                                              source_id="portal-42")
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert len(meters.current_readings(meter.id)) == 1


def test_the_database_itself_refuses_a_duplicate_source_id(session, meter):
    insert = text("INSERT INTO meter_readings (meter_id, zone, taken_on, value_micro, source, "
                  "source_id) VALUES (:m, 'single', '2026-10-20', 1, 'bank_registry', 'b-1')")
    session.execute(insert, {"m": meter.id})
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert, {"m": meter.id})


def test_the_same_source_id_with_another_value_is_a_conflict(session, meter):
    meters = MeterRepository(session)
    meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20), value_micro=1,
                       source="phone", source_id="call-7")
    with pytest.raises(ReadingConflictError, match="call-7"):
        meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20), value_micro=2,
                           source="phone", source_id="call-7")


def test_a_correction_supersedes_and_keeps_the_history(session, meter):
    meters = MeterRepository(session)
    wrong, _ = meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20),
                                  value_micro=900_000_000, source="cashier", source_id="c-1")
    fixed = meters.correct_reading(wrong.id, value_micro=90_000_000, reason="лишний ноль")
    current = meters.current_readings(meter.id)
    assert [r.id for r in current] == [fixed.id]
    assert [r.value_micro for r in meters.reading_history(wrong.id)] == [900_000_000, 90_000_000]
    with pytest.raises(ReadingSupersededError):
        meters.correct_reading(wrong.id, value_micro=1, reason="снова")


def test_a_reading_of_a_zone_the_meter_lacks_is_refused(session, meter):
    with pytest.raises(IntegrityError), session.begin_nested():
        MeterRepository(session).add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20),
                                             value_micro=1, source="portal", zone="night")


def test_house_readings_stream_as_columns(session, world, meter):
    meters = MeterRepository(session)
    for day, value in ((20, 10_000_000), (25, 11_000_000)):
        meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, day), value_micro=value,
                           source="controller")
    batches = list(meters.stream_house_readings(world.house.id, date(2026, 10, 1),
                                                date(2026, 10, 31)))
    assert batches == [{"meter_id": [meter.id] * 2, "premises_id": [world.flats[0].id] * 2,
                        "service": ["cold_water"] * 2, "zone": ["single"] * 2,
                        "taken_on": [date(2026, 10, 20), date(2026, 10, 25)],
                        "value_micro": [10_000_000, 11_000_000]}]
