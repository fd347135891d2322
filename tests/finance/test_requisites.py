"""Bank requisites of payees: ИНН, КПП, БИК, settlement and correspondent accounts.

The check digits are recomputed here from the published algorithms, independently of the
code under test, and hypothesis changes one digit at a time.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.modules.errors import Invalid
from zhkh.modules.finance.requisites import (
    account_key,
    validate_bik,
    validate_correspondent_account,
    validate_inn,
    validate_kpp,
    validate_settlement_account,
)

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def make_inn10(body: str) -> str:
    return body + str(inn_check(body, INN10_WEIGHTS))


def make_inn12(body: str) -> str:
    first = body + str(inn_check(body, INN12_WEIGHTS_1))
    return first + str(inn_check(first, INN12_WEIGHTS_2))


def key_sum(prefix: str, account: str) -> int:
    """Sum of the last digits of the products, weights 7, 1, 3 over prefix + account."""
    return sum(int(d) * (7, 1, 3)[i % 3] % 10 for i, d in enumerate(prefix + account))


def make_account(body19: str, prefix: str) -> str:
    """A 20-digit account with a key that makes the weighted sum end in 0."""
    for key in "0123456789":
        account = body19[:8] + key + body19[8:]
        if key_sum(prefix, account) % 10 == 0:
            return account
    raise AssertionError("some key always fits: weight 3 is prime to 10")


def change_one_digit(number: str, position: int, shift: int) -> str:
    i = position % len(number)
    return number[:i] + str((int(number[i]) + shift) % 10) + number[i + 1:]




def digit_strings(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


class TestPublishedRequisites:
    def test_the_real_epd_payee_of_izhevsk_passes(self):
        # REFERENCE §6, S11: ООО «ИВЦ-Ижевск», a real ЕПД QR.
        assert validate_inn("1841008627") == "1841008627"
        assert validate_bik("049401601") == "049401601"
        assert validate_settlement_account("40702810268000010356", "049401601")
        assert validate_correspondent_account("30101810400000000601", "049401601")

    def test_sberbank_correspondent_account_matches_its_bik(self):
        assert validate_correspondent_account("30101810400000000225", "044525225")

    def test_surrounding_spaces_are_dropped(self):
        assert validate_inn(" 7707083893 ") == "7707083893"


class TestInn:
    def test_a_wrong_check_digit_names_the_field_and_the_typo(self):
        with pytest.raises(Invalid) as err:
            validate_inn("7707083894", field="payee.inn")
        assert err.value.code == "inn_checksum"
        assert err.value.field == "payee.inn"
        assert "контрольная цифра" in err.value.message

    def test_eleven_digits_are_neither_a_company_nor_a_person(self):
        with pytest.raises(Invalid) as err:
            validate_inn("77070838931")
        assert err.value.code == "inn_length"
        assert "длина 11" in err.value.message

    def test_a_person_inn_is_refused_where_a_company_is_required(self):
        with pytest.raises(Invalid) as err:
            validate_inn(make_inn12("5003456789"), kind="legal")
        assert err.value.code == "inn_length"

    @pytest.mark.parametrize("value", ["77070838a3", "", "   ", 7707083893])
    def test_letters_empty_values_and_numbers_are_refused(self, value):
        with pytest.raises(Invalid):
            validate_inn(value)

    @given(body=digit_strings(9))
    def test_a_generated_company_inn_passes(self, body):
        assert validate_inn(make_inn10(body), kind="legal") == make_inn10(body)

    @given(body=digit_strings(10))
    def test_a_generated_person_inn_passes(self, body):
        assert validate_inn(make_inn12(body), kind="person") == make_inn12(body)

    @given(body=digit_strings(9), position=st.integers(0, 9), shift=st.integers(1, 9))
    def test_one_changed_digit_of_a_company_inn_is_refused_unless_the_sums_collide(
            self, body, position, shift):
        # The check digit is (sum mod 11) mod 10, so remainders 10 and 0 give the same digit:
        # a change that moves the sum between them is invisible to any validator. Every
        # other single-digit change must be refused.
        inn = make_inn10(body)
        changed = change_one_digit(inn, position, shift)
        remainders = {sum(int(d) * w for d, w in zip(n[:9], INN10_WEIGHTS, strict=True)) % 11
                      for n in (inn, changed)}
        if position == 9 or remainders != {0, 10}:
            with pytest.raises(Invalid) as err:
                validate_inn(changed)
            assert err.value.code == "inn_checksum"
        else:
            assert validate_inn(changed) == changed

    def test_the_blind_spot_of_the_inn_algorithm_exists(self):
        # Shows the exception above is real: a changed digit that keeps the check digit.
        found = next((b, p, s) for b in (f"{n:09d}" for n in range(0, 10**9, 7919))
                     for p in range(9) for s in range(1, 10)
                     if validate_inn(make_inn10(b)) and _passes(
                         change_one_digit(make_inn10(b), p, s)))
        assert found

    @given(body=digit_strings(10), position=st.integers(0, 11), shift=st.integers(1, 9))
    def test_a_changed_check_digit_of_a_person_inn_is_always_refused(
            self, body, position, shift):
        inn = make_inn12(body)
        changed = change_one_digit(inn, 10 + position % 2, shift)
        with pytest.raises(Invalid):
            validate_inn(changed)


def _passes(inn: str) -> bool:
    try:
        validate_inn(inn)
    except Invalid:
        return False
    return True


class TestKppAndBik:
    @pytest.mark.parametrize("kpp", ["770101001", "7701AB001", "773601001"])
    def test_a_kpp_with_digits_or_capital_latin_reason_passes(self, kpp):
        assert validate_kpp(kpp) == kpp

    @pytest.mark.parametrize(("kpp", "code"), [
        ("77010100", "kpp_length"), ("7701010011", "kpp_length"),
        ("7701ab001", "kpp_format"), ("770101A01", "kpp_format"), ("7701ЖК001", "kpp_format")])
    def test_a_kpp_of_the_wrong_form_is_refused(self, kpp, code):
        with pytest.raises(Invalid) as err:
            validate_kpp(kpp, field="contract.kpp")
        assert (err.value.code, err.value.field) == (code, "contract.kpp")

    @pytest.mark.parametrize(("bik", "code"), [("04452522", "bik_length"),
                                               ("0445252250", "bik_length"),
                                               ("04452522O", "bik_format")])
    def test_a_bik_that_is_not_nine_digits_is_refused(self, bik, code):
        with pytest.raises(Invalid) as err:
            validate_bik(bik)
        assert err.value.code == code


class TestAccounts:
    def test_an_account_that_does_not_fit_its_bik_says_so(self):
        with pytest.raises(Invalid) as err:
            validate_settlement_account("40702810268000010357", "049401601",
                                        field="provider.account")
        assert err.value.code == "account_key"
        assert err.value.field == "provider.account"
        assert "049401601" in err.value.message

    def test_a_settlement_account_written_as_the_correspondent_one_is_refused(self):
        with pytest.raises(Invalid) as err:
            validate_settlement_account("30101810400000000601", "049401601")
        assert err.value.code == "account_key"

    @pytest.mark.parametrize("account", ["4070281026800001035", "407028102680000103566",
                                         "4070281026800001035X"])
    def test_an_account_that_is_not_twenty_digits_is_refused(self, account):
        with pytest.raises(Invalid) as err:
            validate_settlement_account(account, "049401601")
        assert err.value.code in ("account_length", "account_format")

    @given(bik=digit_strings(9), body=digit_strings(19))
    def test_a_generated_settlement_account_passes(self, bik, body):
        account = make_account(body, bik[-3:])
        assert validate_settlement_account(account, bik) == account
        assert account_key(account, bik) == int(account[8])

    @given(bik=digit_strings(9), body=digit_strings(19), position=st.integers(0, 19),
           shift=st.integers(1, 9))
    def test_any_single_changed_digit_of_a_settlement_account_is_refused(
            self, bik, body, position, shift):
        account = make_account(body, bik[-3:])
        with pytest.raises(Invalid) as err:
            validate_settlement_account(change_one_digit(account, position, shift), bik)
        assert err.value.code == "account_key"

    @given(bik=digit_strings(9), body=digit_strings(19), position=st.integers(6, 8),
           shift=st.integers(1, 9))
    def test_the_account_is_refused_with_another_bank_of_the_same_region(
            self, bik, body, position, shift):
        account = make_account(body, bik[-3:])
        with pytest.raises(Invalid):
            validate_settlement_account(account, change_one_digit(bik, position, shift))

    @given(bik=digit_strings(9), body=digit_strings(19), position=st.integers(0, 19),
           shift=st.integers(1, 9))
    def test_a_generated_correspondent_account_passes_and_any_changed_digit_is_refused(
            self, bik, body, position, shift):
        account = make_account(body, "0" + bik[4:6])
        assert validate_correspondent_account(account, bik) == account
        with pytest.raises(Invalid):
            validate_correspondent_account(change_one_digit(account, position, shift), bik)
