"""The classic Sberbank payment registry (REFERENCE §7): «;»-separated lines in cp1251 and a
control line starting with «=»."""

from __future__ import annotations

import hashlib
from datetime import date, time

from zhkh.kernel.period import Period

GOOD_DAY = (
    "05-03-2026;09-15-00;8618;0001;700001;1000001;Иванов Иван Иванович;"
    "г. Ижевск, ул. Пушкинская, д. 1, кв. 5;0226;4123,45;4082,22;41,23\r\n"
    "05-03-2026;17-40-05;8618;СБОЛ;700002;1000002;Петрова А. С.;"
    "г. Ижевск, ул. Пушкинская, д. 1, кв. 6;;1500,00;1485,00;15,00\r\n"
    "=2;5623,45;5567,22;56,23;417;06-03-2026\r\n"
)


class TestAGoodDay:
    def test_each_payment_is_read_with_its_kopecks_date_account_and_period(self, bank):
        registry = bank.parse(GOOD_DAY.encode("cp1251"), file_name="0603.txt")
        first, second = registry.lines
        assert first.payment_date == date(2026, 3, 5)
        assert first.payment_time == time(9, 15)
        assert (first.account, first.operation_id) == ("1000001", "700001")
        assert (first.amount, first.amount_to_transfer, first.commission) == (412345, 408222,
                                                                              4123)
        assert first.period == Period(2026, 2)
        assert first.payer == "Иванов Иван Иванович"
        assert first.line_number == 1
        assert first.raw.startswith("05-03-2026;09-15-00;8618;0001;700001")
        assert (second.cashier, second.period, second.amount) == ("СБОЛ", None, 150000)

    def test_the_footer_is_kept_and_equals_the_totals_of_the_lines(self, bank):
        registry = bank.parse(GOOD_DAY.encode("cp1251"))
        assert registry.totals.line_count == registry.footer.line_count == 2
        assert registry.totals.amount == registry.footer.amount == 562345
        assert registry.totals.amount_to_transfer == registry.footer.amount_to_transfer
        assert registry.totals.commission == registry.footer.commission == 5623
        assert (registry.footer.order_number, registry.footer.order_date) == (
            "417", date(2026, 3, 6))

    def test_the_file_is_known_by_the_sha256_of_its_bytes(self, bank):
        data = GOOD_DAY.encode("cp1251")
        registry = bank.parse(data, file_name="0603.txt")
        assert registry.content_hash == hashlib.sha256(data).hexdigest()
        assert (registry.size, registry.file_name) == (len(data), "0603.txt")

    def test_a_payment_is_the_same_across_files_by_operation_date_and_amount(self, bank):
        line = bank.parse(GOOD_DAY.encode("cp1251")).lines[0]
        assert line.identity == ("700001", date(2026, 3, 5), 412345)

    def test_blank_lines_unix_line_ends_and_a_closing_separator_are_tolerated(self, bank):
        text = GOOD_DAY.replace("\r\n", ";\n").replace("=2;", "\n=2;")
        registry = bank.parse(text.encode("cp1251"))
        assert [line.line_number for line in registry.lines] == [1, 2]
        assert registry.footer.line_number == 4

    def test_padding_spaces_around_values_are_dropped(self, bank):
        text = GOOD_DAY.replace(";1000001;", ";  1000001 ;").replace(";4123,45;", "; 4123,45;")
        line = bank.parse(text.encode("cp1251")).lines[0]
        assert (line.account, line.amount) == ("1000001", 412345)

    def test_a_payment_dated_today_is_accepted(self, bank):
        registry = bank.parse(GOOD_DAY.encode("cp1251"), today=date(2026, 3, 6))
        assert len(registry.lines) == 2


class TestRefusalsOfSingleValues:
    def test_an_amount_with_a_dot_in_a_comma_registry_names_the_separator(self, bank):
        data = GOOD_DAY.replace("1500,00", "1500.00").encode("cp1251")
        err = bank.refusal(data)
        assert (err.line, err.field, err.code) == (2, "amount", "registry_amount_format")
        assert "десятичный разделитель должен быть «,»" in err.message

    def test_a_commission_below_zero_is_refused(self, bank):
        err = bank.refusal(GOOD_DAY.replace(";15,00\r", ";-15,00\r").encode("cp1251"))
        assert (err.line, err.field, err.code) == (2, "commission", "registry_amount_negative")

    def test_a_thirteenth_month_is_not_a_period(self, bank):
        err = bank.refusal(GOOD_DAY.replace(";0226;", ";1326;").encode("cp1251"))
        assert (err.line, err.field, err.code) == (1, "period", "registry_period_format")
        assert err.message == "строка 1, поле «период»: «1326» — не период в формате MMYY"

    def test_a_date_that_does_not_exist_is_refused(self, bank):
        err = bank.refusal(GOOD_DAY.replace("05-03-2026;17", "30-02-2026;17").encode("cp1251"))
        assert (err.line, err.field, err.code) == (2, "date", "registry_date_format")
        assert "ДД-ММ-ГГГГ" in err.message

    def test_a_line_without_an_account_is_refused(self, bank):
        err = bank.refusal(GOOD_DAY.replace(";1000002;", "; ;").encode("cp1251"))
        assert (err.line, err.field, err.code) == (2, "account", "registry_account_empty")

    def test_a_line_after_the_footer_is_refused(self, bank):
        data = (GOOD_DAY + GOOD_DAY.splitlines()[0] + "\r\n").encode("cp1251")
        err = bank.refusal(data)
        assert (err.line, err.code) == (4, "registry_after_footer")

    def test_a_file_that_lost_its_footer_is_refused_as_cut_short(self, bank):
        data = "".join(GOOD_DAY.splitlines(keepends=True)[:2]).encode("cp1251")
        err = bank.refusal(data)
        assert err.code == "registry_no_footer"
        assert "обрезан" in err.message

    def test_a_footer_without_payments_is_not_a_registry(self, bank):
        err = bank.refusal("=0;0,00;0,00;0,00;417;06-03-2026\r\n".encode("cp1251"))
        assert err.code == "registry_empty"

    def test_a_commission_that_does_not_match_the_footer_is_refused_with_both_sums(self, bank):
        data = GOOD_DAY.replace("=2;5623,45;5567,22;56,23", "=2;5623,45;5567,22;56,00")
        err = bank.refusal(data.encode("cp1251"))
        assert (err.line, err.field) == (3, "commission_total")
        assert "в итоговой строке 56,00 ₽, в файле 56,23 ₽" in err.message
