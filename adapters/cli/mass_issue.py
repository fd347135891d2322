"""Mass printing: issue a period's documents house by house and render them in worker
processes, for the print shop.

Design: the parent process owns the database. For each house (in delivery order: addresses
in natural order) it issues the documents the house still lacks in one transaction (a house
is issued whole or not at all; numbers follow delivery order), then hands the house's stored
snapshots — canonical JSON, nothing else — to a pool of processes (one per core) that render
the house's PDF (flats in natural order) and rename it into place when complete. While the
workers render one house the parent issues the next, with at most two jobs per worker in
flight. A rerun issues nothing twice (one monthly document per account and month) and
renders only the files that are missing or got new documents; the registry (CSV) and the
ZIP are written again from everything issued, at the end.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from zhkh.adapters.bootstrap import Application
from zhkh.adapters.print.batch import Done, Job, page_counts, render_job, warm_up
from zhkh.adapters.print.render import check_payment_codes
from zhkh.kernel.money import format_kopecks
from zhkh.modules.audit import Actor
from zhkh.modules.documents import service as documents
from zhkh.modules.documents.build import address

REGISTRY_COLUMNS = ("номер", "вид", "период", "лицевой счёт", "дом", "адрес", "плательщик",
                    "к оплате", "срок оплаты", "файл", "с листа", "листов", "хеш содержания")


@dataclass(frozen=True, slots=True)
class Scope:
    """What to print: one house, a management company's houses, or all (both None)."""

    house_id: int | None = None
    company_id: int | None = None


@dataclass(slots=True)
class MassReport:
    """What a run did."""

    houses: int = 0
    issued: int = 0
    skipped: int = 0
    rendered_files: int = 0
    pages: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    registry: Path | None = None
    archive: Path | None = None

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int, int], None]
"""Called with (houses done, houses in total, pages rendered so far)."""


def file_name(house_id: int, kind: str) -> str:
    """``house-000012.pdf`` (monthly) or ``house-000012-debt_notice.pdf``."""
    return f"house-{house_id:06d}.pdf" if kind == "monthly" else \
        f"house-{house_id:06d}-{kind}.pdf"


def run(app: Application, *, period: str, kind: str, scope: Scope, out: Path, actor: Actor,
        issue_date: date, workers: int | None = None,
        progress: Progress | None = None) -> MassReport:
    """Issue and render the documents of ``kind`` for ``period`` in ``scope`` into ``out``.
    Refusals of the period (``Invalid``) are raised before anything is written."""
    started = time.perf_counter()
    rules = app.document_rules
    with app.database.reader() as session:
        closed = documents.closed_on(session, period)
        houses = documents.scope_houses(session, house_id=scope.house_id,
                                        company_id=scope.company_id)
    out.mkdir(parents=True, exist_ok=True)
    report = MassReport(houses=len(houses))
    registry: dict[int, list[list[str]]] = {}
    workers = workers or os.cpu_count() or 1
    pending: dict[Future[Done], list[list[str]]] = {}
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=warm_up) as pool:
        for done_houses, (house_id, _address) in enumerate(houses, start=1):
            with app.database.session() as session:
                issued = documents.issue_house(session, actor, rules, house_id, kind, period,
                                               issue_date=issue_date, closed=closed,
                                               check=check_payment_codes)
            report.issued += len(issued.issued)
            report.skipped += issued.skipped
            report.errors += issued.errors
            job, rows = _job(app, house_id, kind, period, out)
            if job is None:
                continue
            registry[house_id] = rows
            report.files.append(Path(job.path))
            if issued.issued or not Path(job.path).exists():
                while len(pending) >= 2 * workers:
                    _collect(pending, report, wait(pending, return_when=FIRST_COMPLETED).done)
                pending[pool.submit(render_job, job)] = rows
            else:
                _fill_pages(rows, page_counts(list(job.snapshots)))
            if progress is not None:
                progress(done_houses, len(houses), report.pages)
        while pending:
            _collect(pending, report, wait(pending, return_when=FIRST_COMPLETED).done)
            if progress is not None:
                progress(len(houses), len(houses), report.pages)
    report.seconds = time.perf_counter() - started
    report.registry, report.archive = _registry_and_archive(out, period, kind, registry,
                                                            report.files)
    return report


def _job(app: Application, house_id: int, kind: str, period: str, out: Path
         ) -> tuple[Job | None, list[list[str]]]:
    """The house's render job (its stored snapshots in delivery order) and its registry
    rows (pages filled in when rendered)."""
    path = out / file_name(house_id, kind)
    rows, snapshots = [], []
    with app.database.reader() as session:
        for row, account in documents.delivered(session, house_id, kind, period):
            shown = json.loads(row.snapshot)  # the registry needs two fields: no validation
            snapshots.append(row.snapshot)
            rows.append([row.number, kind, period, account.number, str(house_id),
                         address(account), shown["payer"]["name"],
                         format_kopecks(row.total_kopecks), shown["due_date"], path.name, "",
                         "", row.content_hash])
    if not rows:
        return None, []
    return Job(house_id, str(path), f"{kind} {period}, дом {house_id}", tuple(snapshots)), rows


def _collect(pending: dict[Future[Done], list[list[str]]], report: MassReport,
             finished: set[Future[Done]]) -> None:
    for future in finished:
        rows = pending.pop(future)
        try:
            done = future.result()
        except Exception as error:  # a layout that cannot hold a document: reported, not fatal
            report.errors.append(f"файл {rows[0][9] if rows else '?'} не напечатан: {error}")
            continue
        _fill_pages(rows, done.pages)
        report.rendered_files += 1
        report.pages += sum(done.pages)


def _fill_pages(rows: list[list[str]], pages: tuple[int, ...]) -> None:
    first = 1
    for row, count in zip(rows, pages, strict=True):
        row[10], row[11] = str(first), str(count)
        first += count


def _registry_and_archive(out: Path, period: str, kind: str,
                          registry: dict[int, list[list[str]]], files: list[Path]
                          ) -> tuple[Path, Path]:
    """The print shop's registry (CSV: UTF-8 with BOM, «;», as spreadsheets open it) and the
    ZIP of the files and the registry."""
    suffix = period if kind == "monthly" else f"{period}-{kind}"
    registry_path = out / f"registry-{suffix}.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(REGISTRY_COLUMNS)
    for rows in registry.values():
        writer.writerows(rows)
    registry_path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    archive = out / f"documents-{suffix}.zip"
    partial = archive.with_name(archive.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as z:
        for path in [*files, registry_path]:
            if path.exists():
                z.write(path, arcname=path.name)
    os.replace(partial, archive)
    return registry_path, archive
