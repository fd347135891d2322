"""Bank payment registries: a parsed file posted whole, unidentified payments, their matching.

The file is read by ``adapters/bank`` (this module sees it through :class:`IncomingRegistry`,
a structural type, so ``modules`` never imports ``adapters``). :func:`import_registry` runs in
the caller's transaction, so a file is posted whole or not at all:

* the same file (content hash) is refused, naming when it was loaded;
* a line already posted from an earlier file (bank operation id + date + amount) is kept as a
  ``duplicate`` and posts nothing; so does a repeat of such a line inside the file;
* a line whose account is unknown, or closed before the payment date, is ``unidentified``:
  nothing is dropped, an operator matches it to an account later (:func:`match`);
* every other line becomes a payment of the bank channel, allocated at once; the account is
  credited with the gross amount, the bank's commission is kept apart on the payment;
* meter readings inside lines (``CounterVal_n``) are stored as readings from the bank channel
  when ``n`` names a meter of the account's premises (by serial number, or by its place in the
  list of the premises' meters); the others are listed in the report, not refused.

Two processes importing the same file at once: the unique content hash lets one commit and
the other fail (``registry_already_loaded``), never both post it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Engine, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhkh.kernel.money import format_rub_ru, to_micro
from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.db.bulk import insert_rows
from zhkh.modules.errors import Conflict, Invalid, NotFound
from zhkh.modules.finance import registry_rows, repository
from zhkh.modules.finance.allocating import Key, consume, split_rows
from zhkh.modules.finance.models import Payment, PaymentRegistry, RegistryLine
from zhkh.modules.finance.payments import Ledgerbook, NewPayment, post, posting_period
from zhkh.modules.finance.repository import FinanceRepository
from zhkh.modules.meters import review as review_queue
from zhkh.modules.meters.models import Meter, Reading
from zhkh.modules.registry.models import Account
from zhkh.modules.seams import ReadingChecks

READING_COLUMNS = ("meter_id", "zone", "taken_on", "value_micro", "source", "source_id")


class IncomingReading(Protocol):
    @property
    def counter(self) -> str: ...
    @property
    def value(self) -> Decimal: ...


class IncomingLine(Protocol):
    """One parsed line (``adapters.bank.RegistryLine`` has this shape)."""

    @property
    def payment_date(self) -> date: ...
    @property
    def account(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def commission(self) -> int: ...
    @property
    def operation_id(self) -> str | None: ...
    @property
    def payer(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def line_number(self) -> int: ...
    @property
    def raw(self) -> str: ...

    @property
    def period(self) -> Any: ...

    @property
    def readings(self) -> Sequence[IncomingReading]: ...


class IncomingTotals(Protocol):
    @property
    def line_count(self) -> int: ...
    @property
    def amount(self) -> int: ...
    @property
    def commission(self) -> int: ...


class IncomingRegistry(Protocol):
    """A parsed, checked registry file (``adapters.bank.ParsedRegistry`` has this shape).
    Read-only attributes (properties), so frozen dataclasses and named tuples conform."""

    @property
    def profile(self) -> str: ...
    @property
    def file_name(self) -> str | None: ...
    @property
    def content_hash(self) -> str: ...

    @property
    def lines(self) -> Sequence[IncomingLine]: ...

    @property
    def totals(self) -> IncomingTotals: ...


@dataclass(slots=True)
class ImportReport:
    """What a file did: its id, counts and sums by line status, readings taken or not."""

    registry_id: int
    file_name: str
    lines: int = 0
    posted: int = 0
    posted_kopecks: int = 0
    unidentified: int = 0
    unidentified_kopecks: int = 0
    duplicates: int = 0
    commission_kopecks: int = 0
    readings: int = 0
    readings_refused: list[str] = field(default_factory=list)
    readings_held: list[str] = field(default_factory=list)
    """Readings held for review by the plausibility checks (not billed until confirmed)."""


def already_loaded(session: Session, content_hash: str) -> PaymentRegistry | None:
    """The registry loaded with this content, if any."""
    return session.scalar(select(PaymentRegistry).where(
        PaymentRegistry.content_hash == content_hash))


def import_registry(session: Session, actor: Actor, registry: IncomingRegistry,
                    book: Ledgerbook, *, received_on: date | None = None,
                    checks: ReadingChecks | None = None) -> ImportReport:
    """Post a parsed registry whole (see the module docstring); returns the report.
    ``received_on``: the day the money reached the billing center (default: today).
    ``checks``: the plausibility checks a reading in a line must pass to be stored; one that
    fails is held for review (``report.readings_held``) instead."""
    # a transaction begun here holds nothing uncommitted but what this import writes, so
    # what it reads of the ledger another connection reads the same (see _owed_beside)
    fresh = not session.in_transaction()
    FinanceRepository(session).lock_all()  # a second process waits, then sees the file loaded
    FinanceRepository(session).work_in_bulk()
    known = already_loaded(session, registry.content_hash)
    if known is not None:
        raise _loaded(known)
    period = posting_period(session)
    lines = list(registry.lines)
    accounts = _identify(session, lines)
    status = _statuses(session, lines, accounts)
    owed = _owed(session, sorted({a for a, st in zip(accounts, status, strict=True)
                                  if st == "posted" and a is not None}), fresh)
    counts: dict[str, int] = defaultdict(int)
    for s in status:
        counts[s] += 1
    head = PaymentRegistry(
        file_name=(registry.file_name or "реестр")[:255], content_hash=registry.content_hash,
        format=registry.profile, line_count=len(lines), total_kopecks=registry.totals.amount,
        commission_kopecks=registry.totals.commission, posted_count=counts["posted"],
        unidentified_count=counts["unidentified"], duplicate_count=counts["duplicate"],
        actor=actor.name)
    try:
        with session.begin_nested():  # a concurrent import of the same file may win the key
            session.add(head)
    except IntegrityError:
        known = already_loaded(session, registry.content_hash)
        if known is None:
            raise
        raise _loaded(known) from None
    repo = FinanceRepository(session)
    ids = repo.new_ids(RegistryLine.__table__, len(lines))
    registry_rows.write_lines(session, (
        (line_id, head.id, ln.line_number, ln.operation_id, ln.payment_date, ln.account[:64],
         _cut(ln.payer, 300), _cut(ln.address, 500), _month(ln.period), ln.amount,
         ln.commission, st, ln.raw) for line_id, ln, st in zip(ids, lines, status, strict=True)))
    line_ids = {ln.line_number: line_id for line_id, ln in zip(ids, lines, strict=True)}
    report = ImportReport(head.id, head.file_name, lines=len(lines))
    posted = [(ln, accounts[i]) for i, ln in enumerate(lines) if status[i] == "posted"]
    _post_all(session, actor, posted, line_ids, period, book, received_on or date.today(),
              owed)
    for ln, st in zip(lines, status, strict=True):
        report.commission_kopecks += ln.commission
        if st == "posted":
            report.posted += 1
            report.posted_kopecks += ln.amount
        elif st == "unidentified":
            report.unidentified += 1
            report.unidentified_kopecks += ln.amount
        else:
            report.duplicates += 1
    _readings(session, actor, posted, line_ids, report, checks)
    audit.record(session, actor, action="registry.import", object_type="payment_registry",
                 object_id=head.id, after={
                     "file_name": head.file_name, "content_hash": head.content_hash,
                     "format": head.format, "lines": report.lines, "posted": report.posted,
                     "posted_kopecks": report.posted_kopecks,
                     "unidentified": report.unidentified, "duplicates": report.duplicates})
    return report


def _loaded(known: PaymentRegistry) -> Conflict:
    return Conflict("registry_already_loaded",
                    f"файл уже загружен {known.loaded_at:%d.%m.%Y %H:%M} "
                    f"(«{known.file_name}», реестр {known.id}); повторно не проводится",
                    obj=f"payment_registry:{known.id}")


def _cut(text: str | None, size: int) -> str | None:
    return text[:size] if text else text


def _month(period: Any) -> str | None:
    """A line's period as ``YYYY-MM`` text (None when the line names none)."""
    return str(period) if period else None


