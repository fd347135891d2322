"""Render payment document snapshots to PDF: the functions the rest of zhkh calls.

``render(snapshot)`` gives one document's PDF; ``render_many(snapshots)`` gives one PDF of
many documents (a house's delivery batch), which is how mass printing reaches its speed:
fonts and the static parts of the pages are written once per file. Both are
deterministic: the same snapshots (and the same layout, fonts and library versions) give
the same bytes, so an issued document reprints byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from zhkh.adapters.print import fmt
from zhkh.adapters.print.compose import Composer
from zhkh.adapters.print.layout import Layout, default_layout, load_layout
from zhkh.adapters.print.pdf import PdfWriter, measurer
from zhkh.adapters.print.qr import document_payments
from zhkh.adapters.print.view import document_view
from zhkh.modules.documents.schemas import PaymentDocument


class Renderer:
    """A layout made ready to draw: its composer and its static page parts, built once."""

    def __init__(self, layout: Layout, *, qr=None) -> None:
        self.layout = layout
        self.qr = qr  # None: the default QR encoder of the writer
        self.composer = Composer(layout, measurer(layout))
        self.static = {name: self.composer.static_ops(name) for name in layout.pages}

    def sheets_of(self, document: PaymentDocument, view: dict | None = None
                  ) -> list[tuple[str, list[tuple]]]:
        """Each sheet the document prints on — its layout page and its operations: its
        kind's pages whose condition holds (more recipients than the first page holds add a
        page of payment details), a page that goes on (the back) as many times as its lines
        need. Raises ``LayoutError`` when something does not fit even so."""
        view = document_view(document) if view is None else view
        return [(p.name, ops) for p in self.layout.documents[document.kind]
                if p.when is None or p.when.holds(view)
                for ops in self.composer.sheets_ops(p.name, view)]

    def pages_of(self, document: PaymentDocument, view: dict | None = None
                 ) -> tuple[str, ...]:
        """The layout page of each sheet the document prints on (a page that goes on is
        named once per sheet)."""
        return tuple(name for name, _ in self.sheets_of(document, view))

    def add(self, writer: PdfWriter, document: PaymentDocument) -> int:
        """Draw one document's sheets into ``writer``; returns the number of pages."""
        sheets = self.sheets_of(document)
        for name, ops in sheets:
            writer.page(name, self.static[name], ops)
        return len(sheets)

    def check(self, document: PaymentDocument) -> None:
        """Raise ``ValueError`` (``QrError``, ``LayoutError``: a Russian message) when the
        document could not be printed: its QR codes break ГОСТ Р 56042 or its lists do not
        fit the layout. Lays the pages out without writing a PDF."""
        self.sheets_of(document)

    def render_counted(self, documents: Iterable[PaymentDocument], *, title: str = ""
                       ) -> tuple[bytes, tuple[int, ...]]:
        """:meth:`render_many` and the number of pages of each document, laid out once."""
        writer = PdfWriter(self.layout, title=title, subject="Платёжные документы", qr=self.qr)
        pages = tuple(self.add(writer, document) for document in documents)
        return writer.finish(), pages

    def render_many(self, documents: Iterable[PaymentDocument], *, title: str = "") -> bytes:
        """One PDF with the pages of every document, in the given order."""
        return self.render_counted(documents, title=title)[0]

    def render(self, document: PaymentDocument) -> bytes:
        """One document's PDF, titled with its number and period."""
        writer = PdfWriter(self.layout, title=document_title(document),
                           subject=f"Лицевой счёт {document.account}", qr=self.qr)
        self.add(writer, document)
        return writer.finish()


def document_title(document: PaymentDocument) -> str:
    """«ЕПД № … за октябрь 2026» (the PDF's title)."""
    kind = {"monthly": "ЕПД", "corrected": "Исправленный ЕПД",
            "debt_notice": "Уведомление о задолженности"}[document.kind]
    return f"{kind} № {document.number} за {fmt.period(document.period)}"


@lru_cache(maxsize=4)
def renderer(layout_path: str | None = None) -> Renderer:
    """The renderer of the shipped layout (or of the layout file at ``layout_path``), built
    once per process."""
    return Renderer(default_layout() if layout_path is None else load_layout(Path(layout_path)))


def check_printable(document: PaymentDocument) -> None:
    """:meth:`Renderer.check` with the shipped layout (the last check before issuing)."""
    renderer().check(document)


def check_payment_codes(document: PaymentDocument) -> None:
    """The cheap part of :func:`check_printable`: the QR payloads only (mass issuing, where
    the layout runs in the rendering processes right after)."""
    document_payments(document)


def render(document: PaymentDocument) -> bytes:
    """The PDF of one document with the shipped layout. Deterministic."""
    return renderer().render(document)


def render_many(documents: Iterable[PaymentDocument], *, title: str = "") -> bytes:
    """One PDF of many documents with the shipped layout. Deterministic."""
    return renderer().render_many(documents, title=title)
