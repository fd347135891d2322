"""Registry layouts are YAML files; the loader refuses what it does not know, naming the file
and the line, so a typo in a layout never silently reads a registry wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhkh.adapters.bank import ProfileError, builtin_profiles, get_profile, load_profile
from zhkh.modules.errors import NotFound

CLASSIC = """\
name: my_bank
title: Мой банк
source: договор с банком
purpose: payments
kind: text
encoding: cp1251
separator: ";"
decimal_separator: ","
fields: [date, account, amount]
"""


def write(folder: Path, text: str, name: str = "my_bank") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(folder: Path, text: str) -> ProfileError:
    with pytest.raises(ProfileError) as err:
        load_profile(write(folder, text))
    return err.value


class TestShippedLayouts:
    def test_the_classic_tagged_dbf_and_charges_layouts_are_shipped(self):
        profiles = builtin_profiles()
        assert {"sberbank_classic", "sberbank_tagged", "payments_dbf",
                "sberbank_charges"} <= set(profiles)
        assert profiles["sberbank_classic"].footer.prefix == "="
        assert profiles["sberbank_tagged"].reading_tag == "CounterVal_"
        assert profiles["payments_dbf"].kind == "dbf"
        assert profiles["sberbank_charges"].purpose == "charges"

    def test_an_unknown_format_lists_the_known_ones(self):
        with pytest.raises(NotFound) as err:
            get_profile("vtb_2009")
        assert "sberbank_classic" in err.value.message
        assert "sberbank_charges" not in err.value.message  # not a payment layout

    def test_a_minimal_layout_of_ones_own_bank_loads(self, tmp_path):
        profile = load_profile(write(tmp_path, CLASSIC))
        assert profile.fields == ("date", "account", "amount")
        assert profile.footer is None


class TestRefusedLayouts:
    def test_a_misspelt_key_is_refused_with_file_and_line(self, tmp_path):
        err = refused(tmp_path, CLASSIC.replace("\nseparator:", "\nseparatr:"))
        assert err.message.startswith("my_bank.yaml:7:")
        assert "неизвестный ключ «separatr»" in err.message

    def test_a_key_given_twice_is_refused_with_its_line(self, tmp_path):
        err = refused(tmp_path, CLASSIC + 'encoding: cp866\n')
        assert err.message.startswith("my_bank.yaml:10:")
        assert "повторяется" in err.message

    def test_an_unknown_field_name_is_refused(self, tmp_path):
        err = refused(tmp_path, CLASSIC.replace("[date, account, amount]",
                                                "[date, account, summa]"))
        assert "неизвестное поле «summa»" in err.message

    def test_a_payment_layout_without_an_account_is_refused(self, tmp_path):
        err = refused(tmp_path, CLASSIC.replace("[date, account, amount]", "[date, amount]"))
        assert "нет обязательного поля «account»" in err.message

    def test_dbf_columns_in_a_text_layout_are_refused(self, tmp_path):
        err = refused(tmp_path, CLASSIC + "columns: []\n")
        assert "неизвестный ключ «columns»" in err.message

    def test_an_encoding_outside_the_list_is_refused(self, tmp_path):
        err = refused(tmp_path, CLASSIC.replace("cp1251", "latin-1"))
        assert "«latin-1» не допускается" in err.message

    def test_a_date_format_that_loses_the_year_is_refused(self, tmp_path):
        err = refused(tmp_path, CLASSIC + 'date_format: "%d.%m"\n')
        assert err.field == "date_format"

    def test_a_name_other_than_the_file_name_is_refused(self, tmp_path):
        with pytest.raises(ProfileError) as err:
            load_profile(write(tmp_path, CLASSIC, name="other"))
        assert "должно совпадать с именем файла" in err.value.message

    def test_a_decimal_separator_equal_to_the_field_separator_is_refused(self, tmp_path):
        err = refused(tmp_path, CLASSIC.replace('decimal_separator: ","',
                                                'decimal_separator: ","\n').replace(
            'separator: ";"', 'separator: ","'))
        assert err.field == "decimal_separator"

    def test_a_dbf_column_of_an_unknown_type_is_refused(self, tmp_path):
        text = CLASSIC.replace("kind: text", "kind: dbf").replace(
            'separator: ";"\ndecimal_separator: ","\nfields: [date, account, amount]\n',
            "columns:\n  - {field: account, column: LS, type: X(3)}\n")
        err = refused(tmp_path, text)
        assert "тип столбца" in err.message
