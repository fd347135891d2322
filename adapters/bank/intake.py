"""A bank file taken in: read with its profile, posted whole by the finance service in one unit
of work. The one path of ``zhkh payments import``, the API's upload and the demo.

Two processes taking in the same file at once: one commits; the other either sees the file
loaded (SQLite serialises writers) or, on PostgreSQL, waits on the unique content hash and fails
when the first commits — which is reported as the same «файл уже загружен» refusal.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError

from zhkh.modules.audit import Actor
from zhkh.modules.billing.charges import UnitOfWork
from zhkh.modules.errors import Conflict
from zhkh.modules.finance import service
from zhkh.modules.finance.registries import already_loaded
from zhkh.modules.finance.schemas import RegistryReportOut
from zhkh.modules.finance.service import FinanceRules

from .model import Limits, ParsedRegistry
from .profiles import get_profile
from .registry import parse_registry

DEFAULT_PROFILE = "sberbank_classic"
DBF_PROFILE = "payments_dbf"


def profile_for(file_name: str | None, name: str | None = None) -> str:
    """The profile named, else ``payments_dbf`` for a ``.dbf`` file, else the classic
    ``;``-separated registry."""
    if name:
        return name
    if file_name and file_name.lower().endswith(".dbf"):
        return DBF_PROFILE
    return DEFAULT_PROFILE


def read(source: Path | bytes | BinaryIO, *, file_name: str | None, profile: str | None,
         today: date, limits: Limits | None = None) -> ParsedRegistry:
    """The file parsed and checked by its profile (``RegistryError`` names line and field)."""
    chosen = get_profile(profile_for(file_name, profile))
    with cycle_collector_paused():
        return parse_registry(source, chosen, today=today, file_name=file_name,
                              limits=limits or Limits())


def take_in(unit: UnitOfWork, reader: UnitOfWork, rules: FinanceRules, parsed: ParsedRegistry,
            *, actor: Actor, received_on: date | None = None) -> RegistryReportOut:
    """Post a parsed file whole in one unit of work (``unit``: ``Database.session``); a file
    loaded before (now or by a concurrent process) is a ``Conflict`` naming when it was
    loaded (looked up through ``reader``: ``Database.reader``)."""
    try:
        with cycle_collector_paused(), unit() as session:
            return service.import_registry(session, actor, parsed, rules,
                                           received_on=received_on)
    except IntegrityError:
        with reader() as session:
            known = already_loaded(session, parsed.content_hash)
        if known is None:
            raise
        raise Conflict("registry_already_loaded",
                       f"файл уже загружен {known.loaded_at:%d.%m.%Y %H:%M} "
                       f"(«{known.file_name}», реестр {known.id}); повторно не проводится",
                       obj=f"payment_registry:{known.id}") from None


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, then restored as it was.

    A million-line file is millions of tuples that live to the end of the import; each full
    collection walks all of them, and allocating them triggers collections again and again
    (measured: a quarter of the Python time of 100,000 lines). Nothing here makes reference
    cycles, and reference counting still frees every object; only the collector's sweeps are
    skipped while the file is read and posted."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
