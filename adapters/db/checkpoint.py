"""SQLite's WAL checkpoints moved off the request path for a long-running server.

By default the connection whose commit pushes the WAL past 1,000 pages copies the WAL into the
database file (a checkpoint, with an fsync) before its commit returns: one request in some
tens of payments paid 4–10 ms of CPU and up to ≈90 ms of wall time for it, which is what the
p99 of a payment through the API showed. :class:`WalCheckpointer` turns the automatic
checkpoint off for the engine's connections and runs a ``PASSIVE`` checkpoint every
``interval`` seconds in a thread of its own (the driver releases the GIL while SQLite works).
A passive checkpoint never takes the write lock: commits go on while it copies, and once the
WAL is copied whole the next writer starts it from the beginning again, so it stays small.

Only ``zhkh serve`` runs one: the CLI's commands keep SQLite's automatic checkpoints (nothing
would copy their WAL otherwise). PostgreSQL: nothing to do.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_SECONDS = 0.5


class WalCheckpointer:
    """Background WAL checkpoints of one SQLite engine; :meth:`start` it, :meth:`stop` it."""

    def __init__(self, engine: Engine, *, interval: float = CHECKPOINT_INTERVAL_SECONDS
                 ) -> None:
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def applies(self) -> bool:
        """True for an SQLite engine (the only backend with a WAL of its own to copy)."""
        return self.engine.dialect.name == "sqlite"

    def start(self) -> WalCheckpointer:
        """Turn the automatic checkpoint off for the engine's connections (those pooled are
        closed, so every connection from now on gets the setting) and start the thread."""
        if not self.applies or self._thread is not None:
            return self
        event.listen(self.engine, "connect", _no_autocheckpoint)
        self.engine.dispose()
        self._thread = threading.Thread(target=self._run, name="zhkh-wal-checkpoint",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread after a last checkpoint; connections opened later checkpoint
        automatically again."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        event.remove(self.engine, "connect", _no_autocheckpoint)
        self.engine.dispose()

    def checkpoint(self) -> tuple[int, int, int]:
        """One passive checkpoint now: (busy, WAL frames, frames copied) as SQLite reports
        them."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                busy, frames, copied = cursor.fetchone() or (1, -1, -1)  # always one row
            finally:
                cursor.close()
        finally:
            raw.close()
        return int(busy), int(frames), int(copied)

    def _run(self) -> None:
        while True:
            stopping = self._stop.wait(self.interval)
            try:
                self.checkpoint()
            except Exception:  # a failed checkpoint is retried next time; the WAL keeps all
                log.exception("контрольная точка WAL SQLite не выполнена")
            if stopping:
                return


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    finally:
        cursor.close()


__all__ = ["CHECKPOINT_INTERVAL_SECONDS", "WalCheckpointer"]
