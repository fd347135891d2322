"""The tagged Sberbank registry (REFERENCE §7, S24): positional fields, then
``CLIENTNO:<ЛС>``, ``CLIENTDOCNO:``, ``method_pay:`` and meter readings
``CounterVal_<n>:<reading>``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhkh.adapters.bank import Reading

TWO_PAYMENTS = (
    "8618;0001;05/03/2026;700001;4123.45;41.23;CLIENTNO:1000001;CLIENTDOCNO:55501;"
    "method_pay:card;CounterVal_1:123.456;CounterVal_2:98.001\r\n"
    "8618;0002;05/03/2026;700002;1500.00;0.00;clientno:1000002;METHOD_PAY:cash\r\n"
)


class TestReadingsInsideTheRegistry:
    def test_the_account_comes_from_clientno_and_readings_come_out_as_pairs(self, bank):
        first, second = bank.parse(TWO_PAYMENTS.encode("cp1251"), "sberbank_tagged").lines
        assert (first.account, first.amount, first.commission) == ("1000001", 412345, 4123)
        assert first.readings == (Reading("1", Decimal("123.456")),
                                  Reading("2", Decimal("98.001")))
        assert (first.document_number, first.channel) == ("55501", "card")
        assert first.payment_date == date(2026, 3, 5)
        assert (second.account, second.channel, second.readings) == ("1000002", "cash", ())

    def test_a_registry_without_a_footer_is_accepted_and_says_so(self, bank):
        registry = bank.parse(TWO_PAYMENTS.encode("cp1251"), "sberbank_tagged")
        assert registry.footer is None
        assert (registry.totals.line_count, registry.totals.amount) == (2, 562345)
        assert registry.totals.amount_to_transfer is None

    def test_a_footer_when_the_bank_writes_one_is_checked(self, bank):
        good = bank.parse((TWO_PAYMENTS + "=2;5623.45;41.23\r\n").encode("cp1251"),
                          "sberbank_tagged")
        assert good.footer.amount == 562345
        err = bank.refusal((TWO_PAYMENTS + "=3;5623.45;41.23\r\n").encode("cp1251"),
                           "sberbank_tagged")
        assert (err.code, err.line) == ("registry_footer_mismatch", 3)

    def test_a_reading_that_is_not_a_number_names_its_tag(self, bank):
        data = TWO_PAYMENTS.replace("CounterVal_2:98.001", "CounterVal_2:98,0a")
        err = bank.refusal(data.encode("cp1251"), "sberbank_tagged")
        assert (err.code, err.line, err.field) == ("registry_reading_format", 1,
                                                   "CounterVal_2")
        assert "«98,0a» — не показание прибора учёта" in err.message

    def test_a_reading_with_a_comma_is_read_exactly(self, bank):
        data = TWO_PAYMENTS.replace("CounterVal_2:98.001", "CounterVal_2:98,5")
        line = bank.parse(data.encode("cp1251"), "sberbank_tagged").lines[0]
        assert line.readings[1] == Reading("2", Decimal("98.5"))

    def test_an_unknown_tag_is_refused_rather_than_dropped(self, bank):
        data = TWO_PAYMENTS.replace("method_pay:card", "BONUS:100")
        err = bank.refusal(data.encode("cp1251"), "sberbank_tagged")
        assert (err.code, err.line) == ("registry_tag_unknown", 1)
        assert "«BONUS:100» — неизвестный тег" in err.message

    def test_a_tag_given_twice_is_refused(self, bank):
        data = TWO_PAYMENTS.replace("METHOD_PAY:cash", "CLIENTNO:1000003")
        err = bank.refusal(data.encode("cp1251"), "sberbank_tagged")
        assert (err.code, err.line, err.field) == ("registry_tag_repeated", 2, "account")

    def test_a_line_without_clientno_has_no_account(self, bank):
        data = TWO_PAYMENTS.replace("clientno:1000002;", "")
        err = bank.refusal(data.encode("cp1251"), "sberbank_tagged")
        assert (err.code, err.line, err.field) == ("registry_account_empty", 2, "account")

    def test_a_line_short_of_positional_fields_is_refused(self, bank):
        data = TWO_PAYMENTS.replace("8618;0002;05/03/2026;700002;", "8618;05/03/2026;")
        err = bank.refusal(data.encode("cp1251"), "sberbank_tagged")
        assert (err.code, err.line) == ("registry_field_count", 2)
        assert "4 поля вместо 6" in err.message

    def test_a_line_cut_before_its_tags_is_refused(self, bank):
        data = TWO_PAYMENTS.split("\r\n")[0] + "\r\n8618;0002;05/03/2026;700002;1500.00"
        err = bank.refusal(data.encode("cp1251"), "sberbank_tagged")
        assert (err.code, err.line) == ("registry_field_count", 2)
