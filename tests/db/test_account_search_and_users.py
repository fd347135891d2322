"""Account search (number, address with typos, name) and web users' passwords and sessions,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from zhkh.modules.access.models import WebSession
from zhkh.modules.access.scope import Scope
from zhkh.modules.access.users import (
    create_user,
    disable_user,
    end_session,
    open_session,
    purge_sessions,
    set_password,
    signed_in,
    verify_password,
)
from zhkh.modules.errors import Conflict, Invalid
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.search import accounts_by_name
from zhkh.modules.registry.account_number import make_account_number
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.registry.search import (
    accounts_by_numbers,
    natural_key,
    parse,
    search_accounts,
)


@pytest.fixture
def town(session, world):
    """The world's «ул. Ленина, 1» and a second house «ул. Лесная, д. 7» with flats 1–3."""
    reg = RegistryRepository(session)
    house = reg.add_house(address="ул. Лесная, д. 7", total_area_micro=1_000_000_000)
    flats = [reg.add_premises(house_id=house.id, number=str(n), kind="flat",
                              area_micro=40_000_000) for n in (1, 2, 3)]
    accounts = [reg.add_account(number=make_account_number(500 + i), premises_id=p.id,
                                opened_on=date(2020, 1, 1)) for i, p in enumerate(flats)]
    return world, flats, accounts


def test_numbers_in_addresses_sort_by_value():
    texts = ["ул. Садовая, д. 10", "ул. садовая, д. 2а", "ул. Садовая, д. 2", "ул. Садовая",
             "ул. Садовая, д. 10/1", "ул. Садовая, д. 9", "Н1", "ул. Садовая, д. 010"]
    assert sorted(texts, key=natural_key) == [
        "Н1", "ул. Садовая", "ул. Садовая, д. 2", "ул. садовая, д. 2а", "ул. Садовая, д. 9",
        "ул. Садовая, д. 010", "ул. Садовая, д. 10", "ул. Садовая, д. 10/1"]
    assert sorted(["10", "9", "Н1", "1", "2б", "2"], key=natural_key) == [
        "1", "2", "2б", "9", "10", "Н1"]


def test_search_results_are_in_natural_order_of_houses_and_flats(session, world):
    """«д. 2» before «д. 10» and flat 9 before flat 10, whatever order they were entered in
    (the databases' text order would put «10» first)."""
    reg = RegistryRepository(session)
    made: dict[tuple[str, str], str] = {}
    serial = 700
    for house_number, flats in (("10", ("1",)), ("2", ("10", "9", "2", "1")), ("2а", ("1",))):
        house = reg.add_house(address=f"ул. Садовая, д. {house_number}",
                              total_area_micro=1_000_000_000)
        for flat in flats:
            premises = reg.add_premises(house_id=house.id, number=flat, kind="flat",
                                        area_micro=40_000_000)
            serial += 1
            made[house_number, flat] = reg.add_account(
                number=make_account_number(serial), premises_id=premises.id,
                opened_on=date(2020, 1, 1)).number
    expected = [made[k] for k in (("2", "1"), ("2", "2"), ("2", "9"), ("2", "10"),
                                  ("2а", "1"), ("10", "1"))]
    assert [h.number for h in search_accounts(session, "Садовая")] == expected
    assert [h.number for h in search_accounts(session, "Садовая", limit=3)] == expected[:3]
    assert [h.number for h in accounts_by_numbers(session, sorted(made.values()))] == expected


def test_a_query_is_taken_apart_into_street_words_house_and_flat():
    assert parse("ул. Ленина, д. 5, кв. 12").words == ("ленина",)
    assert (parse("ленена 5 12").house, parse("ленена 5 12").flat) == ("5", "12")
    assert parse("Мира 3 кв 7").flat == "7"
    assert parse("000 0001").digits == "0000001"
    assert parse("12/1 Ёлочная").words == ("елочная",)


def test_an_address_with_a_typo_finds_the_flat(session, town):
    _, _, accounts = town
    hits = search_accounts(session, "Лесгая 7 кв 2")  # one letter wrong
    assert [h.number for h in hits] == [accounts[1].number]
    assert [h.number for h in search_accounts(session, "лесн 7")] == [a.number for a in accounts]


def test_a_wrong_house_or_flat_finds_nothing(session, town):
    assert search_accounts(session, "Лесная 8") == []
    assert search_accounts(session, "Лесная 7 кв 9") == []
    assert search_accounts(session, "ул. д. кв.") == []
    assert search_accounts(session, "Садовая") == []


def test_an_account_number_prefix_is_a_range_over_the_numbers(session, town):
    _, _, accounts = town
    number = accounts[0].number
    assert number in [h.number for h in search_accounts(session, number[:6])]
    assert [h.number for h in search_accounts(session, number)] == [number]
    assert search_accounts(session, "999999999") == []


