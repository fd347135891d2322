"""The monthly run: facts in bulk → kernel → ledger lines in bulk, atomically per batch of houses.

Each batch is one unit of work: the lines the run computes for the batch's accounts (charges,
the month's own recalculations, benefits, quality reductions — ``OWN_KINDS``) booked in the
period are deleted and written again (COPY on PostgreSQL) together with the batch's run
errors, so a rerun replaces lines and never duplicates them, and a crash leaves every batch
either fully old or fully new. Recalculation lines already booked in the period are kept (they
are about closed months, which a rerun does not change). After the charges, pending entries of the
recalculation queue are processed (``recalc.process_queue``).
"""

from __future__ import annotations

import gc
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from zhkh.kernel.money import to_kopecks
from zhkh.kernel.period import Period as Month
from zhkh.modules.audit.repository import AuditRepository
from zhkh.modules.billing.charges import (
    Progress,
    UnitOfWork,
    new_run_id,
    replace_charges,
)
from zhkh.modules.billing.compute import BatchCalculator, Computed
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.fast_batch import (
    FastBatch,
    compute_batch,
    summarize,
    tick,
    write_columnar,
)
from zhkh.modules.billing.house_step import replace_house_totals
from zhkh.modules.billing.recalc import process_queue as run_queue
from zhkh.modules.billing.repository import (
    PeriodRepository,
)
from zhkh.modules.registry.repository import RegistryRepository

ANALYZE_AFTER = 100_000
"""Lines written by a run on PostgreSQL after which the ledger's statistics are refreshed
(then again each time the count doubles, and at the end)."""
READERS = 2
"""Threads computing batches of a pipelined run (see ``_pipelined``)."""
WRITERS = 2
"""Writer threads of a pipelined run: each batch's COPY costs the server about as much as
computing it costs Python, so two writers keep the server busy while the readers compute."""


@dataclass(slots=True)
class RunErrorInfo:
    """One per-account error of a run, for the report."""

    account: str
    service: str | None
    code: str
    message: str


@dataclass(slots=True)
class RunReport:
    """What a run did: counts, money by service, errors, time."""

    period: str
    run_id: str
    rulebook_version: str
    houses: int = 0
    accounts: int = 0
    lines: int = 0
    amount_kopecks: int = 0
    by_service: dict[str, list[int]] = field(default_factory=dict)
    """Service → [lines, accounts, kopecks] (kopecks net of benefits and reductions)."""
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    """Service → line kind other than a charge (benefit, quality_reduction) → kopecks, so a
    summary can show charges, benefits and reductions apart."""
    errors: list[RunErrorInfo] = field(default_factory=list)
    recalculation_lines: int = 0
    recalculation_kopecks: int = 0
    seconds: float = 0.0


