"""Readings: a resent reading is stored once; a correction supersedes, history is kept."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from zhkh.modules.errors import Conflict
from zhkh.modules.meters.repository import MeterRepository


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
    with pytest.raises(Conflict, match="call-7"):
        meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20), value_micro=2,
                           source="phone", source_id="call-7")


def test_a_correction_supersedes_and_keeps_the_history(session, meter):
    meters = MeterRepository(session)
    wrong, _ = meters.add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20),
                                  value_micro=900_000_000, source="cashier", source_id="c-1")
    fixed = meters.add_correction(wrong, value_micro=90_000_000, reason="лишний ноль")
    current = meters.current_readings(meter.id)
    assert [r.id for r in current] == [fixed.id]
    assert (fixed.supersedes_id, fixed.taken_on, fixed.reason) == (
        wrong.id, wrong.taken_on, "лишний ноль")
    assert meters.superseded_ids([wrong.id, fixed.id]) == {wrong.id}
    with pytest.raises(IntegrityError), session.begin_nested():
        meters.add_correction(wrong, value_micro=1, reason="снова")


def test_a_reading_of_a_zone_the_meter_lacks_is_refused(session, meter):
    with pytest.raises(IntegrityError), session.begin_nested():
        MeterRepository(session).add_reading(meter_id=meter.id, taken_on=date(2026, 10, 20),
                                             value_micro=1, source="portal", zone="night")
