"""Shared fixtures of the payment document tests: example snapshots and their PDFs, page
images and page texts (rendered once per session: rendering is what is under test); the
database fixtures of ``tests/db`` (both backends, each test rolled back) and a billed, paid
town made by ``zhkh demo`` (``town.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy.orm import Session

from zhkh.adapters.db import create_db_engine
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


# databases: the tests/db fixtures (both backends, rolled back) and a billed, paid town

def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_HERE = Path(__file__).resolve().parent
_db = _load("zhkh_tests_db_conftest_documents", _HERE.parent / "db" / "conftest.py")
_town = _load("zhkh_tests_documents_town", _HERE / "town.py")

sqlite_url = _db.sqlite_url
postgresql_url = _db.postgresql_url
backend = _db.backend
engine = _db.engine
session = _db.session
world = _db.world
zhkh = _town.zhkh


@pytest.fixture(scope="session")
def towns(tmp_path_factory):
    """Template towns by backend (``zhkh demo``) and their copies."""
    yield from _town.towns_fixture(tmp_path_factory)


@pytest.fixture(scope="session")
def rules(shipped):
    """The document rules of the shipped rulebook (the composition root's)."""
    return shipped.document_rules


@pytest.fixture(scope="session")
def town_engine(towns, backend):
    """An engine on a working copy of the town of the backend under test."""
    eng = create_db_engine(towns.copy(backend))
    yield eng
    eng.dispose()


@pytest.fixture
def town(town_engine):
    """A session on the billed town, inside a transaction rolled back after the test."""
    conn = town_engine.connect()
    outer = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()
