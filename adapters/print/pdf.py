"""Draw composed pages into a PDF with ReportLab, deterministically and fast.

Deterministic: ReportLab's invariant mode (fixed creation date and document id derived from
the content), fixed compression (zlib, no ASCII85), fonts subset in first-use order — the
same pages give the same bytes. Fast: what every page of a layout page shares is drawn
once per file as a form XObject and placed on each page; text runs straight into the
page's content stream with the font subset's codes cached per distinct string; a QR code
is an image mask of one bit per module.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache
from typing import cast

import numpy as np
import zxingcpp
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from zhkh.adapters.print.layout import Layout, Style

_FONT_PREFIX = "ZHKH-"


def register_fonts(layout: Layout) -> dict[str, str]:
    """Register the layout's TrueType fonts with ReportLab (once per process; ReportLab
    keeps fonts in a module registry) and return font key → ReportLab font name."""
    names = {}
    for key, path in layout.fonts.items():
        name = _FONT_PREFIX + path.stem
        try:
            pdfmetrics.getFont(name)
        except KeyError:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        names[key] = name
    return names


def measurer(layout: Layout):
    """A ``measure(text, style) -> width in points`` for the composer, cached per string."""
    names = register_fonts(layout)
    cache: dict[tuple[str, str, float], float] = {}
    width = pdfmetrics.stringWidth

    def measure(text: str, style: Style) -> float:
        key = (text, style.font, style.size)
        value = cache.get(key)
        if value is None:
            if len(cache) > 50_000:
                cache.clear()
            value = cache[key] = width(text, names[style.font], style.size)
        return value

    return measure


def qr_mask(payload: str) -> tuple[int, str]:
    """The QR symbol of ``payload`` (its UTF-8 bytes in byte mode, error correction M, the
    best mask) as its size in modules and its rows packed one bit per module, in hex, dark
    modules as 0 bits (what an image mask paints)."""
    code = zxingcpp.create_barcode(payload.encode("utf-8"), zxingcpp.BarcodeFormat.QRCode,
                                   ec_level="M")
    light = np.asarray(code.to_image(scale=1, add_quiet_zones=False)) != 0
    return light.shape[0], np.packbits(light, axis=1).tobytes().hex()


@contextmanager
def _binary_streams():
    saved = rl_config.useA85
    rl_config.useA85 = 0  # read when streams are written; ASCII85 only grows the file
    try:
        yield
    finally:
        rl_config.useA85 = saved


class PdfWriter:
    """One PDF file of many pages; :meth:`page` adds one, :meth:`finish` returns the bytes."""

    def __init__(self, layout: Layout, *, title: str = "", subject: str = "",
                 qr: Callable[[str], tuple[int, str]] | None = None) -> None:
        self.layout = layout
        self.qr = qr or qr_mask
        self.fonts = register_fonts(layout)
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=(layout.width, layout.height),
                             invariant=1, pageCompression=1,
                             # a font name: the stubs type it as a float by mistake
                             initialFontName=next(iter(self.fonts.values())))  # type: ignore[arg-type]
        self.canvas.setTitle(title)
        self.canvas.setSubject(subject)
        self.canvas.setAuthor("zhkh")
        self.canvas.setCreator("zhkh")
        self.canvas.setProducer("zhkh")
        self.forms: set[str] = set()
        self._text_cache: dict[tuple[str, str, float], str] = {}

    def page(self, name: str, static: list[tuple], ops: list[tuple]) -> None:
        """Add a page: the static operations of layout page ``name`` (drawn once per file
        as a form) and this page's own operations."""
        c = self.canvas
        form = "page_" + name
        if form not in self.forms:
            c.beginForm(form)
            self._draw(static)
            c.endForm()
            self.forms.add(form)
        c.doForm(form)
        self._draw(ops)
        c.showPage()

    def finish(self) -> bytes:
        """Close the file and return its bytes."""
        with _binary_streams():
            self.canvas.save()
        return self.buffer.getvalue()

    def _draw(self, ops: list[tuple]) -> None:
        code: list[str] = []
        for op in ops:
            kind = op[0]
            if kind == "t":
                code.append(self._text(op[1], op[2], op[3], op[4]))
            elif kind == "l":
                _, x1, y1, x2, y2, stroke, color = op
                code.append(f"{_rgb(color)} RG {stroke:.2f} w {x1:.2f} {y1:.2f} m "
                            f"{x2:.2f} {y2:.2f} l S")
            elif kind == "r":
                code.append(_rect(*op[1:]))
            else:
                _, x, y, size, payload = op
                code.append(_qr(x, y, size, payload, self.qr))
        self.canvas.addLiteral("\n".join(code))

    def _text(self, x: float, y: float, style: Style, text: str) -> str:
        key = (text, style.font, style.size)
        shown = self._text_cache.get(key)
        if shown is None:
            shown = self._text_cache[key] = self._encode(text, style)
        return f"BT {_rgb(style.color)} rg 1 0 0 1 {x:.2f} {y:.2f} Tm {shown} ET"

    def _encode(self, text: str, style: Style) -> str:
        """Font selection and show operators for ``text`` in the font's subsets (ReportLab
        assigns subset codes on first use in this document, hence the per-file cache)."""
        font = cast(TTFont, pdfmetrics.getFont(self.fonts[style.font]))  # registered TrueType
        # the canvas's document and string escaping: not public, and not in the stubs
        doc, escape = self.canvas._doc, self.canvas._escape  # type: ignore[attr-defined]
        parts = []
        for subset, chunk in font.splitString(text, doc):
            parts.append(f"{font.getSubsetInternalName(subset, doc)} {style.size:g} Tf "
                         f"({escape(chunk)}) Tj")
        return " ".join(parts)


@lru_cache(maxsize=256)
def _rgb(color: tuple[float, float, float] | None) -> str:
    r, g, b = color or (0, 0, 0)
    return f"{r:.3f} {g:.3f} {b:.3f}"


def _rect(x, y, w, h, stroke, color, fill) -> str:
    ops = [f"{_rgb(fill)} rg" if fill else "", f"{_rgb(color)} RG {stroke:.2f} w" if stroke
           else "", f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re"]
    paint = "B" if fill and stroke else "f" if fill else "S" if stroke else "n"
    return " ".join(p for p in ops if p) + " " + paint


def _qr(x: float, y: float, size: float, payload: str, qr) -> str:
    """A white square with the code as an image mask inside its quiet zone of 4 modules;
    no interpolation, so every module stays a sharp square at any scale."""
    modules, data = qr(payload)
    unit = size / (modules + 8)
    side = unit * modules
    return (f"1 1 1 rg {x:.2f} {y:.2f} {size:.2f} {size:.2f} re f 0 0 0 rg "
            f"q {side:.3f} 0 0 {side:.3f} {x + 4 * unit:.3f} {y + 4 * unit:.3f} cm "
            f"BI /W {modules} /H {modules} /IM true /BPC 1 /F /AHx /I false ID {data}> EI Q")