def test_a_name_finds_the_accounts_where_the_person_lives_or_owns(session, town):
    _, flats, accounts = town
    passport = PassportRepository(session)
    anna = passport.add_person(full_name="Петрова Анна Сергеевна")
    passport.add_registration(person_id=anna.id, premises_id=flats[0].id, kind="residence",
                              date_from=date(2021, 1, 1))
    passport.add_ownership(person_id=anna.id, premises_id=flats[2].id, numerator=1,
                           denominator=1, date_from=date(2021, 1, 1))
    gone = passport.add_person(full_name="Петрова Анна Ивановна")
    passport.add_registration(person_id=gone.id, premises_id=flats[1].id, kind="residence",
                              date_from=date(2010, 1, 1), date_to=date(2020, 1, 1))
    found = accounts_by_name(session, "петрова ан", on=date(2026, 12, 1))
    assert {(f.number, f.relation) for f in found} == {(accounts[0].number, "registered"),
                                                       (accounts[2].number, "owner")}
    assert accounts_by_name(session, "серг петр", on=date(2026, 12, 1))  # any word order
    assert accounts_by_name(session, "иванов", on=date(2026, 12, 1)) == []
    assert accounts_by_name(session, "%", on=date(2026, 12, 1)) == []  # no wildcard sneaks in


def test_a_password_is_checked_against_its_argon2_hash(session):
    user = create_user(session, "Ivanova", "dlinnyj-parol-1", "cashier", scope=Scope.parse("3"))
    assert user.login == "ivanova"
    assert user.password_hash.startswith("$argon2id$")
    assert "dlinnyj" not in user.password_hash
    assert verify_password(session, "IVANOVA", "dlinnyj-parol-1") is user
    assert verify_password(session, "ivanova", "dlinnyj-parol-2") is None
    assert verify_password(session, "nobody", "dlinnyj-parol-1") is None
    with pytest.raises(Conflict):
        create_user(session, "ivanova", "drugoj-parol-1", "operator")
    with pytest.raises(Invalid):
        create_user(session, "petrov", "short", "operator")
    with pytest.raises(Invalid):
        create_user(session, "petrov", "dlinnyj-parol-1", "king")
    with pytest.raises(Invalid):
        create_user(session, "пётр", "dlinnyj-parol-1", "operator")


def test_a_session_lives_until_signed_out_expired_disabled_or_password_changed(session):
    user = create_user(session, "kassir", "dlinnyj-parol-1", "senior_cashier")
    web, token = open_session(session, user)
    me = signed_in(session, token)
    assert me is not None and me.role == "senior_cashier" and me.csrf_token == web.csrf_token
    assert session.get(WebSession, web.id).token_hash != token  # only a hash is kept
    assert signed_in(session, token + "x") is None
    end_session(session, web.id)
    assert signed_in(session, token) is None

    web, token = open_session(session, user)
    web.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    assert signed_in(session, token) is None

    _, token = open_session(session, user)
    set_password(session, "kassir", "novyj-parol-12")
    assert signed_in(session, token) is None
    assert verify_password(session, "kassir", "novyj-parol-12") is not None

    _, token = open_session(session, user)
    disable_user(session, user.id)
    assert signed_in(session, token) is None
    assert verify_password(session, "kassir", "novyj-parol-12") is None


def test_ended_and_expired_sessions_are_purged_and_live_ones_kept(session):
    user = create_user(session, "kassir", "dlinnyj-parol-1", "senior_cashier")
    ended, _ = open_session(session, user)
    expired, _ = open_session(session, user)
    live, token = open_session(session, user)  # a sign-in purges: make the dead ones after
    end_session(session, ended.id)
    expired.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    ids = {ended.id, expired.id, live.id}

    def left() -> set[int]:
        return set(session.scalars(select(WebSession.id).where(WebSession.id.in_(ids))))

    assert purge_sessions(session, limit=1) == 1 and left() == {expired.id, live.id}
    assert purge_sessions(session) == 1 and left() == {live.id}
    assert purge_sessions(session) == 0
    assert signed_in(session, token) is not None
    assert purge_sessions(session, now=datetime.now(UTC) + timedelta(days=1)) == 1
    assert left() == set()


def test_a_sign_in_purges_a_bounded_number_of_dead_sessions(session, monkeypatch):
    from zhkh.modules.access import users

    monkeypatch.setattr(users, "PURGE_AT_SIGN_IN", 2)
    user = create_user(session, "kassir", "dlinnyj-parol-1", "senior_cashier")
    dead = [open_session(session, user)[0] for _ in range(3)]
    for web in dead:
        end_session(session, web.id)
    opened, _ = open_session(session, user)
    remaining = set(session.scalars(select(WebSession.id)))
    assert remaining == {dead[2].id, opened.id}
