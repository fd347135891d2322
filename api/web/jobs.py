"""Background jobs of the web pages: long work (the impact preview of a draft rulebook over
the whole base) runs in a worker thread while its status page polls it.

One worker per app, so two previews never compete for the machine's cores: a job started
while another runs waits its turn («в очереди»). Jobs live in the process's memory (kept by
``app.state``); a finished job is kept until ``keep`` newer ones have finished after it.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import Request

Progress = Callable[[int, int], None]
LOG = logging.getLogger("zhkh.web.jobs")


@dataclass
class Job:
    """One job: who started it, its progress (``done`` of ``total`` units) and outcome."""

    id: str
    title: str
    owner: int
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    state: Literal["queued", "running", "done", "failed"] = "queued"
    done: int = 0
    total: int | None = None
    result: Any = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def percent(self) -> int:
        """How far along, 0–100 (0 while the total is unknown)."""
        if not self.total:
            return 100 if self.state == "done" else 0
        return min(100, self.done * 100 // self.total)


class Jobs:
    """The jobs of one app, run one at a time by a worker thread."""

    def __init__(self, keep: int = 20) -> None:
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhkh-web-job")

    def start(self, title: str, owner: int, work: Callable[[Progress], Any]) -> Job:
        """Queue ``work(progress)``; its result (or the error's message) is kept on the job.
        ``work`` must raise only for a failure the user is to read: its message is shown."""
        job = Job(secrets.token_urlsafe(12), title, owner)
        with self._lock:
            self._jobs[job.id] = job
            finished = [j.id for j in self._jobs.values() if j.finished]
            for old in finished[:max(0, len(finished) - self.keep)]:
                del self._jobs[old]

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def run() -> None:
            job.state = "running"
            try:
                job.result = work(progress)
                job.state = "done"
            except Exception as exc:  # shown to the user on the status page; the run ends
                job.error = str(exc) or type(exc).__name__
                job.state = "failed"
                LOG.exception("job %s failed", job.title)

        self._worker.submit(run)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job of ``job_id`` if it is still kept."""
        with self._lock:
            return self._jobs.get(job_id)


def jobs_of(request: Request) -> Jobs:
    """The app's jobs (made on first use)."""
    state = request.app.state
    with _MAKE:
        if getattr(state, "web_jobs", None) is None:
            state.web_jobs = Jobs()
    return state.web_jobs


_MAKE = threading.Lock()
