"""``zhkh documents issue`` on the tiny town: every account's document issued and rendered
into one PDF per house in delivery order, the print shop's registry and a ZIP; a rerun
issues nothing and renders only missing files; an open month is refused. ``show`` and
``reprint`` read what was issued."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import create_engine, text

from zhkh.adapters.db import normalize_url
from zhkh.adapters.print.render import render
from zhkh.modules.documents.canonical import load_snapshot

from .conftest import page_texts, zhkh

ISSUE = ("documents", "issue", "--period", "2026-10", "--all", "--date", "2026-11-03")


def _registry(out: Path) -> list[dict[str, str]]:
    with (out / "registry-2026-10.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _count(url: str, sql: str) -> int:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def figure(output: str, name: str) -> int:
    """A number of the run's summary table."""
    return int(re.search(rf"{name}\s*│\s*(\d+)", output).group(1))


def _flat(address: str) -> int:
    return int(re.search(r"кв\. (\d+)", address).group(1))


@pytest.fixture(scope="module")
def printed(towns, backend, tmp_path_factory):
    """A copy of the town printed once (per backend) into ``out``; the tests leave the
    output as they found it."""
    url = towns.copy(backend)
    out = tmp_path_factory.mktemp("printed") / "out"
    workers = "2" if backend == "sqlite" else "1"
    result = zhkh(*ISSUE, "--out", out, "--workers", workers, url=url)
    assert result.exit_code == 0, result.output
    return url, out, workers, result.output


class TestMassPrinting:
    def test_every_account_is_printed_once_per_house_in_delivery_order(self, printed):
        url, out, _workers, output = printed
        rows = _registry(out)
        assert len(rows) == _count(url, "SELECT count(*) FROM issued_documents") == 24
        assert figure(output, "Выпущено сейчас") == 24 and "Страниц в секунду" in output
        files = sorted(p.name for p in out.glob("house-*.pdf"))
        assert files == ["house-000001.pdf", "house-000002.pdf"]
        assert [r["номер"] for r in rows] == [f"ЕПД-2026-10-{i:07d}" for i in range(1, 25)]
        for name in files:
            mine = [r for r in rows if r["файл"] == name]
            assert [_flat(r["адрес"]) for r in mine] == sorted(_flat(r["адрес"]) for r in mine)
            pages = pdfium.PdfDocument(out / name)
            assert len(pages) == sum(int(r["листов"]) for r in mine)
            texts = page_texts((out / name).read_bytes())
            for r in mine:
                first = texts[int(r["с листа"]) - 1]
                assert f"№ {r['номер']}" in first and f"Лицевой счёт {r['лицевой счёт']}" in first

    def test_the_archive_holds_the_files_and_the_registry(self, printed):
        _url, out, _workers, _output = printed
        with zipfile.ZipFile(out / "documents-2026-10.zip") as z:
            assert sorted(z.namelist()) == ["house-000001.pdf", "house-000002.pdf",
                                            "registry-2026-10.csv"]
            assert z.read("house-000001.pdf") == (out / "house-000001.pdf").read_bytes()

    def test_a_rerun_issues_nothing_and_renders_only_what_is_missing(self, printed):
        url, out, workers, _output = printed
        before = {p.name: p.stat().st_mtime_ns for p in out.glob("house-*.pdf")}
        registry = (out / "registry-2026-10.csv").read_bytes()
        again = zhkh(*ISSUE, "--out", out, "--workers", workers, url=url)
        assert again.exit_code == 0, again.output
        assert figure(again.output, "Выпущено сейчас") == 0
        assert figure(again.output, "Уже были выпущены") == 24
        assert figure(again.output, "Напечатано файлов") == 0
        assert {p.name: p.stat().st_mtime_ns for p in out.glob("house-*.pdf")} == before
        assert (out / "registry-2026-10.csv").read_bytes() == registry
        (out / "house-000002.pdf").unlink()
        third = zhkh(*ISSUE, "--out", out, "--workers", workers, url=url)
        assert third.exit_code == 0 and figure(third.output, "Напечатано файлов") == 1
        assert (out / "house-000001.pdf").stat().st_mtime_ns == before["house-000001.pdf"]
        assert (out / "house-000002.pdf").exists()
        assert _count(url, "SELECT count(*) FROM issued_documents") == 24

    def test_show_and_reprint_read_the_issued_document(self, printed, tmp_path):
        url, _out, _workers, _output = printed
        shown = zhkh("documents", "show", "ЕПД-2026-10-0000001", url=url)
        assert shown.exit_code == 0, shown.output
        assert '"number": "ЕПД-2026-10-0000001"' in shown.output
        snapshot = _count(url, "SELECT snapshot FROM issued_documents WHERE sequence = 1")
        first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
        assert zhkh("documents", "reprint", "1", "--out", first, url=url).exit_code == 0
        assert zhkh("documents", "reprint", "ЕПД-2026-10-0000001", "--out", second,
                    url=url).exit_code == 0
        assert first.read_bytes() == second.read_bytes() == render(load_snapshot(snapshot))


def test_an_open_month_is_refused_before_anything_is_written(towns, tmp_path):
    url = towns.copy("sqlite")
    result = zhkh("documents", "issue", "--period", "2026-11", "--all", "--out",
                  tmp_path / "o", url=url)
    assert result.exit_code == 1
    assert "период 2026-11 не закрыт" in result.output
    assert not (tmp_path / "o").exists()
    assert zhkh("documents", "issue", "--period", "2026-10", "--out", tmp_path / "o",
                url=url).exit_code == 2  # no --house, --company or --all
