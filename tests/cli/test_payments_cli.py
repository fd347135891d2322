"""``zhkh payments …`` as the finance department uses it: a bank's file imported whole, the same
file refused with the load it duplicates, a bad file refused naming line and field with nothing
posted; payments listed, shown, reversed; unidentified payments matched to their account."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from zhkh.adapters.bank import get_profile, render_registry

from .conftest import payment, registry_file


def posted(town) -> int:
    return town.scalar("select count(*) from payments")


class TestABankRegistryIsImportedWhole:
    def test_identified_lines_are_posted_an_unknown_account_waits(self, town, tmp_path):
        path = registry_file(tmp_path / "reestr_0510.txt", [
            payment(town.accounts[0], 150_000, 1, commission=1_500),
            payment("0000000000", 5_000, 2),
            payment(town.accounts[1], 300_000, 3)])
        result = town.ok("payments", "import", path, "--received-on", "2026-10-06",
                         "--actor", "Петрова")
        out = " ".join(result.output.split())
        assert "формат sberbank_classic, по умолчанию" in out
        assert "Проведено на лицевые счета │ 2 │ 4 500,00" in out
        assert "Невыясненные (счёт не найден или закрыт) │ 1 │ 50,00" in out
        assert "Комиссия банка (отдельно) │ │ 15,00" in out
        assert posted(town) == 2
        assert town.scalar("select actor from payment_registries") == "Петрова"
        assert town.scalar("select count(*) from audit_log where action = "
                           "'registry.import'") == 1

    def test_the_same_file_again_is_refused_naming_the_load_and_posts_nothing(self, town,
                                                                              tmp_path):
        path = registry_file(tmp_path / "reestr.txt", [payment(town.accounts[0], 10_000, 1)])
        town.ok("payments", "import", path)
        again = town.run("payments", "import", path)
        assert again.exit_code == 3
        message = " ".join(again.output.split())
        assert "файл уже загружен" in message and "«reestr.txt», реестр 1" in message
        assert posted(town) == 1

    def test_a_re_exported_file_posts_only_its_new_lines(self, town, tmp_path):
        first = payment(town.accounts[0], 10_000, 1)
        town.ok("payments", "import", registry_file(tmp_path / "a.txt", [first]))
        result = town.ok("payments", "import", registry_file(
            tmp_path / "b.txt", [first, payment(town.accounts[1], 20_000, 2)], order="418"))
        assert "Повторы: проведены раньше другим файлом │ 1" in " ".join(result.output.split())
        assert posted(town) == 2

    def test_a_footer_that_does_not_add_up_names_line_and_field_and_posts_nothing(
            self, town, tmp_path):
        path = registry_file(tmp_path / "bad.txt", [payment(town.accounts[0], 10_000, 1),
                                                    payment(town.accounts[1], 20_000, 2)])
        text = path.read_bytes().decode("cp1251").replace("=2;300,00", "=2;300,01")
        path.write_bytes(text.encode("cp1251"))
        result = town.run("payments", "import", path)
        assert result.exit_code == 4
        message = " ".join(result.output.split())
        assert "строка 3, поле «сумма платежей»" in message
        assert "ничего не проведено" in message
        assert posted(town) == 0
        assert town.scalar("select count(*) from payment_registries") == 0

    def test_a_payment_dated_tomorrow_is_refused_naming_its_line(self, sqlite_town, tmp_path):
        tomorrow = date.today() + timedelta(days=1)
        path = registry_file(tmp_path / "future.txt", [
            payment(sqlite_town.accounts[0], 10_000, 1),
            payment(sqlite_town.accounts[0], 10_000, 2, day=tomorrow)])
        result = sqlite_town.run("payments", "import", path)
        assert result.exit_code == 4
        assert "строка 2, поле «дата»" in " ".join(result.output.split())
        assert posted(sqlite_town) == 0

    @pytest.mark.parametrize(("spoil", "where"), [
        (lambda text: b"", "файл пуст"),
        (lambda text: text.replace(";100,00;100,00;", ";100,005;100,00;", 1).encode("cp1251"),
         "строка 1, поле «сумма»"),
        (lambda text: text.replace(";100,00;100,00;0,00", ";0,00;0,00;0,00", 1)
         .replace("=2;200,00;200,00", "=2;100,00;100,00").encode("cp1251"),
         "строка 1, поле «сумма»"),
        (lambda text: text[:40].encode("cp1251") + text[text.index("\r\n"):].encode("cp1251"),
         "строка 1"),
        (lambda text: text.encode("utf-8"), "строка 1"),
    ], ids=["empty", "three-decimals", "zero", "truncated", "wrong-encoding"])
    def test_a_bad_file_is_refused_naming_where_and_nothing_is_posted(
            self, sqlite_town, tmp_path, spoil, where):
        path = registry_file(tmp_path / "bad.txt", [payment(sqlite_town.accounts[0], 10_000, 1),
                                                    payment(sqlite_town.accounts[1], 10_000, 2)])
        path.write_bytes(spoil(path.read_bytes().decode("cp1251")))
        result = sqlite_town.run("payments", "import", path)
        assert result.exit_code == 4, result.output
        assert where in " ".join(result.output.split())
        assert posted(sqlite_town) == 0

    def test_a_missing_file_is_named(self, sqlite_town, tmp_path):
        result = sqlite_town.run("payments", "import", tmp_path / "nope.txt")
        assert result.exit_code == 2 and "nope.txt не найден" in result.output

    def test_the_layout_is_found_by_extension_and_tags(self, sqlite_town, tmp_path):
        lines = [payment(sqlite_town.accounts[0], 10_000, 1)]
        dbf = tmp_path / "reestr.DBF"
        dbf.write_bytes(render_registry(lines, get_profile("payments_dbf")))
        assert "формат payments_dbf, по расширению .dbf" in " ".join(
            sqlite_town.ok("payments", "import", dbf).output.split())
        tagged = registry_file(tmp_path / "tagged.txt", [payment(sqlite_town.accounts[1],
                                                                 10_000, 2)],
                               profile="sberbank_tagged")
        assert "формат sberbank_tagged, найдены метки CLIENTNO:" in " ".join(
            sqlite_town.ok("payments", "import", tagged).output.split())
        unknown = sqlite_town.run("payments", "import", tagged, "--format", "vtb")
        assert unknown.exit_code == 2 and "формат «vtb» не найден" in unknown.output
        assert posted(sqlite_town) == 2


class TestPaymentsAfterTheImport:
    def test_listed_shown_reversed_once_with_the_balance(self, sqlite_town, tmp_path):
        town = sqlite_town
        town.ok("payments", "import", registry_file(tmp_path / "r.txt", [
            payment(town.accounts[0], 150_000, 1), payment(town.accounts[1], 50_000, 2)]),
            "--received-on", "2026-10-06")
        listed = json.loads(town.ok("payments", "list", "--account", town.accounts[0],
                                    "--format", "json").stdout)
        assert listed["total"] == 1 and listed["items"][0]["amount"] == "1500.00"
        payment_id = listed["items"][0]["id"]
        shown = town.ok("payments", "show", payment_id).output
        assert "Холодное водоснабжение" in shown and "Отопление" in shown
        storno = town.ok("payments", "reverse", payment_id, "--reason", "ошибка банка",
                         "--on", "2026-10-07", "--actor", "Сидорова")
        text = " ".join(storno.output.split())
        assert f"оплаты № {payment_id}" in text and "−1 500,00 руб." in text
        assert f"Счёт {town.accounts[0]}: долг 6 000,00" in text
        again = town.run("payments", "reverse", payment_id, "--reason", "ещё раз")
        assert again.exit_code == 1
        assert town.scalar("select count(*) from payments where reverses_id is not null") == 1
        assert town.scalar("select actor from payments where reverses_id is not null") == \
            "Сидорова"
        csv_text = town.ok("payments", "list", "--format", "csv").stdout
        assert csv_text.splitlines()[0].startswith("№,Дата,Лицевой счёт,Сумма")
        assert len(csv_text.splitlines()) == 4

    def test_an_unidentified_payment_is_matched_with_a_reason(self, sqlite_town, tmp_path):
        town = sqlite_town
        town.ok("payments", "import", registry_file(tmp_path / "r.txt", [
            payment("12345", 7_000, 1)]))
        waiting = json.loads(town.ok("payments", "unidentified", "--format", "json").stdout)
        assert waiting["total"] == 1
        line = waiting["items"][0]
        assert line["account_text"] == "12345" and line["amount"] == "70.00"
        no_reason = town.run("payments", "match", line["id"], town.accounts[2])
        assert no_reason.exit_code == 2
        matched = town.ok("payments", "match", line["id"], town.accounts[2], "--reason",
                          "ЛС с опечаткой, звонок плательщика")
        assert f"счёт {town.accounts[2]}" in matched.output
        assert json.loads(town.ok("payments", "unidentified", "--format", "json")
                          .stdout)["total"] == 0
        twice = town.run("payments", "match", line["id"], town.accounts[2], "--reason", "x")
        assert twice.exit_code == 1 and "уже разнесена" in twice.output
        assert town.scalar("select count(*) from audit_log where action = "
                           "'registry_line.match'") == 1

    def test_an_unknown_payment_is_named(self, sqlite_town):
        result = sqlite_town.run("payments", "show", 99)
        assert result.exit_code == 1 and "оплата 99 не найдена" in result.output
