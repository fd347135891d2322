"""Issue 15 §2: every rulebook version a ledger line or an issued document records is kept in
``rulebook_versions`` — after the demo's year (monthly runs, late corrections recalculated
through the seams, penalties, closing) and mass issuing of documents, on both backends."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from zhkh.adapters.db import normalize_url

from .conftest import zhkh


def _versions(url: str) -> tuple[set[str], set[str], set[str]]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            def column(sql: str) -> set[str]:
                return set(conn.execute(text(sql)).scalars())
            return (column("SELECT DISTINCT rulebook_version FROM ledger_lines"),
                    column("SELECT DISTINCT rulebook_version FROM issued_documents"),
                    column("SELECT version FROM rulebook_versions"))
    finally:
        engine.dispose()


def test_every_version_of_the_ledger_and_of_issued_documents_is_kept(
        towns, backend, tmp_path, shipped):
    url = towns.copy(backend)
    lines, _documents, kept = _versions(url)
    assert lines == {shipped.rulebook.version}
    assert lines <= kept
    issued = zhkh("documents", "issue", "--period", "2026-10", "--all", "--date", "2026-11-03",
                  "--out", tmp_path / "out", "--workers", "1", url=url)
    assert issued.exit_code == 0, issued.output
    lines, documents, kept = _versions(url)
    assert documents and documents <= kept and lines <= kept
