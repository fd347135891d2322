"""``zhkh period open|list|drop`` and ``zhkh owners`` on a fresh database, both backends."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from zhkh.adapters.db import Database
from zhkh.modules.passport.models import Person
from zhkh.modules.registry.models import House, Premises

from .conftest import cli


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, make_db) -> str:
    return make_db(request.param)


def _ok(*args, url):
    result = cli(*args, url=url)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_first_period_opened_is_the_start_and_an_earlier_one_is_refused(url):
    assert "расчёты в этой базе не начаты" in _ok("period", "list", url=url)
    assert "Начало расчётов в этой базе: 2026-01" in _ok("period", "open", "2026-01", url=url)
    refused = cli("period", "open", "2020-01", url=url)
    assert refused.exit_code == 1 and "раньше начала расчётов" in refused.output
    run = cli("run", "--period", "2025-12", url=url)
    assert run.exit_code == 1 and "раньше начала расчётов" in run.output
    listing = _ok("period", "list", url=url)
    assert "январь 2026" in listing and "2026-01" not in listing and "2020" not in listing
    rows = _ok("period", "list", "--format", "csv", url=url).splitlines()
    assert rows[0] == "Период,Состояние,Открыт,Закрыт" and rows[1].startswith("2026-01,открыт,")
    assert json.loads(_ok("period", "list", "--format", "json", url=url))[0]["period"] \
        == "2026-01"


def test_a_wrongly_opened_empty_period_is_dropped(url):
    _ok("period", "open", "2020-01", url=url)
    assert "Период 2020-01 удалён" in _ok("period", "drop", "2020-01", url=url)
    assert "Начало расчётов в этой базе: 2026-01" in _ok("period", "open", "2026-01", url=url)
    missing = cli("period", "drop", "2019-05", url=url)
    assert missing.exit_code == 1


def test_owners_are_added_listed_and_ended(url):
    db = Database.from_url(url)
    with db.session() as session:
        house = House(address="ул. Садовая, 3")
        session.add(house)
        session.flush()
        flat = Premises(house_id=house.id, number="7", area_micro=40_000_000)
        person = Person()
        session.add_all([flat, person])
        session.flush()
        ids = flat.id, person.id
    db.dispose()
    out = _ok("owners", "add", "--person", ids[1], "--premises", ids[0], "--share", "1/2",
              "--from", "01.03.2015", url=url)
    assert "доля 1/2 с 01.03.2015" in out
    refused = cli("owners", "add", "--person", ids[1], "--premises", ids[0], "--share", "2/3",
                  "--from", "2016-01-01", url=url)
    assert refused.exit_code == 1 and "больше целого" in refused.output
    assert "1/2" in _ok("owners", "list", "--premises", ids[0], url=url)
    _ok("owners", "end", "1", "--to", "2026-09-15", url=url)
    assert "Собственники: 0" in _ok("owners", "list", "--premises", ids[0], "--on",
                                    "2026-09-16", url=url)
    engine = Database.from_url(url)
    with engine.reader() as session:
        assert session.execute(text("SELECT count(*) FROM audit_log")).scalar() >= 2
    engine.dispose()


def _held_reading(url, value: str, source_id: str) -> None:
    """A reading held by the checks, sent through the meters service as the API sends it."""
    from zhkh.adapters.bootstrap import bootstrap
    from zhkh.modules.audit import Actor
    from zhkh.modules.meters import service as meters
    from zhkh.modules.meters.models import Meter
    from zhkh.modules.meters.repository import MeterRepository
    from zhkh.modules.meters.schemas import ReadingCreate

    with bootstrap(database_url=url) as application, \
            application.database.session() as session:
        meter = session.query(Meter).one_or_none()
        if meter is None:
            house = House(address="ул. Садовая, 5")
            session.add(house)
            session.flush()
            flat = Premises(house_id=house.id, number="1", area_micro=40_000_000)
            session.add(flat)
            session.flush()
            meter = MeterRepository(session).add_meter(
                serial="ХВ-5", service="cold_water", kind="individual",
                installed_on=date(2026, 1, 1), premises_id=flat.id)
            MeterRepository(session).add_reading(
                meter_id=meter.id, taken_on=date(2026, 9, 24), value_micro=115_000_000,
                source="portal", source_id="s-0")
        reading, created, _ = meters.add_reading(
            session, application.seams, Actor("test", None), meter.id,
            ReadingCreate(taken_on=date(2026, 10, 24), value=value, source="portal",
                          source_id=source_id))
        assert created and type(reading).__name__ == "ReadingReview"


def test_readings_review_lists_confirms_and_rejects(url):
    _held_reading(url, "99999", "big")
    _held_reading(url, "11.8", "typo")
    listing = _ok("readings", "review", "list", "--format", "csv", url=url)
    assert "volume_above_maximum" in listing and "reading_decrease" in listing
    assert "переход через ноль" in listing
    assert "подтверждено" in _ok("readings", "review", "confirm", "1", url=url)
    assert "отклонено" in _ok("readings", "review", "reject", "2", "--reason", "опечатка",
                              url=url)
    assert "Показания на проверке: 0" in _ok("readings", "review", "list", url=url)
    again = cli("readings", "review", "reject", "1", "--reason", "поздно", url=url)
    assert again.exit_code == 1 and "уже подтверждено" in again.output
