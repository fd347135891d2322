"""One batch of the monthly run on the columnar path, with the rest on the per-situation path.

Simple accounts (see ``columns``) are calculated by ``kernel.calc.columnar``; the accounts it
routes away, and those it cannot reproduce exactly, by ``BatchCalculator.compute`` over their
situations. Both sets of lines are written in the caller's transaction: COPY on PostgreSQL
(rows formatted as COPY text in bulk), executemany on SQLite.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from zhkh.kernel.calc.columnar import ColumnarResult, calculate_columns
from zhkh.modules.billing.columns import ColumnBatch, ColumnReader
from zhkh.modules.billing.compute import BatchCalculator, Computed
from zhkh.modules.billing.facts import BatchFacts, FactsReader
from zhkh.modules.billing.house_step import common_step
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import LEDGER_COLUMNS
from zhkh.modules.db.bulk import copy_escape, copy_text, insert_rows
from zhkh.modules.db.copy_rows import Int, Pick, Text, copy_rows

SLOW_CHUNK = 900
BATCH_SETTINGS = {
    "random_page_cost": "1.1",
    "cursor_tuple_fraction": "1",
    "max_parallel_workers_per_gather": "0",
    "work_mem": "'64MB'",
}
"""PostgreSQL planner settings within a batch's reading transaction (``SET LOCAL``, so nothing
else of the database is affected).

* ``random_page_cost`` 1.1 (data in memory or on SSD, the usual production setting): a batch
  reads about 2 % of every table of facts, by index; with the default cost model (``4``, made
  for spinning disks) the planner joined the batch's premises to whole tables of accounts and
  registrations by parallel sequential scans — about 60 % of the server's CPU of a 1 M-account
  run (134 → 29 ms and 289 → 44 ms for those two queries on one batch).
* ``cursor_tuple_fraction`` 1: the facts read through a server-side cursor are all fetched;
  planned for the first 10 % (the default) the owners query walked the whole premises index
  in order (≈190 ms a batch of 20,000 accounts of 1 M, instead of ≈10).
* no parallel workers: the run already keeps both cores busy (readers and writers), and a
  Gather Merge of the services query sorted on disk in three processes.
