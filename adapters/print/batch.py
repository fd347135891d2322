"""Rendering in worker processes: one job is one delivery file (a house's documents in
delivery order), given as the stored snapshots' canonical JSON, so a worker needs nothing but
the layout — no database, no rules. The file is written beside its final name and renamed
when complete, so an interrupted run never leaves a file that looks finished.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from zhkh.adapters.print.render import renderer
from zhkh.modules.documents.canonical import load_snapshot


@dataclass(frozen=True, slots=True)
class Job:
    """Render ``snapshots`` (canonical JSON texts, in print order) into ``path``."""

    key: int
    path: str
    title: str
    snapshots: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Done:
    """A file written: its pages per document, in order, and its size."""

    key: int
    path: str
    pages: tuple[int, ...]
    size: int


def warm_up() -> None:
    """Load the layout and fonts once per worker process (the pool's initializer)."""
    renderer()


def render_job(job: Job) -> Done:
    """Render one file; the pages of each document are counted as drawn."""
    r = renderer()
    documents = [load_snapshot(text) for text in job.snapshots]
    pdf, pages = r.render_counted(documents, title=job.title)
    target = Path(job.path)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(pdf)
    os.replace(partial, target)
    return Done(job.key, job.path, pages, len(pdf))


def page_counts(snapshots: list[str]) -> tuple[int, ...]:
    """Pages each stored document prints on (for a file already rendered)."""
    r = renderer()
    return tuple(len(r.pages_of(load_snapshot(text))) for text in snapshots)
