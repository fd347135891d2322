"""The snapshot model: canonical JSON and hash, money as kopecks, refusals of figures that
do not add up."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from zhkh.modules.documents.canonical import canonical_json, content_hash, load_snapshot
from zhkh.modules.documents.example import example_document
from zhkh.modules.documents.schemas import PaymentDocument


def _data(kind: str = "monthly") -> dict:
    return example_document(kind).model_dump(mode="json")


def _refusal(data: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        PaymentDocument.model_validate(data)
    return str(caught.value)


class TestCanonicalForm:
    def test_canonical_json_reads_back_to_an_equal_snapshot_with_the_same_bytes(self):
        for kind in ("monthly", "corrected", "debt_notice"):
            doc = example_document(kind)
            again = load_snapshot(canonical_json(doc))
            assert again == doc
            assert canonical_json(again) == canonical_json(doc)

    def test_key_order_of_the_input_does_not_change_the_hash(self):
        data = _data()
        reordered = json.dumps(dict(reversed(list(data.items()))), ensure_ascii=False)
        assert content_hash(load_snapshot(reordered)) == content_hash(example_document())

    def test_a_changed_kopeck_changes_the_hash(self):
        data = _data()
        data["charges"][0]["tariff"] = "32.41"
        assert load_snapshot(json.dumps(data)) != example_document()  # parses (no sum check)
        assert content_hash(load_snapshot(json.dumps(data))) != content_hash(example_document())

    def test_money_is_kopecks_inside_and_a_decimal_string_in_json(self):
        doc = example_document()
        assert isinstance(doc.total_to_pay, int)
        assert json.loads(canonical_json(doc))["total_to_pay"] == f"{doc.total_to_pay / 100:.2f}"
        assert json.loads(canonical_json(doc))["charges"][1]["recalculation"] == "-59.53"

    def test_canonical_json_is_compact_sorted_utf8(self):
        text = canonical_json(example_document()).decode("utf-8")
        assert text.startswith('{"account":') and ", " not in text.split('"reference"')[0][:50]
        assert "Садовая" in text


class TestRefusals:
    def test_a_float_amount_is_refused(self):
        data = _data()
        data["total_to_pay"] = 9632.58
        assert "строкой в рублях" in _refusal(data)

    def test_an_amount_with_three_decimals_is_refused_not_rounded(self):
        data = _data()
        data["recipients"][1]["paid"] = "1078.405"
        assert "не более чем двумя знаками" in _refusal(data)

    def test_a_line_whose_total_does_not_add_up_is_refused(self):
        data = _data()
        data["charges"][2]["total"] = "480.97"
        message = _refusal(data)
        assert "строка «Горячее водоснабжение»" in message and "480,96" in message

    def test_a_recipient_sum_that_does_not_follow_from_its_balance_is_refused(self):
        data = _data()
        data["recipients"][0]["to_pay"] = "8554.19"
        assert "получатель uk: к оплате 8554,19 ₽" in _refusal(data)

    def test_a_document_total_other_than_the_recipients_sum_is_refused(self):
        data = _data()
        data["total_to_pay"] = "9632.00"
        assert "сумма по получателям 9632,58 ₽" in _refusal(data)

    def test_a_mistyped_settlement_account_is_refused_with_the_recipient_named(self):
        data = _data()
        data["recipients"][0]["settlement_account"] = "40702810938000012346"
        assert "получатель uk: расчётный счёт «40702810938000012346»" in _refusal(data)

    def test_a_line_of_an_unknown_recipient_is_refused(self):
        data = _data()
        data["charges"][0]["recipient"] = "vodokanal"
        assert "неизвестного получателя «vodokanal»" in _refusal(data)

    def test_a_corrected_document_must_say_what_it_corrects(self):
        data = _data("corrected")
        data["correction"] = None
        assert "что он исправляет" in _refusal(data)

    def test_a_debt_notice_without_debts_is_refused(self):
        data = _data("debt_notice")
        data["debts"] = []
        assert "ни одного периода долга" in _refusal(data)


def test_the_example_shows_the_coefficient_and_its_excess_when_water_goes_by_norm():
    line = example_document(cold_water_by_norm=True).charges[1]
    assert (line.coefficient, line.volume_individual) == ("1.5", "14.7")
    assert line.excess == line.charged_individual - 81026  # 14.7 m³ × 55.12 = 810.26 ₽


def test_variants_differ_but_each_adds_up():
    docs = [example_document(variant=v) for v in range(20)]
    assert len({d.account for d in docs}) == 20
    assert len({d.total_to_pay for d in docs}) > 10
