"""Mass printing as a user runs it: ``zhkh documents issue --period 2026-10 --all`` on a billed
and paid town, every core rendering (worker processes), reported as pages per second.

The town is ``zhkh demo`` at the size asked (two months, 2026-09 and 2026-10, a house per
hundred accounts: contracts, bills, bank registry payments, penalties, both months closed),
built once per session as a template; every round issues and prints into a fresh copy of it
(a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so each round issues
every document. A round is checked before the next: one registry line per account with a
document, the house files hold the pages the registry says, and the first document's QR
codes read back from its pages pay what it says.

Run (small town on SQLite, the default):
    pytest benchmarks/bench_mass_print.py -s -p no:cacheprovider
The 100,000 accounts on PostgreSQL (the database of the URL is recreated, its copies beside):
    ZHKH_BENCH_PRINT_ACCOUNTS=100000 \\
    ZHKH_BENCH_PRINT_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/zhkh_bench_print \\
    pytest benchmarks/bench_mass_print.py -s -p no:cacheprovider
(``ZHKH_BENCH_ROUNDS`` sets the rounds, ``ZHKH_BENCH_PRINT_WORKERS`` the processes; default:
one per core.)
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from zhkh.adapters.db import normalize_url
from zhkh.adapters.print.qr import parse_payload
from zhkh.modules.documents.canonical import load_snapshot

ACCOUNTS = int(os.environ.get("ZHKH_BENCH_PRINT_ACCOUNTS", "2000"))
URL = os.environ.get("ZHKH_BENCH_PRINT_DATABASE_URL")
WORKERS = os.environ.get("ZHKH_BENCH_PRINT_WORKERS")
ZHKH = str(Path(sys.executable).with_name("zhkh"))


def _zhkh(*args: object) -> str:
    done = subprocess.run([ZHKH, *map(str, args)], capture_output=True, text=True, check=False,
                          env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Town:
    """The template town and fresh copies of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = URL or f"sqlite:///{folder / 'town.sqlite'}"
        self.copies: list[str] = []
        os.chdir(folder)  # the demo leaves its bank files in the working folder
        if not self.template.startswith("sqlite"):
            name = make_url(normalize_url(self.template)).database
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{name}"')
        _zhkh("demo", "--accounts", ACCOUNTS, "--houses", max(1, ACCOUNTS // 100),
              "--months", 2, "--database", self.template)

    def fresh(self) -> str:
        self.drop()
        url = make_url(normalize_url(self.template))
        name = f"{url.database}_{secrets.token_hex(3)}"
        if url.get_backend_name() == "sqlite":
            shutil.copyfile(url.database, self.folder / "copy.sqlite")
            copy = f"sqlite:///{self.folder / 'copy.sqlite'}"
        else:
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
            copy = url.set(database=name).render_as_string(hide_password=False)
        self.copies.append(copy)
        return copy

    def drop(self) -> None:
        for copy in self.copies:
            url = make_url(copy)
            if url.get_backend_name() == "postgresql":
                self._admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        self.copies.clear()

    def _admin(self, sql: str) -> None:
        admin = create_engine(make_url(normalize_url(self.template)).set(database="postgres"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(sql)
        admin.dispose()


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory):
    here = os.getcwd()
    made = Town(tmp_path_factory.mktemp("print"))
    os.chdir(here)
    yield made
    made.drop()


def check(url: str, out: Path) -> int:
    """The round printed every document, the files hold the registry's pages, the first
    document's codes pay what it says; returns the pages printed."""
    with (out / "registry-2026-10.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    engine = create_engine(normalize_url(url))
    with engine.connect() as conn:
        issued = conn.scalar(text("SELECT count(*) FROM issued_documents"))
        first = conn.scalar(text("SELECT snapshot FROM issued_documents WHERE number = :n"),
                            {"n": rows[0]["номер"]})
    engine.dispose()
    assert len(rows) == issued > 0
    pages = 0
    for name in sorted({r["файл"] for r in rows}):
        count = len(pdfium.PdfDocument(out / name))
        assert count == sum(int(r["листов"]) for r in rows if r["файл"] == name)
        pages += count
    doc = load_snapshot(first)
    pdf = pdfium.PdfDocument(out / rows[0]["файл"])
    codes = [parse_payload(c.bytes) for i in range(int(rows[0]["листов"]))
             for c in zxingcpp.read_barcodes(pdf[i].render(scale=200 / 72,
                                                           grayscale=True).to_pil())]
    assert sorted((c["PersonalAcc"], int(c.get("Sum", 0))) for c in codes) == sorted(
        (r.settlement_account, r.to_pay) for r in doc.recipients)
    return pages


@pytest.mark.benchmark(group="mass-print")
def test_documents_issue_all(benchmark, figures, rounds, town, tmp_path: Path) -> None:
    state: dict[str, object] = {}

    def setup():
        if "url" in state:
            state["pages"] = check(state["url"], state["out"])  # type: ignore[arg-type]
        state["url"], state["out"] = town.fresh(), tmp_path / secrets.token_hex(3)
        return (state["url"], state["out"]), {}

    def issue(url: str, out: Path) -> str:
        extra = ("--workers", WORKERS) if WORKERS else ()
        return _zhkh("documents", "issue", "--period", "2026-10", "--all", "--out", out,
                     "--database", url, *extra)

    output = benchmark.pedantic(issue, setup=setup, rounds=rounds(1))
    pages = check(state["url"], state["out"])  # type: ignore[arg-type]
    benchmark.extra_info.update(accounts=ACCOUNTS, pages=pages, cores=os.cpu_count(),
                                database=make_url(town.template).get_backend_name())
    print("\n" + output)
    figures.duration()
    figures.rate(pages, "pages")