* ``work_mem`` 64 MB: a batch's sorts (≈180,000 services) fit in memory.
"""
TIMINGS: dict[str, float] = {}
"""Seconds spent per stage by this process (facts, decide, kernel, explain, slow, write)."""


def tick(name: str, started: float) -> float:
    """Add the seconds since ``started`` to ``TIMINGS[name]``; returns now."""
    now = time.perf_counter()
    TIMINGS[name] = TIMINGS.get(name, 0.0) + now - started
    return now


@dataclass(slots=True)
class FastBatch:
    """What the columnar path computed for a batch and the situation-path rest."""

    batch: ColumnBatch
    result: ColumnarResult
    computed: Computed = field(default_factory=Computed)
    scope_account_ids: list[int] = field(default_factory=list)
    provider_ids: dict[str, int] = field(default_factory=dict)
    house_ids: list[int] = field(default_factory=list)


def compute_batch(session: Session, calculator: BatchCalculator, period: str,
                  house_ids: list[int]) -> FastBatch:
    """Lines of every account of ``house_ids``: columnar for the simple, situations for the
    rest (their errors as values, as ``BatchCalculator.compute`` gives them)."""
    started = time.perf_counter()
    if session.get_bind().dialect.name == "postgresql":
        for name, value in BATCH_SETTINGS.items():
            session.execute(text(f"SET LOCAL {name} = {value}"))
    skip = calculator.common.codes  # common property: the house step after the others
    batch = ColumnReader(session, period).for_houses(house_ids, skip=skip)
    started = tick("facts", started)
    result = calculate_columns(batch.facts, calculator.rulebook, calculator.engine)
    for name, seconds in result.timings.items():
        TIMINGS[name] = TIMINGS.get(name, 0.0) + seconds
    started = tick("columnar", started)
    slow = sorted(set(batch.slow) | set(result.slow.tolist()))
    facts = BatchFacts(period=str(period))
    reader = FactsReader(session, period, calculator.common)
    for i in range(0, len(slow), SLOW_CHUNK):
        part = reader.for_accounts(slow[i:i + SLOW_CHUNK], skip=skip)
        facts.situations += part.situations
        facts.account_ids.update(part.account_ids)
        facts.provider_ids.update(part.provider_ids)
        facts.errors += part.errors
    computed = calculator.compute(facts)
    started = tick("slow", started)
    common_step(session, calculator, period, house_ids, batch, result, computed)
    tick("common", started)
    return FastBatch(batch, result, computed, batch.scope_account_ids, batch.provider_ids,
                     list(house_ids))


def summarize(fast: FastBatch) -> None:
    """Put the columnar lines into ``fast.computed.columnar`` as (service, ids, kopecks)."""
    res, cols = fast.result, fast.batch.facts
    if not len(res.fact):
        return
    names = sorted({t.service for t in res.templates})
    code = {name: i for i, name in enumerate(names)}
    services = np.array([code[t.service] for t in res.templates], dtype=np.int64)[res.template]
    accounts = cols.account[res.fact]
    for i in np.unique(services).tolist():
        m = services == i
        fast.computed.columnar.append((names[i], accounts[m], res.amount[m]))


def ledger_tuples(fast: FastBatch, *, period: str, version: str, run_id: str
                  ) -> Iterator[tuple]:
    """The columnar lines as ledger rows (``LEDGER_COLUMNS`` order)."""
    res, cols = fast.result, fast.batch.facts
    providers = [fast.provider_ids[p] for p in cols.vocab["provider"]]
    heads = [(t.service, t.component, t.zone) for t in res.templates]
    tails = [f" [правила: {', '.join(t.rule_ids)}]" for t in res.templates]
    methods = [t.method for t in res.templates]
    prices = [t.price for t in res.templates]
    acc = cols.account[res.fact].tolist()
    prov = cols.codes["provider"][res.fact].tolist()
    for a, p, t, v, m, e in zip(acc, prov, res.template.tolist(), res.volume.tolist(),
                                res.amount.tolist(), res.explain, strict=True):
        s, c, z = heads[t]
        yield (a, s, c, z, providers[p], period, period, "charge", methods[t], v, prices[t], m,
               version, e + tails[t], run_id)


def write_columnar(session: Session, fast: FastBatch, *, period: str, version: str,
                   run_id: str) -> int:
    """Append the columnar lines (COPY text built in bulk on PostgreSQL, multi-row INSERTs on
    SQLite); returns the count."""
    conn = session.connection()
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        copy_text(session, LedgerLine.__table__, LEDGER_COLUMNS,
                  copy_chunks(fast, period=period, version=version, run_id=run_id))
        return len(fast.result.fact)
    rows = ledger_tuples(fast, period=period, version=version, run_id=run_id)
    return insert_rows(session, LedgerLine.__table__, LEDGER_COLUMNS, rows)


def copy_chunks(fast: FastBatch, *, period: str, version: str, run_id: str,
                lines_per_chunk: int = 20_000) -> Iterator[bytes]:
    """The columnar lines in COPY text format (``LEDGER_COLUMNS`` order), in chunks of UTF-8.

    Everything but the account, provider, volume, amount and explain is constant per row
    template and escaped once; numbers need no escaping; the explain texts are escaped only
    when one of them holds a COPY special character. The rows are joined by compiled code
    (:mod:`zhkh.modules.db.copy_rows`).
    """
    res, cols = fast.result, fast.batch.facts
    esc = copy_escape
    providers = [f"\t{fast.provider_ids[p]}\t" for p in cols.vocab["provider"]]
    # (service, component, zone) … provider … (period_for … method) … volume … price
    heads = [f"\t{esc(t.service)}\t{esc(t.component)}\t{esc(t.zone)}" for t in res.templates]
    middles = [f"{esc(period)}\t{esc(period)}\tcharge\t{esc(t.method)}\t"
               for t in res.templates]
    prices = [f"\t{t.price}\t" for t in res.templates]
    tails = [esc(f" [правила: {', '.join(t.rule_ids)}]") + f"\t{esc(run_id)}\n"
             for t in res.templates]
    explain = res.explain
    joined = "".join(explain)
    if any(c in joined for c in "\\\t\n\r"):
        explain = [esc(e) for e in explain]
    template = res.template
    yield from copy_rows([
        Int(cols.account[res.fact]), Pick(template, heads),
        Pick(cols.codes["provider"][res.fact], providers), Pick(template, middles),
        Int(res.volume), Pick(template, prices), Int(res.amount),
        Pick(np.zeros(len(template), dtype=np.int64), [f"\t{esc(version)}\t"]),
        Text(explain), Pick(template, tails),
    ], rows_per_chunk=lines_per_chunk)
