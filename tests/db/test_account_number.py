"""Account numbers carry a Luhn check digit; the registry refuses a wrong one."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.modules.registry.account_number import (
    AccountNumberError,
    is_valid_account_number,
    luhn_digit,
    make_account_number,
    validate_account_number,
)
from zhkh.modules.registry.repository import RegistryRepository


def test_the_classic_luhn_example_is_valid_and_its_neighbours_are_not():
    assert luhn_digit("7992739871") == "3"
    assert is_valid_account_number("79927398713")
    assert not is_valid_account_number("79927398710")


@settings(max_examples=200)
@given(serial=st.integers(0, 10**9 - 1))
def test_every_generated_number_is_valid(serial):
    number = make_account_number(serial)
    assert len(number) == 10
    assert validate_account_number(number) == number


@settings(max_examples=200)
@given(serial=st.integers(0, 10**9 - 1), position=st.integers(0, 9), delta=st.integers(1, 9))
def test_any_single_mistyped_digit_is_caught(serial, position, delta):
    number = make_account_number(serial)
    wrong = str((int(number[position]) + delta) % 10)
    typo = number[:position] + wrong + number[position + 1:]
    assert not is_valid_account_number(typo)


@pytest.mark.parametrize("bad", ["", "12345", "12 3456", "abcdefgh", "1" * 21, "１２３４５６７"])
def test_malformed_numbers_are_refused_with_a_reason(bad):
    with pytest.raises(AccountNumberError, match="номер"):
        validate_account_number(bad)


def test_the_registry_refuses_an_account_with_a_wrong_check_digit(session, world):
    reg = RegistryRepository(session)
    good = make_account_number(777)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(AccountNumberError, match="контрольная цифра"):
        reg.add_account(number=bad, premises_id=world.flats[0].id, opened_on=date(2024, 1, 1))
    account = reg.add_account(number=good, premises_id=world.flats[0].id,
                              opened_on=date(2024, 1, 1))
    assert reg.account_by_number(good).id == account.id
