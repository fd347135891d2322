"""A new account without a number gets the next free one with its check digit (API, CLI, the
service), and two creations at the same moment get different numbers."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from zhkh.adapters.cli.main import app
from zhkh.modules.audit import Actor
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.account_number import is_valid_account_number, make_account_number
from zhkh.modules.registry.models import Account, House, Premises
from zhkh.modules.registry.schemas import AccountCreate

from .conftest import World


def test_the_api_numbers_a_new_account_after_the_greatest_ten_digit_number(backend_api):
    world = World(backend_api)
    assert [a["number"] for a in world.accounts] == [make_account_number(100),
                                                      make_account_number(101)]
    made = [backend_api.ok("POST", "/v1/accounts", {"premises_id": world.flats[1]["id"],
                                                    "opened_on": "2026-10-01"})
            for _ in range(2)]
    assert [m["number"] for m in made] == [make_account_number(102),
                                           make_account_number(103)]
    assert all(is_valid_account_number(m["number"]) for m in made)
    # a number typed by hand of another width does not move the series
    backend_api.ok("POST", "/v1/accounts", {"number": make_account_number(5, width=8),
                                            "premises_id": world.flats[1]["id"],
                                            "opened_on": "2026-10-01"})
    third = backend_api.ok("POST", "/v1/accounts", {"premises_id": world.flats[1]["id"],
                                                    "opened_on": "2026-10-01"})
    assert third["number"] == make_account_number(104)


def test_the_first_account_of_an_empty_registry_is_number_one(api):
    house = api.ok("POST", "/v1/houses", {"address": "ул. Новая, 1"})
    flat = api.ok("POST", "/v1/premises", {"house_id": house["id"], "number": "1",
                                           "area": "40"})
    made = api.ok("POST", "/v1/accounts", {"premises_id": flat["id"],
                                           "opened_on": "2026-10-01"})
    assert made["number"] == make_account_number(1) == "0000000018"


def test_two_creations_at_once_get_different_numbers(backend_api):
    """A holds its new account uncommitted while B picks a number: on PostgreSQL B picks the
    same one, waits on the unique index, fails inside its savepoint and takes the next; on
    SQLite B waits for the write lock and reads A's row."""
    database = backend_api.database
    with database.session() as session:
        house = House(address="ул. Гонки, 1")
        session.add(house)
        session.flush()
        flat = Premises(house_id=house.id, number="1", kind="flat", area_micro=40_000_000,
                        rooms=1)
        session.add(flat)
        session.flush()
        premises_id = flat.id
    data = AccountCreate(premises_id=premises_id, opened_on=date(2026, 10, 1))
    a_flushed, b_started = threading.Event(), threading.Event()
    numbers: dict[str, str] = {}
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with database.session() as session:
                numbers["a"] = registry.create_account(session, Actor("a"), data).number
                a_flushed.set()
                b_started.wait(10)
                threading.Event().wait(0.5)  # B is now inside its insert (or its BEGIN)
        except BaseException as exc:
            failures.append(exc)
            a_flushed.set()

    def second() -> None:
        try:
            a_flushed.wait(10)
            b_started.set()
            with database.session() as session:
                numbers["b"] = registry.create_account(session, Actor("b"), data).number
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    assert numbers == {"a": make_account_number(1), "b": make_account_number(2)}
    with database.reader() as session:
        stored = session.scalars(select(Account.number).order_by(Account.number)).all()
    assert stored == [make_account_number(1), make_account_number(2)]


def test_the_cli_opens_an_account_with_a_generated_number(api):
    house = api.ok("POST", "/v1/houses", {"address": "ул. Новая, 2"})
    flat = api.ok("POST", "/v1/premises", {"house_id": house["id"], "number": "7",
                                           "area": "40"})
    url = str(api.database.engine.url)
    result = CliRunner().invoke(app, ["accounts", "create", "--premises", str(flat["id"]),
                                      "--opened-on", "01.10.2026", "--database", url])
    assert result.exit_code == 0, result.output
    assert f"Открыт лицевой счёт {make_account_number(1)}" in result.output
    bad = CliRunner().invoke(app, ["accounts", "create", "--premises", str(flat["id"]),
                                   "--opened-on", "2026-10-01", "--number", "0000000011",
                                   "--database", url])
    assert bad.exit_code == 2 and "контрольная цифра" in bad.output, bad.output
