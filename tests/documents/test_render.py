"""The rendered PDF: the QR codes read back from the page image say what the snapshot says,
the page text carries its lines and totals, and the same snapshot gives the same bytes."""

from __future__ import annotations

import zxingcpp

from zhkh.adapters.print import fmt
from zhkh.adapters.print.qr import parse_payload
from zhkh.adapters.print.render import render, render_many
from zhkh.modules.documents.example import example_document

from .conftest import page_image, page_texts


def _decoded(pdf: bytes, page: int = 0) -> list[dict[str, str]]:
    """Every QR code on the page image, read as a phone would and parsed by the standard."""
    codes = zxingcpp.read_barcodes(page_image(pdf, page), formats=zxingcpp.BarcodeFormat.QRCode)
    return sorted((parse_payload(code.bytes) for code in codes), key=lambda f: f["Name"])


class TestQrCodesOnThePage:
    def test_each_recipient_code_pays_that_recipient_its_sum_for_this_account(self, documents,
                                                                             pdfs):
        doc = documents["monthly"]
        decoded = _decoded(pdfs["monthly"])
        assert len(decoded) == len(doc.recipients) == 2
        for fields, recipient in zip(decoded, sorted(doc.recipients, key=lambda r: r.name),
                                     strict=True):
            assert fields["Name"] == recipient.name
            assert fields["PersonalAcc"] == recipient.settlement_account
            assert fields["BankName"] == recipient.bank_name
            assert fields["BIC"] == recipient.bik
            assert fields["CorrespAcc"] == recipient.correspondent_account
            assert fields["PayeeINN"] == recipient.inn
            assert fields["KPP"] == recipient.kpp
            assert fields["Sum"] == str(recipient.to_pay)
            assert fields["PersAcc"] == doc.account
            assert fields["PaymPeriod"] == "102026"
            assert fields["PayerAddress"] == doc.premises.address
            assert fields["TechCode"] == "02"

    def test_the_codes_together_pay_the_total_of_the_document(self, documents, pdfs):
        for kind in ("monthly", "corrected", "debt_notice"):
            sums = sum(int(f.get("Sum", 0)) for f in _decoded(pdfs[kind]))
            assert sums == documents[kind].total_to_pay, kind

    def test_the_debt_notice_code_pays_the_debt_with_penalties(self, documents, pdfs):
        (fields,) = _decoded(pdfs["debt_notice"])
        doc = documents["debt_notice"]
        assert int(fields["Sum"]) == sum(d.debt + d.penalties for d in doc.debts)


class TestPageText:
    def test_the_front_shows_totals_due_date_account_and_each_recipient(self, documents, pdfs):
        doc = documents["monthly"]
        front = page_texts(pdfs["monthly"])[0]
        assert f"ИТОГО К ОПЛАТЕ: {_plain(fmt.money(doc.total_to_pay))} ₽" in front
        assert "оплатить до 15 ноября 2026 г." in front
        assert f"Лицевой счёт {doc.account}" in front and "за октябрь 2026" in front
        for r in doc.recipients:
            assert r.name in front and f"р/с {r.settlement_account}" in front
            assert f"{_plain(fmt.money(r.to_pay))} ₽" in front
        assert "Задолженность на начало периода 2 345,67" in front
        assert "Оплачено (учтены платежи до 31.10.2026) 2 000,00" in front

    def test_the_back_shows_every_charge_line_with_its_total(self, documents, pdfs):
        doc = documents["monthly"]
        back = page_texts(pdfs["monthly"])[1]
        for line in doc.charges:
            assert _plain(fmt.money(line.total)) in back, line.service
            assert line.service.split()[-1] in back
        assert "Содержание жилого помещения м² площадь 54,3 32,40 1 759,32 1 759,32" in back
        assert "−59,53" in back and "Неустойки (штрафы, пени)" in back
        assert "всего 15,55 ₽" in back and "Взнос 19,86 ₽ за м² × 54,3 м² = 1 078,40 ₽" in back

    def test_the_meter_readings_are_on_the_front(self, pdfs):
        front = page_texts(pdfs["monthly"])[0]
        assert "Холодное водоснабжение ХВ-204117 123,456 126,670 3,214 20.05.2031" in front
        assert "Электроснабжение, ночь Э-5512093 7 410 7 471 61" in front

    def test_a_corrected_document_is_marked_and_names_what_it_replaces(self, pdfs):
        front = page_texts(pdfs["corrected"])[0]
        assert front.startswith("ИСПРАВЛЕННЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ")
        assert "Взамен документа № 2026-09-1000000016 от 01.10.2026" in front
        assert "ИСПРАВЛЕННЫЙ" not in page_texts(pdfs["monthly"])[0]

    def test_the_debt_notice_lists_debts_by_month_and_their_penalties(self, documents, pdfs):
        (page,) = page_texts(pdfs["debt_notice"])
        assert page.startswith("УВЕДОМЛЕНИЕ О ЗАДОЛЖЕННОСТИ")
        for debt in documents["debt_notice"].debts:
            row = " ".join(_plain(fmt.money(v)) for v in (debt.charged, debt.paid, debt.debt,
                                                           debt.penalties))
            assert f"{fmt.period(debt.period)} {row}" in page
        assert "ИТОГО К ОПЛАТЕ: 21 723,29 ₽" in page


class TestReproducible:
    def test_the_same_snapshot_gives_the_same_bytes(self, documents, pdfs):
        for kind, doc in documents.items():
            again = example_document(kind)  # an equal snapshot built anew
            assert render(again) == pdfs[kind] and render(doc) == pdfs[kind]

    def test_a_snapshot_read_back_from_json_gives_the_same_bytes(self, documents, pdfs):
        from zhkh.modules.documents.canonical import canonical_json, load_snapshot

        doc = load_snapshot(canonical_json(documents["monthly"]))
        assert render(doc) == pdfs["monthly"]

    def test_a_batch_is_deterministic_and_has_the_pages_of_every_document(self, documents):
        batch = [example_document("monthly", v) for v in range(3)] + [documents["debt_notice"]]
        first = render_many(batch)
        assert render_many(batch) == first
        texts = page_texts(first)
        assert len(texts) == 7
        assert [t.split("Лицевой счёт ")[1][:10] for t in texts[0:6:2]] == \
            [d.account for d in batch[:3]]

    def test_different_snapshots_give_different_bytes(self, pdfs):
        assert render(example_document("monthly", 1)) != pdfs["monthly"]


def _plain(text: str) -> str:
    return text.replace("\xa0", " ")