def _identify(session: Session, lines: Sequence[IncomingLine]) -> list[int | None]:
    """The account id of each line, or None when unknown or closed before the payment (one
    query on PostgreSQL: the numbers as one array)."""
    numbers = sorted({ln.account.strip() for ln in lines})
    session.flush()  # read on the connection below, past the session's autoflush
    found: dict[str, tuple[int, date | None]] = {}
    for stmt in _among_texts(session, select(Account.number, Account.id, Account.closed_on),
                             Account.number, numbers):
        for number, account_id, closed_on in session.connection().execute(stmt):
            found[number] = (account_id, closed_on)
    out: list[int | None] = []
    for ln in lines:
        hit = found.get(ln.account.strip())
        if hit is None or (hit[1] is not None and hit[1] < ln.payment_date):
            out.append(None)
        else:
            out.append(hit[0])
    return out


def _among_texts(session: Session, stmt: Any, column: Any, values: Sequence[str]) -> list[Any]:
    """``stmt`` restricted to ``column IN values``: one statement on PostgreSQL — the values
    sent as one text split by the server when none holds a line break (psycopg's dumping of
    a list took seconds for a million-line file's half a million account numbers), as an
    array otherwise — and chunks of 900 elsewhere."""
    if not values:
        return []
    if session.get_bind().dialect.name == "postgresql":
        if not any("\n" in v for v in values):
            texts = func.string_to_array(bindparam("texts", "\n".join(values), type_=String),
                                         "\n")
            return [stmt.where(column.in_(select(func.unnest(texts))))]
        return [stmt.where(column.in_(select(func.unnest(
            bindparam("texts", list(values), type_=ARRAY(String))))))]
    return [stmt.where(column.in_(values[i:i + 900])) for i in range(0, len(values), 900)]


