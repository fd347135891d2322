"""The ГОСТ Р 56042-2014 payload: field order, values from the snapshot, the separator rule,
limits, one code per settlement account, and the parser's reading of real-world payloads."""

from __future__ import annotations

import pytest

from zhkh.adapters.print.qr import QrError, build_payload, document_payments, parse_payload
from zhkh.modules.documents.example import FUND, UK, example_document
from zhkh.modules.documents.schemas import PaymentDocument

REQUISITES = {"Name": "ООО «УК Наш дом»", "PersonalAcc": "40702810938000012345",
              "BankName": "ПАО СБЕРБАНК", "BIC": "044525225",
              "CorrespAcc": "30101810400000000225"}


def _refusal(**changes) -> str:
    with pytest.raises(QrError) as caught:
        build_payload({**REQUISITES, **changes})
    return str(caught.value)


class TestPayloadOfADocument:
    def test_the_management_company_code_is_exactly_the_standard_string(self):
        doc = example_document()
        payment = document_payments(doc)[0]
        assert payment.payload == (
            "ST00012|Name=ООО «УК Наш дом»|PersonalAcc=40702810938000012345"
            "|BankName=ПАО СБЕРБАНК|BIC=044525225|CorrespAcc=30101810400000000225"
            "|PayeeINN=7701234560|KPP=770101001|PersAcc=1000000016|Sum=855418"
            "|PaymPeriod=102026|PayerAddress=г. Демоград, ул. Садовая, д. 12, кв. 45"
            "|Purpose=Оплата по ЕПД за 10.2026, ЛС 1000000016|TechCode=02")

    def test_two_settlement_accounts_give_two_codes_with_each_recipients_sum(self):
        doc = example_document()
        payments = document_payments(doc)
        assert [p.recipients for p in payments] == [("uk",), ("fund",)]
        for payment, recipient in zip(payments, doc.recipients, strict=True):
            fields = parse_payload(payment.payload)
            assert fields["Sum"] == str(recipient.to_pay)
            assert fields["PersonalAcc"] == recipient.settlement_account
            assert fields["PayeeINN"] == recipient.inn

    def test_one_settlement_account_gives_one_code_for_the_whole(self):
        data = example_document().model_dump(mode="json")
        data["recipients"][1].update({k: UK[k] for k in UK if k != "id"})
        doc = PaymentDocument.model_validate(data)
        (payment,) = document_payments(doc)
        assert payment.recipients == ("uk", "fund")
        assert parse_payload(payment.payload)["Sum"] == str(doc.total_to_pay)

    def test_one_account_under_two_different_payees_is_refused(self):
        data = example_document().model_dump(mode="json")
        data["recipients"][1].update({k: UK[k] for k in UK if k not in ("id", "name")})
        with pytest.raises(QrError, match="один расчётный счёт, но разные реквизиты"):
            document_payments(PaymentDocument.model_validate(data))

    def test_nothing_to_pay_leaves_the_sum_out_for_the_payer_to_type(self):
        data = example_document().model_dump(mode="json")
        fund = data["recipients"][1]
        fund["paid"], fund["to_pay"] = "2156.80", "0.00"
        data["total_to_pay"] = data["recipients"][0]["to_pay"]
        payments = document_payments(PaymentDocument.model_validate(data))
        assert "Sum" not in parse_payload(payments[1].payload)
        assert FUND["name"] == parse_payload(payments[1].payload)["Name"]


class TestSeparatorAndLimits:
    def test_a_separator_in_the_payee_name_is_refused(self):
        message = _refusal(Name="ООО «УК|Наш дом»")
        assert "поле Name (наименование получателя)" in message
        assert "содержит разделитель «|»" in message

    def test_a_line_break_in_the_bank_name_is_refused(self):
        assert "перенос строки" in _refusal(BankName="ПАО\nСБЕРБАНК")

    def test_a_separator_in_the_payer_address_is_replaced_by_a_slash(self):
        payload = build_payload({**REQUISITES, "PayerAddress": "ул. Садовая, д. 5|1\nкв. 3"})
        assert payload.endswith("|PayerAddress=ул. Садовая, д. 5/1 кв. 3")
        assert parse_payload(payload)["PayerAddress"] == "ул. Садовая, д. 5/1 кв. 3"

    def test_a_name_longer_than_160_characters_is_refused(self):
        assert "длина 161 знаков, а допустимо не более 160" in _refusal(Name="О" * 161)

    def test_a_bank_name_longer_than_45_characters_is_refused(self):
        assert "допустимо не более 45" in _refusal(BankName="Б" * 46)

    def test_a_mandatory_block_over_300_bytes_is_refused(self):
        message = _refusal(Name="Ж" * 150)  # 300 bytes of the name alone in UTF-8
        assert "занимают" in message and "не более 300" in message

    def test_a_settlement_account_of_wrong_shape_is_refused(self):
        assert "нужно 20 знаков счёта" in _refusal(PersonalAcc="0070281093800001234")

    def test_a_sum_in_rubles_with_a_comma_is_refused(self):
        assert "копейки" in _refusal(Sum="8554,18")

    def test_a_missing_mandatory_requisite_is_refused(self):
        assert "обязательный реквизит не заполнен" in _refusal(BIC="")


class TestParser:
    def test_keys_are_read_without_regard_to_case(self):
        fields = parse_payload("ST00012|Name=ООО|personalAcc=40702810938000012345|bankname=Б"
                               "|BIC=044525225|CorrespAcc=0|persAcc=210042076|paymPeriod=0521")
        assert fields["PersAcc"] == "210042076" and fields["PaymPeriod"] == "0521"

    def test_the_header_names_the_encoding_of_the_bytes(self):
        text = "ST00011|Name=ООО «ИВЦ»|PersonalAcc=40702810268000010356|BankName=Сбербанк" \
               "|BIC=049401601|CorrespAcc=30101810400000000601|Sum=299441"
        fields = parse_payload(text.encode("cp1251"))
        assert fields["Name"] == "ООО «ИВЦ»" and fields["Sum"] == "299441"

    def test_another_separator_declared_in_the_header_is_honoured(self):
        fields = parse_payload("ST00012#Name=А|Б#PersonalAcc=40702810938000012345#BankName=Б"
                               "#BIC=044525225#CorrespAcc=0")
        assert fields["Name"] == "А|Б"

    def test_a_payload_without_the_service_block_is_refused(self):
        with pytest.raises(QrError, match="нет служебного блока ST0001"):
            parse_payload("Name=ООО|PersonalAcc=1")

    def test_mandatory_requisites_out_of_order_are_refused(self):
        with pytest.raises(QrError, match="должны идти первыми"):
            parse_payload("ST00012|PersonalAcc=40702810938000012345|Name=ООО|BankName=Б"
                          "|BIC=044525225|CorrespAcc=0")
