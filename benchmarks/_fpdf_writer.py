"""The fpdf2 alternative to ``adapters/print/pdf.py`` for the renderer benchmark.

It draws the same composed operations of the same YAML layout with fpdf2's public API, so
the benchmark compares the PDF libraries, not two layouts. fpdf2 has no form XObjects, so
the static part of a page is drawn again on every page; its QR is a one-bit image of the
same zxing-cpp matrix. Not part of the product.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from fpdf import FPDF
from PIL import Image

from zhkh.adapters.print.layout import Layout
from zhkh.adapters.print.pdf import qr_mask
from zhkh.adapters.print.render import Renderer
from zhkh.modules.documents.schemas import PaymentDocument

_FIXED = datetime(2000, 1, 1, tzinfo=UTC)


class FpdfWriter:
    """The writer interface of ``PdfWriter`` (``page``, ``finish``) on fpdf2."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.pdf = FPDF(unit="pt", format=(layout.width, layout.height))
        self.pdf.set_creation_date(_FIXED)
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margin(0)
        for key, path in layout.fonts.items():
            self.pdf.add_font(key, "", str(path))

    def page(self, name: str, static: list[tuple], ops: list[tuple]) -> None:
        self.pdf.add_page()
        self._draw(static)
        self._draw(ops)

    def finish(self) -> bytes:
        return bytes(self.pdf.output())

    def _draw(self, ops: list[tuple]) -> None:
        pdf, h = self.pdf, self.layout.height
        for op in ops:
            kind = op[0]
            if kind == "t":
                _, x, y, style, text = op
                pdf.set_font(style.font, size=style.size)
                pdf.set_text_color(*(round(c * 255) for c in style.color))
                pdf.text(x, h - y, text)
            elif kind == "l":
                _, x1, y1, x2, y2, stroke, color = op
                pdf.set_draw_color(*(round(c * 255) for c in color))
                pdf.set_line_width(stroke)
                pdf.line(x1, h - y1, x2, h - y2)
            elif kind == "r":
                self._rect(*op[1:])
            else:
                self._qr(*op[1:])

    def _rect(self, x, y, w, height, stroke, color, fill) -> None:
        pdf = self.pdf
        if fill:
            pdf.set_fill_color(*(round(c * 255) for c in fill))
        if stroke:
            pdf.set_draw_color(*(round(c * 255) for c in color))
            pdf.set_line_width(stroke)
        style = "DF" if fill and stroke else "F" if fill else "D" if stroke else None
        if style:
            pdf.rect(x, self.layout.height - y - height, w, height, style=style)

    def _qr(self, x, y, size, payload) -> None:
        modules, data = qr_mask(payload)
        bits = np.unpackbits(np.frombuffer(bytes.fromhex(data), dtype=np.uint8).reshape(
            modules, -1), axis=1)[:, :modules]
        image = Image.fromarray((bits * 255).astype(np.uint8)).convert("1")
        unit = size / (modules + 8)
        self.pdf.set_fill_color(255, 255, 255)
        self.pdf.rect(x, self.layout.height - y - size, size, size, style="F")
        self.pdf.image(image, x + 4 * unit, self.layout.height - y - size + 4 * unit,
                       unit * modules, unit * modules)


def render_many_fpdf(renderer: Renderer, documents: list[PaymentDocument]) -> bytes:
    """The product's composer and layout, drawn by fpdf2 into one PDF."""
    writer = FpdfWriter(renderer.layout)
    for document in documents:
        renderer.add(writer, document)  # type: ignore[arg-type]
    return writer.finish()
