"""The charges registry the billing center sends to a bank so it can take payments
(REFERENCE §7, S23): file ``ИНН_РС_НОМЕР_ММГГ.txt``, one line per account × provider."""

from __future__ import annotations

import pytest

from zhkh.adapters.bank import ChargeRow, RegistryError, get_profile, render_charges
from zhkh.kernel.period import Period
from zhkh.modules.errors import Invalid

PAYEE = {"inn": "1841008627", "account": "40702810268000010356", "bik": "049401601"}
MARCH = Period(2026, 3)


def rows() -> list[ChargeRow]:
    return [
        ChargeRow("1000001", "Иванов Иван Иванович", "г. Ижевск, ул. Пушкинская, д. 1, кв. 5",
                  Period(2026, 2), 298744, "Водоканал"),
        ChargeRow("1000001", "Иванов Иван Иванович", "г. Ижевск, ул. Пушкинская, д. 1, кв. 5",
                  Period(2026, 2), 105000, "УК «Пример»"),
        ChargeRow("1000002", "Петрова А. С.", "г. Ижевск, ул. Пушкинская, д. 1, кв. 6",
                  Period(2026, 2), 0, "Водоканал"),
    ]


def charges(**changes):
    args = {**PAYEE, "sequence": 1, "month": MARCH, **changes}
    return render_charges(rows(), get_profile("sberbank_charges", "charges"), **args)


class TestTheChargesFile:
    def test_the_file_is_named_by_inn_account_sequence_and_month(self):
        name, _ = charges(sequence=7)
        assert name == "1841008627_40702810268000010356_007_0326.txt"

    def test_each_account_and_provider_is_a_windows_encoded_line_with_a_control_line(self):
        _, data = charges()
        assert data.decode("cp1251").split("\r\n") == [
            "1000001;Иванов Иван Иванович;г. Ижевск, ул. Пушкинская, д. 1, кв. 5;0226;"
            "2987.44;Водоканал",
            "1000001;Иванов Иван Иванович;г. Ижевск, ул. Пушкинская, д. 1, кв. 5;0226;"
            "1050.00;УК «Пример»",
            "1000002;Петрова А. С.;г. Ижевск, ул. Пушкинская, д. 1, кв. 6;0226;0.00;Водоканал",
            "=3;4037.44",
            ""]


class TestRefusedChargesFiles:
    def test_a_payee_inn_with_a_wrong_check_digit_is_refused(self):
        # The example name in REFERENCE §7 uses 1234567890, which is not a valid ИНН.
        with pytest.raises(Invalid) as err:
            charges(inn="1234567890")
        assert (err.value.code, err.value.field) == ("inn_checksum", "inn")

    def test_an_account_that_does_not_fit_the_bik_is_refused(self):
        with pytest.raises(Invalid) as err:
            charges(account="40702810268000010357")
        assert (err.value.code, err.value.field) == ("account_key", "account")

    def test_a_sequence_beyond_three_digits_is_refused(self):
        with pytest.raises(Invalid) as err:
            charges(sequence=1000)
        assert err.value.field == "sequence"

    def test_an_overpayment_is_not_written_as_a_negative_debt(self):
        bad = [*rows(), ChargeRow("1000003", "Сидоров", "кв. 7", Period(2026, 2), -100)]
        with pytest.raises(RegistryError) as err:
            render_charges(bad, get_profile("sberbank_charges", "charges"), **PAYEE,
                           sequence=1, month=MARCH)
        assert (err.value.line, err.value.field) == (4, "amount")

    def test_an_address_holding_the_separator_is_refused_naming_the_row(self):
        bad = [ChargeRow("1000003", "Сидоров", "кв. 7; подъезд 2", Period(2026, 2), 100)]
        with pytest.raises(RegistryError) as err:
            render_charges(bad, get_profile("sberbank_charges", "charges"), **PAYEE,
                           sequence=1, month=MARCH)
        assert (err.value.code, err.value.line, err.value.field) == (
            "registry_unwritable", 1, "address")

    def test_a_letter_the_encoding_lacks_is_refused(self):
        bad = [ChargeRow("1000003", "Ōsaka 大阪", "кв. 7", Period(2026, 2), 100)]
        with pytest.raises(RegistryError) as err:
            render_charges(bad, get_profile("sberbank_charges", "charges"), **PAYEE,
                           sequence=1, month=MARCH)
        assert (err.value.code, err.value.line) == ("registry_unencodable", 1)