def run_period(unit: UnitOfWork, calculator: BatchCalculator, period: str, *,
               houses_per_batch: int = 200, house_ids: Sequence[int] | None = None,
               progress: Progress | None = None, process_queue: bool = True,
               actor: str = "system", columnar: bool = True,
               pipeline: bool = False) -> RunReport:
    """Calculate ``period`` for every house (or ``house_ids``) and write its charge lines.

    Guarantees: the period is open (opened if new; a closed period is refused with
    ``PeriodClosedError`` before anything is written); after the run the ledger holds for each
    account exactly the lines ``calculate`` gives on its situation, booked in ``period``; an
    account whose calculation fails has no charge lines in the period and one stored run error
    per failure; other accounts are unaffected.

    ``pipeline=True`` (PostgreSQL only; ignored on SQLite, whose one writer holds the database
    from its first statement) reads and computes the next batch while ``WRITERS`` threads
    write the previous ones; each batch is still one transaction (its delete, lines and
    errors), so the guarantees above hold per batch as without it. It needs a ``unit`` whose
    sessions are independent (each on its own connection, as ``Database.session`` gives),
    since several threads use it. On PostgreSQL the ledger is analyzed as the run's lines
    double and at the end.
    """
    started = time.perf_counter()
    key = str(Month.parse(period))
    run_id = new_run_id(key, "run")
    report = RunReport(period=key, run_id=run_id, rulebook_version=calculator.version)
    with unit() as session:
        PeriodRepository(session).open(key, after_start=True)
        houses = (list(house_ids) if house_ids is not None
                  else RegistryRepository(session).house_ids())
        backend = session.get_bind().dialect.name
    per_service: dict[str, set[int]] = defaultdict(set)
    batches = [houses[i:i + houses_per_batch] for i in range(0, len(houses), houses_per_batch)]

    analyze_at = ANALYZE_AFTER

    def done(computed: Computed, numbers: dict[int, str], index: int) -> None:
        nonlocal analyze_at
        _account(report, computed, numbers, per_service)
        if backend == "postgresql" and report.lines >= analyze_at:
            _analyze_ledger(unit)
            analyze_at = 2 * report.lines
        if progress is not None:
            progress(min((index + 1) * houses_per_batch, len(houses)), len(houses))

    if columnar and pipeline and backend == "postgresql":
        _pipelined(unit, calculator, key, batches, run_id, done)
    else:
        for index, batch in enumerate(batches):
            with collector_paused(), unit() as session:
                computed, numbers = write_batch(session, calculator, key, batch, run_id,
                                                columnar=columnar)
            done(computed, numbers, index)
    report.houses = len(houses)
    if backend == "postgresql":
        _analyze_ledger(unit)  # fresh statistics for the checks and reruns that follow
    for service, accounts in per_service.items():
        report.by_service[service][1] = len(accounts)
    if process_queue:
        booked = run_queue(unit, calculator, reason="изменение данных после закрытия периода")
        report.recalculation_lines = len(booked)
        report.recalculation_kopecks = sum(r.amount_kopecks for r in booked)
    report.seconds = time.perf_counter() - started
    with unit() as session:
        AuditRepository(session).record(
            actor=actor, action="billing.run", object_type="period", object_id=key,
            after={"run_id": run_id, "lines": report.lines, "accounts": report.accounts,
                   "errors": len(report.errors), "amount_kopecks": report.amount_kopecks,
                   "rulebook_version": calculator.version})
    return report


def _analyze_ledger(unit: UnitOfWork) -> None:
    """Refresh the planner's statistics of the ledger (PostgreSQL).

    Taken when the lines written by this run double: a ledger that held nothing of the period
    (or nothing at all) when last analyzed would make the planner scan the whole table for
    each batch's delete instead of probing the (period_booked, account_id) index.
    """
    with unit() as session:
        session.execute(text("SELECT zhkh_analyze_ledger_lines()"))  # the owner's ANALYZE (0114)


_paused = 0
_paused_lock = threading.Lock()
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while any batch is being computed, back on (if it
    was) when the last one ends.

    A batch allocates millions of small acyclic objects (fetched rows, numbers, texts); each
    allocation threshold crossed would make the collector traverse them, up to a full
    collection over everything alive — about a third of the facts stage. Reference counting
    still frees them; the few cycles of a batch (a session) are collected afterwards. Counted,
    so that batches computed by several threads at once do not switch it back on early.
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


def _pipelined(unit: UnitOfWork, calculator: BatchCalculator, period: str,
               batches: list[list[int]], run_id: str,
               done: Callable[[Computed, dict[int, str], int], None], *,
               readers: int = READERS, writers: int = WRITERS) -> None:
    """Compute batches in ``readers`` threads while ``writers`` threads commit earlier ones.

    Most of reading a batch's facts is waiting for the database; with two batches in
    computation, one computes in Python while the other's queries run on the server (the
    driver releases the GIL while it waits). The facts are read in a transaction of their own
    (at READ COMMITTED every statement sees a fresh snapshot anyway); a writer's transaction
    deletes and writes exactly the accounts the facts scoped. Batches hold disjoint accounts,
    so concurrent writers touch disjoint lines (the rows they all reference are only
    share-locked). Results are written and reported in batch order. A failed batch stops the
    run; batches committed before it stay committed.
    """
    upcoming = iter(enumerate(batches))
    computing: deque[tuple[Future[FastBatch], int]] = deque()
    writing: deque[tuple[Future[tuple[Computed, dict[int, str]]], int]] = deque()
    with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="zhkh-run-reader") as rpool, \
            ThreadPoolExecutor(max_workers=writers, thread_name_prefix="zhkh-run-writer") as wpool:

        def feed() -> None:
            while len(computing) < readers and (item := next(upcoming, None)) is not None:
                computing.append((rpool.submit(_compute, unit, calculator, period, item[1]),
                                  item[0]))

        feed()
        while computing:
            future, index = computing.popleft()
            fast = future.result()
            feed()
            while len(writing) >= writers or (writing and writing[0][0].done()):
                written, number = writing.popleft()
                done(*written.result(), number)
            writing.append((wpool.submit(_write_fast, unit, fast, period, calculator.version,
                                         run_id), index))
        while writing:
            written, number = writing.popleft()
            done(*written.result(), number)


