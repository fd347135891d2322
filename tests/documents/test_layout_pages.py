"""Pages chosen by the document: up to two recipients print their payment details on the
front; more get a summary on the front and the details (with their QR codes) on pages of
their own; a list longer than the layout holds is refused, never cut. Conditions and list
windows are checked when a layout loads. Amounts in a snapshot read as the kernel reads
them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st

from zhkh.adapters.print.layout import LayoutError, load_layout
from zhkh.adapters.print.qr import parse_payload
from zhkh.adapters.print.render import render, renderer
from zhkh.kernel.money import to_kopecks
from zhkh.modules.demo.payments import settlement_account
from zhkh.modules.documents.example import UK, example_document
from zhkh.modules.documents.schemas import PaymentDocument
from zhkh.modules.documents.types import _kopecks

from .conftest import page_image, page_texts


def with_recipients(n: int) -> PaymentDocument:
    """The example flat paying ``n`` recipients one line each."""
    base = example_document().model_dump()
    recipients, charges = [], []
    for i in range(n):
        charged = 10_000 + 101 * i
        recipients.append({**UK, "id": f"r{i}", "name": f"Поставщик № {i + 1}",
                           "settlement_account": settlement_account(i + 1), "charged": charged,
                           "opening_balance": 0, "paid": 0, "paid_until": date(2026, 10, 31),
                           "last_payment_date": None, "penalties": 0, "to_pay": charged})
        charges.append({"recipient": f"r{i}", "service": f"Услуга {i + 1}", "unit": "м³",
                        "charged_individual": charged, "total": charged})
    base.update(recipients=recipients, charges=charges, capital_repair=None, penalties=[],
                recalculations=[], total_to_pay=sum(r["to_pay"] for r in recipients))
    return PaymentDocument.model_validate(base)


class TestPagesByRecipients:
    @pytest.mark.parametrize(("count", "pages"), [
        (1, ("front", "back")), (2, ("front", "back")),
        (3, ("front_many", "payees", "back")), (4, ("front_many", "payees", "back")),
        (5, ("front_many", "payees", "payees_more", "back")),
        (8, ("front_many", "payees", "payees_more", "back"))])
    def test_the_pages_follow_the_number_of_recipients(self, count, pages):
        doc = with_recipients(count)
        assert renderer().pages_of(doc) == pages
        assert len(page_texts(render(doc))) == len(pages)

    def test_every_recipient_gets_its_code_on_the_pages_of_details(self):
        doc = with_recipients(7)
        pdf = render(doc)
        codes = [parse_payload(c.bytes) for page in (1, 2) for c in zxingcpp.read_barcodes(
            page_image(pdf, page), formats=zxingcpp.BarcodeFormat.QRCode)]
        assert sorted((c["PersonalAcc"], int(c["Sum"])) for c in codes) == sorted(
            (r.settlement_account, r.to_pay) for r in doc.recipients)
        front = page_texts(pdf)[0]
        for r in doc.recipients:
            assert r.name in front  # the summary table lists them all

    def test_more_recipients_than_the_pages_hold_is_an_error_not_a_cut(self):
        with pytest.raises(LayoutError, match=r"recipients 9 (строк|элементов), а макет вмещает 8"):
            render(with_recipients(9))


class TestLayoutChecks:
    def _layout(self, tmp_path: Path, pages: str, documents: str = "monthly: [one]") -> Path:
        path = tmp_path / "l.yaml"
        path.write_text(
            "page: {width: 210, height: 297}\nfonts: {regular: PTSans-Regular.ttf}\n"
            "styles: {body: {size: 10}}\n"
            f"documents: {{{documents}}}\npages:\n{pages}", encoding="utf-8")
        return path

    def test_a_list_left_to_a_block_that_does_not_exist_is_refused(self, tmp_path):
        path = self._layout(tmp_path, "  one:\n    - {type: repeat, source: recipients, max: 2, "
                                      "more: true, blocks: []}\n")
        with pytest.raises(LayoutError, match=r"продолжается .* с элемента 3"):
            load_layout(path)

    def test_a_page_condition_must_be_a_field_or_a_count(self, tmp_path):
        path = self._layout(tmp_path, "  one: []\n",
                            "monthly: [{page: one, when: 'recipients >> 2'}]")
        with pytest.raises(LayoutError, match="условие «recipients >> 2»"):
            load_layout(path)


@given(st.decimals(min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"),
                   places=2, allow_nan=False, allow_infinity=False))
def test_a_snapshot_amount_reads_as_the_kernel_reads_it(value):
    for text in (format(value, "f"), format(value.normalize(), "f")):
        if "E" not in text and text.count(".") <= 1 and len(text.partition(".")[2]) <= 2:
            assert _kopecks(text) == to_kopecks(text)


def with_lines(charges: int, recalculations: int, penalties: int) -> PaymentDocument:
    """The example flat with its charge, recalculation and penalty lines repeated (each
    numbered — «[n]» after a service, «Перерасчёт № n», «Пени № n» — so that every one can be
    found in the PDF) up to the
    given counts; the totals as the example has them — layout does not add up money."""
    doc = example_document()
    ch = [c.model_copy(update={"service": f"{c.service} [{i + 1}]"})
          for i, c in enumerate((list(doc.charges) * charges)[:charges])]
    rc = [r.model_copy(update={"reason": f"Перерасчёт № {i + 1}"})
          for i, r in enumerate((list(doc.recalculations) * recalculations)[:recalculations])]
    pe = [p.model_copy(update={"basis": f"Пени № {i + 1}"})
          for i, p in enumerate((list(doc.penalties) * penalties)[:penalties])]
    return doc.model_copy(update={"charges": ch, "recalculations": rc, "penalties": pe})


class TestTheBackGoesOn:
    """An account's lines are never too many to print: the back page goes on to further
    sheets — a table split between rows with its header again, the rest moved whole."""

    def test_a_short_back_is_one_sheet(self):
        assert renderer().pages_of(with_lines(11, 1, 2)) == ("front", "back")

    @pytest.mark.parametrize(("charges", "recalculations", "penalties"),
                             [(12, 4, 2), (16, 8, 12), (30, 20, 12), (60, 1, 0)])
    def test_every_line_is_printed_on_the_sheets_that_follow(self, charges, recalculations,
                                                             penalties):
        doc = with_lines(charges, recalculations, penalties)
        pages = renderer().pages_of(doc)
        assert pages[0] == "front" and set(pages[1:]) == {"back"} and len(pages) > 2
        texts = page_texts(render(doc))
        assert len(texts) == len(pages)
        back = texts[1:]
        whole = " ".join(back)
        for n in range(1, charges + 1):
            assert f"[{n}]" in whole, n
        for n in range(1, recalculations + 1):
            assert f"Перерасчёт № {n} " in whole + " ", n
        for n in range(1, penalties + 1):
            assert f"Пени № {n} " in whole + " ", n
        for sheet in back:  # a sheet with charge lines has the table's header
            assert ("[" not in sheet) or "Вид услуги" in sheet
        assert sum("Вид услуги" in t for t in back) >= 1 + (charges > 40)
        for sheet in back[1:]:
            assert "(продолжение)" in sheet
        assert "Исполнитель:" in back[-1]  # the foot of the back comes last, once
        assert whole.count("Исполнитель:") == 1

    def test_nothing_is_drawn_below_the_bottom_margin(self):
        layout = renderer().layout
        for _name, ops in renderer().sheets_of(with_lines(30, 20, 12)):
            lowest = min(op[2] for op in ops if op[0] == "t")
            assert lowest >= layout.height - layout.bottom, lowest

    def test_a_continue_without_its_head_is_refused(self, tmp_path):
        text = Path(__file__).resolve().parents[2].joinpath(
            "adapters", "print", "layouts", "epd.yaml").read_text(encoding="utf-8")
        path = tmp_path / "custom.yaml"
        path.write_text(text.replace("      head: {type: text, at: [10, 8]",
                                     "      heading: {type: text, at: [10, 8]"),
                        encoding="utf-8")
        with pytest.raises(LayoutError, match="страница back, continue"):
            load_layout(path)

    def test_a_debt_of_three_years_gets_its_notice_with_every_month_and_the_code(self):
        """A debtor of 36 months — the one a notice is for — gets it: every month's row, the
        total and the payment code with its QR on the sheet that follows."""
        doc = example_document("debt_notice")
        debts = [doc.debts[i % len(doc.debts)].model_copy(
            update={"period": f"{2023 + i // 12}-{i % 12 + 1:02d}"}) for i in range(36)]
        doc = doc.model_copy(update={"debts": debts})
        assert renderer().pages_of(doc) == ("notice", "notice")
        pdf = render(doc)
        texts = page_texts(pdf)
        whole = " ".join(texts)
        for year in (2023, 2024, 2025):
            for month in ("январь", "июнь", "декабрь"):
                assert f"{month} {year}" in whole
        assert "(продолжение)" in texts[1] and "ИТОГО К ОПЛАТЕ" in texts[1]
        codes = zxingcpp.read_barcodes(page_image(pdf, 1))
        assert [parse_payload(c.text)["PersonalAcc"] for c in codes] == [UK["settlement_account"]]

    @pytest.mark.parametrize("recipients", [1, 3])
    def test_meters_beyond_the_front_go_on_on_the_back(self, recipients):
        """Eight meters fit the front; the ninth and on are printed on the back, once."""
        doc = with_recipients(recipients) if recipients > 1 else example_document()
        meters = [m.model_copy(update={"meter": f"М-{i + 1:03d}"})
                  for i, m in enumerate((list(example_document().meters) * 12)[:12])]
        doc = doc.model_copy(update={"meters": meters})
        texts = page_texts(render(doc))
        front, back = texts[0], " ".join(texts[1:])
        assert all(f"М-{n:03d}" in front for n in range(1, 9))
        assert all(f"М-{n:03d}" not in back for n in range(1, 9))
        assert all(f"М-{n:03d}" in back and f"М-{n:03d}" not in front for n in range(9, 13))
        assert "с 9-го прибора" in back