def _statuses(session: Session, lines: Sequence[IncomingLine],
              accounts: Sequence[int | None]) -> list[str]:
    identities = [(ln.operation_id, ln.payment_date, ln.amount) for ln in lines]
    wanted = set(identities)
    seen: set[tuple[Any, ...]] = set()
    operations = sorted({x[0] for x in identities if x[0] is not None})
    query = select(RegistryLine.operation_id, RegistryLine.paid_on,
                   RegistryLine.amount_kopecks).where(RegistryLine.status != "duplicate")
    for stmt in _among_texts(session, query, RegistryLine.operation_id, operations):
        seen.update(x for x in map(tuple, session.connection().execute(stmt)) if x in wanted)
    out = []
    for identity, account in zip(identities, accounts, strict=True):
        if identity[0] is not None and identity in seen:
            out.append("duplicate")
            continue
        if identity[0] is not None:
            seen.add(identity)
        out.append("posted" if account is not None else "unidentified")
    return out


READ_BESIDE = True
"""Read a large file's open keys on a second connection while this one writes (PostgreSQL)."""

Owed = tuple[dict[int, dict[Key, int]], dict[int, list[tuple[int, int]]]]


def _owed(session: Session, account_ids: list[int], fresh: bool) -> Callable[[], Owed]:
    """What the file's accounts owe — their open keys and their advances — as a call that
    gives them when the allocation needs them. For a large file on PostgreSQL, in a
    transaction that began with the import (``fresh``), they are read at once on a second
    connection in a thread (the server computes them, ≈10 s for half a million accounts, while
    this connection writes the file's lines and payments): the import holds the exclusive
    finance lock, so no other writer changes a payment or a bill meanwhile, and the import
    writes no allocation before it uses them. Otherwise they are read when called, here."""
    def here() -> Owed:
        repo = FinanceRepository(session)
        return repo.open_keys_in_bulk(account_ids), repo.advances(account_ids)

    bind = session.get_bind()
    if not (READ_BESIDE and fresh and isinstance(bind, Engine)
            and bind.dialect.name == "postgresql"
            and len(account_ids) >= repository.BULK_ACCOUNTS):
        return here

    def beside() -> Owed:
        with Session(bind) as side:
            repo = FinanceRepository(side)
            repo.work_in_bulk()
            try:
                return repo.open_keys_in_bulk(account_ids), repo.advances(account_ids)
            finally:
                side.rollback()

    pool = ThreadPoolExecutor(1, thread_name_prefix="zhkh-registry-owed")
    future = pool.submit(beside)
    pool.shutdown(wait=False)
    return future.result


def _post_all(session: Session, actor: Actor, posted: list[tuple[IncomingLine, int | None]],
              line_ids: dict[int, int], period: str, book: Ledgerbook, received: date,
              owed: Callable[[], Owed]) -> None:
    """Payments of the identified lines and their allocation, in bulk: open keys read once
    for all the file's accounts (``owed``), each account's payments split in file order."""
    if not posted:
        return
    repo = FinanceRepository(session)
    payment_ids = repo.new_ids(Payment.__table__, len(posted))
    registry_rows.write_payments(session, (
        (pid, account, ln.payment_date, ln.amount, ln.commission, "bank", ln.operation_id,
         _month(ln.period), line_ids[ln.line_number], period, actor.name, actor.reason)
        for pid, (ln, account) in zip(payment_ids, posted, strict=True)))
    open_keys, advances = owed()

    def parts() -> Iterator[registry_rows.AllocationRow]:
        # a generator consumed by the COPY: the server writes the rows already sent while
        # the next payments are split (the two run on both cores instead of one after the
        # other); the rows and their order are those of a list built first. ``split_rows``
        # is ``split`` without its value objects (a differential test holds them equal)
        for pid, (ln, account) in zip(payment_ids, posted, strict=True):
            assert account is not None
            owed = open_keys.setdefault(account, {})
            for key, amount, note in split_rows(ln.amount, owed, book.services, book.policy,
                                                designated_period=_month(ln.period)):
                yield pid, account, key, amount, note, ln.payment_date
                if key is not None:
                    owed[key] -= amount
        for account, stored in advances.items():
            for p in consume(stored, open_keys.get(account, {}), book.services, book.policy):
                yield p.payment_id, account, p.key, p.amount, p.note, p.paid_on or received

    registry_rows.write_allocations(session, parts(), booked_on=received,
                                    period_booked=period, rule_id=book.policy.rule_id)


