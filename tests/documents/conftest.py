"""Shared fixtures of the payment document tests: example snapshots and their PDFs, page
images and page texts (rendered once per session: rendering is what is under test)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from zhkh.adapters.print.render import render
from zhkh.modules.documents.example import example_document

KINDS = ("monthly", "corrected", "debt_notice")


@pytest.fixture(scope="session")
def documents():
    """The example snapshot of each kind."""
    return {kind: example_document(kind) for kind in KINDS}


@pytest.fixture(scope="session")
def pdfs(documents):
    """The rendered PDF bytes of each kind."""
    return {kind: render(doc) for kind, doc in documents.items()}


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page as a reader extracts it, spaces normalised."""
    document = pdfium.PdfDocument(pdf)
    texts = [page.get_textpage().get_text_range() for page in document]
    return [" ".join(t.replace("\xa0", " ").split()) for t in texts]


def page_image(pdf: bytes, index: int = 0, dpi: int = 200):
    """One page as a greyscale PIL image at ``dpi``."""
    return pdfium.PdfDocument(pdf)[index].render(scale=dpi / 72, grayscale=True).to_pil()
