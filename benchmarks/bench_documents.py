"""Payment document rendering: monthly ЕПД for 10,000 accounts, renderers side by side.

One core. Every variant renders the same snapshots (the demo town's flat in 10,000
variants: different readings, debts and accounts, one in ten with cold water by the norm
× 1.5; two recipients, so two QR codes a document; two A4 pages a document):

- ``reportlab_batches`` — the product: ``render_many`` per delivery batch of 100 documents
  (one PDF of 200 pages, as mass printing writes one file per house);
- ``fpdf2_batches`` — the same layout and composer drawn by fpdf2 (``_fpdf_writer.py``);
- ``reportlab_single_files`` — ``render`` of each document as its own PDF (a reprint
  through the API), on the first ``SAMPLE`` snapshots;
- ``reportlab_segno_qr`` — the product with segno making the QR symbols instead of
  zxing-cpp, on the first ``SAMPLE`` snapshots.

Run:  pytest benchmarks/bench_documents.py --benchmark-group-by=group -p no:cacheprovider -s
(``ZHKH_BENCH_DOCUMENTS``, ``ZHKH_BENCH_SAMPLE``, ``ZHKH_BENCH_ROUNDS`` change the sizes).
Before a variant is timed, its output for the first documents is checked: the QR codes are
read back from the page image and must pay each recipient its sum, and the page text must
show the document's total. ``extra_info`` has pages/s of the median round and of the
fastest and slowest rounds (the spread), and pages per CPU-second of the process (median
round): the per-core figure, which a shared machine's load does not change the way it
changes wall time.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import segno
import zxingcpp

from zhkh.adapters.print import fmt
from zhkh.adapters.print.qr import parse_payload
from zhkh.adapters.print.render import Renderer, renderer
from zhkh.modules.documents.example import example_document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fpdf_writer import render_many_fpdf

DOCUMENTS = int(os.environ.get("ZHKH_BENCH_DOCUMENTS", "10000"))
SAMPLE = int(os.environ.get("ZHKH_BENCH_SAMPLE", "1000"))
ROUNDS = int(os.environ.get("ZHKH_BENCH_ROUNDS", "3"))
BATCH = 100
PAGES_PER_DOCUMENT = 2
CHECKED = 3


@pytest.fixture(scope="module")
def snapshots():
    return [example_document("monthly", v, cold_water_by_norm=v % 10 == 0)
            for v in range(DOCUMENTS)]


def segno_mask(payload: str) -> tuple[int, str]:
    """The QR matrix by segno (byte mode, error correction M, segno's best mask)."""
    import numpy as np

    code = segno.make_qr(payload.encode("utf-8"), error="m", boost_error=False)
    light = np.array(code.matrix, dtype=np.uint8) == 0
    return light.shape[0], np.packbits(light, axis=1).tobytes().hex()


def check(pdf: bytes, documents) -> None:
    """Every document's QR codes pay its recipients their sums; its total is on the page."""
    pages = pdfium.PdfDocument(pdf)
    for i, doc in enumerate(documents):
        front = pages[i * PAGES_PER_DOCUMENT]
        image = front.render(scale=200 / 72, grayscale=True).to_pil()
        decoded = {f["PersonalAcc"]: f for f in
                   (parse_payload(c.bytes) for c in zxingcpp.read_barcodes(image))}
        for r in doc.recipients:
            assert decoded[r.settlement_account]["Sum"] == str(r.to_pay)
            assert decoded[r.settlement_account]["PersAcc"] == doc.account
        text = front.get_textpage().get_text_range().replace("\xa0", " ")
        assert fmt.money(doc.total_to_pay).replace("\xa0", " ") in text


CPU_SECONDS: list[float] = []


def on_cpu_clock(work):
    """``work`` with the process CPU seconds of each call appended to ``CPU_SECONDS``."""
    def timed(*args):
        start = time.process_time()
        work(*args)
        CPU_SECONDS.append(time.process_time() - start)
    return timed


def in_batches(render, documents) -> None:
    for start in range(0, len(documents), BATCH):
        render(documents[start:start + BATCH])


def report(benchmark, documents: int) -> None:
    stats = benchmark.stats.stats
    pages = documents * PAGES_PER_DOCUMENT
    info = {"documents": documents, "pages": pages,
            "pages_per_s_median": round(pages / stats.median),
            "pages_per_s_fastest": round(pages / stats.min),
            "pages_per_s_slowest": round(pages / stats.max),
            "pages_per_cpu_s_median": round(pages / statistics.median(CPU_SECONDS))}
    CPU_SECONDS.clear()
    benchmark.extra_info.update(info)
    print(f"\n{benchmark.name}: {info}")


@pytest.mark.benchmark(group="documents-render")
def test_reportlab_batches(benchmark, snapshots):
    r = renderer()
    check(r.render_many(snapshots[:CHECKED]), snapshots[:CHECKED])
    benchmark.pedantic(on_cpu_clock(in_batches), args=(r.render_many, snapshots), rounds=ROUNDS,
                       iterations=1, warmup_rounds=0)
    report(benchmark, len(snapshots))


@pytest.mark.benchmark(group="documents-render")
def test_fpdf2_batches(benchmark, snapshots):
    r = renderer()
    check(render_many_fpdf(r, snapshots[:CHECKED]), snapshots[:CHECKED])
    benchmark.pedantic(on_cpu_clock(in_batches),
                       args=(lambda docs: render_many_fpdf(r, docs), snapshots),
                       rounds=ROUNDS, iterations=1, warmup_rounds=0)
    report(benchmark, len(snapshots))


@pytest.mark.benchmark(group="documents-render")
def test_reportlab_single_files(benchmark, snapshots):
    r = renderer()
    sample = snapshots[:SAMPLE]
    for doc in sample[:CHECKED]:
        check(r.render(doc), [doc])
    benchmark.pedantic(on_cpu_clock(lambda: [r.render(doc) for doc in sample]), rounds=ROUNDS,
                       iterations=1, warmup_rounds=0)
    report(benchmark, len(sample))


@pytest.mark.benchmark(group="documents-render")
def test_reportlab_segno_qr(benchmark, snapshots):
    r = Renderer(renderer().layout, qr=segno_mask)
    sample = snapshots[:SAMPLE]
    check(r.render_many(sample[:CHECKED]), sample[:CHECKED])
    benchmark.pedantic(on_cpu_clock(in_batches), args=(r.render_many, sample), rounds=ROUNDS,
                       iterations=1, warmup_rounds=0)
    report(benchmark, len(sample))