def _readings(session: Session, actor: Actor, posted: list[tuple[IncomingLine, int | None]],
              line_ids: dict[int, int], report: ImportReport,
              checks: ReadingChecks | None) -> None:
    with_readings = [(ln, a) for ln, a in posted if ln.readings]
    if not with_readings:
        return
    premises = dict(session.execute(select(Account.id, Account.premises_id).where(
        Account.id.in_({a for _, a in with_readings}))).all())
    meters: dict[int, list[Meter]] = defaultdict(list)
    stmt = select(Meter).where(Meter.premises_id.in_(set(premises.values()))).order_by(
        Meter.service, Meter.id)
    for stored in session.scalars(stmt):
        meters[stored.premises_id].append(stored)  # type: ignore[index]
    rows = []
    for ln, account in with_readings:
        assert account is not None
        for r in ln.readings:
            meter = _meter_of(meters[premises[account]], r.counter, ln.payment_date)
            where = f"строка {ln.line_number}, счёт {ln.account}, счётчик {r.counter}"
            if meter is None:
                report.readings_refused.append(f"{where}: прибор не найден")
                continue
            zones = [z.zone for z in meter.zones]
            if len(zones) != 1:
                report.readings_refused.append(f"{where}: прибор многотарифный, зона не указана")
                continue
            if r.value < 0:
                report.readings_refused.append(f"{where}: отрицательное показание")
                continue
            row = (meter.id, zones[0], ln.payment_date, to_micro(r.value), "bank_registry",
                   f"registry_line:{line_ids[ln.line_number]}:{r.counter}")
            failed = checks.check(session, *row[:4]) if checks is not None else []
            if failed:
                review_queue.hold(session, actor, *row, failed)
                report.readings_held.append(
                    f"{where}: " + ", ".join(c["code"] for c in failed))
                continue
            rows.append(row)
    if rows:
        insert_rows(session, Reading.__table__, READING_COLUMNS, rows)
        report.readings = len(rows)


def _meter_of(meters: list[Meter], counter: str, day: date) -> Meter | None:
    live = [m for m in meters if m.installed_on <= day and (m.removed_on is None
                                                            or m.removed_on >= day)]
    for m in live:
        if m.serial == counter:
            return m
    if counter.isdigit() and 1 <= int(counter) <= len(live):
        return live[int(counter) - 1]
    return None


def unidentified(session: Session, *, registry_id: int | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[RegistryLine], int]:
    """Unidentified lines not yet matched (no payment points at them), oldest first."""
    matched = select(Payment.registry_line_id).where(Payment.registry_line_id.is_not(None))
    stmt = select(RegistryLine).where(RegistryLine.status == "unidentified",
                                      RegistryLine.id.not_in(matched))
    if registry_id is not None:
        stmt = stmt.where(RegistryLine.registry_id == registry_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(session.scalars(stmt.order_by(RegistryLine.id).limit(limit).offset(offset)))
    return items, int(total)


def match(session: Session, actor: Actor, line_id: int, account_id: int,
          book: Ledgerbook, *, received_on: date | None = None) -> Payment:
    """Post an unidentified line to an account (the operator's decision, audited with its
    reason); a line already matched or not unidentified is a ``Conflict``."""
    line = session.get(RegistryLine, line_id)
    if line is None:
        raise NotFound("registry_line_not_found", f"строка реестра {line_id} не найдена",
                       obj=f"registry_line:{line_id}")
    if line.status != "unidentified":
        raise Conflict("line_not_unidentified", f"строка реестра {line_id} не относится к "
                       f"невыясненным (статус {line.status})")
    if session.scalar(select(Payment.id).where(Payment.registry_line_id == line_id)):
        raise Conflict("line_already_matched", f"строка реестра {line_id} уже разнесена")
    if not actor.reason:
        raise Invalid("reason_required", "укажите основание разнесения невыясненного платежа",
                      field="reason")
    posted = post(session, actor, NewPayment(
        account_id=account_id, paid_on=line.paid_on, amount_kopecks=line.amount_kopecks,
        channel="bank", commission_kopecks=line.commission_kopecks,
        operation_id=line.operation_id, designated_period=line.period,
        registry_line_id=line.id, received_on=received_on), book, audited=False)
    audit.record(session, actor, action="registry_line.match", object_type="registry_line",
                 object_id=line.id, after={"account_id": account_id,
                                           "payment_id": posted.payment.id,
                                           "amount": format_rub_ru(line.amount_kopecks)})
    return posted.payment
