"""The layout file a designer edits: a change of text or position shows without Python, and a
mistake is refused with a Russian message naming the block; numbers the Russian way."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from zhkh.adapters.print import fmt
from zhkh.adapters.print.layout import LayoutError, load_layout
from zhkh.adapters.print.render import Renderer
from zhkh.modules.documents.example import example_document

from .conftest import page_texts

SHIPPED = Path(__file__).resolve().parents[2] / "adapters" / "print" / "layouts" / "epd.yaml"


def _layout(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _block(data: dict, page: str, block_id: str) -> dict:
    return next(b for b in data["pages"][page] if b.get("id") == block_id)


def test_a_designer_renames_a_column_and_the_pdf_shows_it(tmp_path):
    def change(data):
        _block(data, "front", "meters")["columns"][5]["title"] = "Следующая поверка"
    renderer = Renderer(load_layout(_layout(tmp_path, change)))
    front = page_texts(renderer.render(example_document()))[0]
    assert "Следующая поверка" in front and "Поверка до" not in front


def test_a_field_the_document_does_not_have_is_named_in_the_error(tmp_path):
    def change(data):
        data["pages"]["front"].append({"type": "text", "id": "extra", "at": [10, 280],
                                       "text": "ИНН плательщика {payer_inn}"})
    renderer = Renderer(load_layout(_layout(tmp_path, change)))
    with pytest.raises(LayoutError, match="блок extra ссылается на поле «payer_inn»"):
        renderer.render(example_document())


def test_more_rows_than_the_layout_holds_are_refused_not_cut(tmp_path):
    def change(data):
        _block(data, "front", "meters").update(max_rows=3, more=False)  # no continuation
    renderer = Renderer(load_layout(_layout(tmp_path, change)))
    with pytest.raises(LayoutError, match="в таблице meters 4 строк, а макет вмещает 3"):
        renderer.render(example_document())


def test_a_block_pushed_off_the_page_is_refused(tmp_path):
    def change(data):
        data["pages"]["front"].append({"type": "box", "id": "low", "at": [10, 290],
                                       "width": 10, "height": 10, "when": "title"})
    renderer = Renderer(load_layout(_layout(tmp_path, change)))
    with pytest.raises(LayoutError, match="блок low не помещается на странице"):
        renderer.render(example_document())


def test_on_a_page_that_goes_on_a_block_taller_than_a_sheet_is_refused(tmp_path):
    """A page with ``continue:`` moves a block that does not fit to the next sheet; one that
    fits no sheet at all is still an error, never cut."""
    def change(data):
        data["pages"]["back"]["blocks"].append({
            "type": "box", "id": "tall", "after": "head", "at": [10, 0], "width": 10,
            "height": 300, "when": "title"})
    renderer = Renderer(load_layout(_layout(tmp_path, change)))
    with pytest.raises(LayoutError, match="блок tall не помещается на странице"):
        renderer.render(example_document())


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["styles"]["body"].update(font="italic"), "шрифт «italic» не объявлен"),
    (lambda d: d["pages"]["front"][0].update(type="circle"), "страница front, блок 1"),
    (lambda d: d["styles"]["title"].update(color="red"), "нужно писать как #RRGGBB"),
    (lambda d: d["documents"].update(monthly=["front", "reverse"]), "нет страниц ['reverse']"),
    (lambda d: d["fonts"].update(regular="Arial.ttf"), "файла Arial.ttf нет среди шрифтов"),
])
def test_layout_mistakes_are_refused_with_where_and_why(tmp_path, change, message):
    with pytest.raises(LayoutError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_layout(_layout(tmp_path, change))


class TestRussianNumbers:
    def test_money_groups_thousands_and_uses_a_comma_and_a_true_minus(self):
        assert fmt.money(123456789) == "1\xa0234\xa0567,89"
        assert fmt.money(-5953) == "−59,53" and fmt.money(5) == "0,05"

    def test_volumes_keep_their_issued_decimals(self):
        assert fmt.decimal("1912.440") == "1\xa0912,440" and fmt.decimal("54.3") == "54,3"

    def test_periods_and_dates(self):
        assert fmt.period("2026-10") == "октябрь 2026"
        assert fmt.day(date(2026, 11, 5)) == "05.11.2026"
        assert fmt.day_words(date(2026, 11, 15)) == "15 ноября 2026 г."