def _compute(unit: UnitOfWork, calculator: BatchCalculator, period: str, batch: list[int]
             ) -> FastBatch:
    with collector_paused(), unit() as session:
        return compute_batch(session, calculator, period, batch)


def _write_fast(unit: UnitOfWork, fast: FastBatch, period: str, version: str, run_id: str
                ) -> tuple[Computed, dict[int, str]]:
    with unit() as session:
        _write_computed(session, fast, period, version, run_id)
    return fast.computed, fast.batch.numbers


def _write_computed(session: Session, fast: FastBatch, period: str, version: str,
                    run_id: str) -> None:
    started = time.perf_counter()
    replace_charges(session, period, fast.scope_account_ids, fast.computed, fast.provider_ids,
                    version, run_id)
    started = tick("delete", started)
    write_columnar(session, fast, period=period, version=version, run_id=run_id)
    replace_house_totals(session, period, fast.house_ids, fast.computed, run_id)
    tick("write", started)
    summarize(fast)


def write_batch(session: Session, calculator: BatchCalculator, period: str, house_ids: list[int],
                run_id: str, *, columnar: bool = True) -> tuple[Computed, dict[int, str]]:
    """Recompute the charge lines of ``house_ids`` in the open ``period`` within the caller's
    transaction: delete the old charge lines of their accounts, write the new ones and the
    errors. Simple accounts take the columnar path (same lines; ``columnar=False`` sends every
    account through situations). Returns what was computed and the account numbers by id."""
    if not columnar:
        facts = FactsReader(session, period, calculator.common).for_houses(house_ids)
        computed = calculator.compute(facts)
        replace_charges(session, period, facts.scope_account_ids, computed,
                        facts.provider_ids, calculator.version, run_id)
        replace_house_totals(session, period, house_ids, computed, run_id)
        return computed, {v: k for k, v in facts.account_ids.items()}
    fast = compute_batch(session, calculator, period, house_ids)
    _write_computed(session, fast, period, calculator.version, run_id)
    return fast.computed, fast.batch.numbers


def _account(report: RunReport, computed: Computed, numbers: dict[int, str],
             per_service: dict[str, set[int]]) -> None:
    accounts: set[int] = set()
    for account_id, line in computed.lines:
        kopecks = to_kopecks(line.amount)
        entry = report.by_service.setdefault(line.service, [0, 0, 0])
        entry[0] += 1
        entry[2] += kopecks
        if line.kind != "charge":
            kinds = report.by_kind.setdefault(line.service, {})
            kinds[line.kind] = kinds.get(line.kind, 0) + kopecks
        report.amount_kopecks += kopecks
        accounts.add(account_id)
        per_service[line.service].add(account_id)
    for service, ids, kopecks in computed.columnar:
        entry = report.by_service.setdefault(service, [0, 0, 0])
        entry[0] += len(ids)
        entry[2] += int(kopecks.sum())
        report.amount_kopecks += int(kopecks.sum())
        report.lines += len(ids)
        unique = set(ids.tolist())
        accounts |= unique
        per_service[service] |= unique
    report.lines += len(computed.lines)
    report.accounts += len(accounts)
    report.errors += [RunErrorInfo(numbers.get(e.account_id, str(e.account_id)), e.service,
                                   e.code, e.message) for e in computed.errors]
