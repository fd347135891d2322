"""The documents facade the API and the CLI call: issue payment documents (one account, or a
house at a time for mass printing), read them back exactly as issued. Works in the caller's
transaction and never commits; every issue is audited.

Issuing needs a **closed** month: only a closed month is a bill (finance's definition), its
lines are final, and closing it already required every blocking pre-close check to pass
(``billing.periods.close_period``). An open month is refused with the blocking checks that
still stop its closing, so the operator knows what to do.

A snapshot is stored as canonical JSON with its content hash and never changes (database
triggers, migration 0110): a reprint renders the stored bytes, whatever happened to the
readings, rules or payments since. A recalculation of an issued month gives a corrected
document pointing at the one it replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.period import Period
from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.billing.models import BillingPeriod
from zhkh.modules.billing.periods import pre_close_checks
from zhkh.modules.documents import numbering
from zhkh.modules.documents.assemble import Assembler, Built, delivery_key, natural
from zhkh.modules.documents.canonical import canonical_json, content_hash, load_snapshot
from zhkh.modules.documents.models import IssuedDocument
from zhkh.modules.documents.policy import DocumentRules
from zhkh.modules.documents.read_models import DocumentIssueIn, DocumentOut, DocumentSummary
from zhkh.modules.documents.repository import DocumentRepository
from zhkh.modules.documents.schemas import PaymentDocument
from zhkh.modules.documents.sources import AccountRow, DocumentSources
from zhkh.modules.errors import Conflict, Invalid, NotFound
from zhkh.modules.paging import Page
from zhkh.modules.registry.models import Account

Check = Callable[[PaymentDocument], None]
"""A last check before a snapshot is stored (the printer's: QR codes and layout capacity);
raises ``ValueError`` with a Russian message when the document could not be printed."""


@dataclass(slots=True)
class HouseIssued:
    """What issuing a house's documents did: documents stored now, accounts skipped because
    they already hold one, refusals per account."""

    house_id: int
    issued: list[IssuedDocument] = field(default_factory=list)
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


# the period

def closed_on(session: Session, period: str) -> date:
    """The day ``period`` was closed; ``Invalid`` (``period_not_closed``) for a month that
    is open (naming its blocking pre-close checks) or unknown."""
    key = str(Period.parse(period))
    found = session.get(BillingPeriod, key)
    if found is None:
        raise Invalid("period_not_closed", f"период {key} не существует: документы "
                      "выпускаются за закрытый месяц", field="period")
    if found.status != "closed" or found.closed_at is None:
        blocking = [c for c in pre_close_checks(session, key) if c.blocking and c.failed]
        why = "; ".join(f"{c.title}: {c.count}" for c in blocking)
        raise Invalid("period_not_closed", f"период {key} не закрыт: документы выпускаются за "
                      "закрытый месяц (счёт за открытый месяц ещё не выставлен)"
                      + (f"; закрытию мешают проверки — {why}" if why else ""), field="period")
    return found.closed_at.date()


def latest_closed(session: Session) -> str:
    """The latest closed period; ``Invalid`` when none is closed."""
    found = session.scalar(select(BillingPeriod.period).where(
        BillingPeriod.status == "closed").order_by(BillingPeriod.period.desc()).limit(1))
    if found is None:
        raise Invalid("period_not_closed", "нет ни одного закрытого периода", field="period")
    return found


# issuing

def issue(session: Session, actor: Actor, rules: DocumentRules, number: str,
          body: DocumentIssueIn, *, check: Check | None = None,
          today: date | None = None) -> DocumentOut:
    """Issue one document of ``body.kind`` for the account ``number``. Refusals: the month
    not closed (``period_not_closed``), a monthly document already issued
    (``document_exists``), nothing recalculated since the last bill (``nothing_to_correct``),
    no debt (``no_debt``), a document that cannot be built or printed (``not_issuable``)."""
    account = _account(session, number)
    period = str(Period.parse(body.period)) if body.period else latest_closed(session)
    closed = closed_on(session, period)
    issue_date = body.issue_date or today or date.today()
    assembler = Assembler(session, rules, issue_date)
    repo = DocumentRepository(session)
    if body.kind == "monthly":
        existing = repo.issued_accounts([account.id], "monthly", period)
        if existing:
            found = repo.of_account(account.id, kind="monthly", period=period)[0][0]
            raise Conflict("document_exists", f"ЕПД за {period} по счёту {number} уже выпущен: "
                           f"№ {found.number}", obj=f"document:{found.id}")
        built = assembler.monthly([account], period, closed)
        if not built:
            raise Invalid("nothing_to_issue", f"по счёту {number} за {period} нет начислений, "
                          "долга и оплат: документ не выпускается", field="account")
        one = built[0]
    elif body.kind == "corrected":
        one = _corrected(session, assembler, account, period)
    else:
        notices = assembler.notices([account], period)
        if not notices:
            raise Invalid("no_debt", f"по счёту {number} нет просроченной задолженности по "
                          f"счетам до {period} включительно", field="account")
        one = notices[0]
    if one.document is None:
        error = Conflict if one.code in ("nothing_to_correct", "provider_accounts_differ") \
            else Invalid
        raise error(one.code or "not_issuable", one.error or "документ не собран")
    stored = _store(session, actor, rules, [one], body.kind, period, check)
    if not stored.issued:
        raise Invalid("not_issuable", stored.errors[0])
    row = stored.issued[0]
    audit.record(session, actor, action="document.issue", object_type="document",
                 object_id=row.id, after={"number": row.number, "kind": row.kind,
                                          "account": number, "period": period,
                                          "content_hash": row.content_hash})
    return get_document(session, row.id)


def _corrected(session: Session, assembler: Assembler, account: AccountRow,
               period: str) -> Built:
    previous = DocumentRepository(session).latest_bill(account.id, period)
    if previous is None:
        raise Invalid("no_document_to_correct", f"за {period} по счёту {account.number} ЕПД "
                      "не выпускался: исправлять нечего, выпустите ежемесячный",
                      field="kind")
    return assembler.corrected(account, period, load_snapshot(previous.snapshot), previous.id)


def issue_house(session: Session, actor: Actor, rules: DocumentRules, house_id: int,
                kind: str, period: str, *, issue_date: date, closed: date,
                check: Check | None = None) -> HouseIssued:
    """Issue the documents of ``kind`` for ``period`` of every account of a house that has
    none yet (a rerun issues nothing twice), in delivery order, numbered in that order, in
    the caller's transaction (a house is issued whole or not at all)."""
    accounts = DocumentSources(session).accounts(house_id=house_id)
    repo = DocumentRepository(session)
    done = repo.issued_accounts([a.id for a in accounts], kind, period)
    todo = [a for a in accounts if a.id not in done]
    assembler = Assembler(session, rules, issue_date)
    if kind == "monthly":
        built = assembler.monthly(todo, period, closed) if todo else []
    elif kind == "debt_notice":
        built = assembler.notices(todo, period) if todo else []
    else:
        built = _corrections(session, assembler, accounts, period)
    stored = _store(session, actor, rules, built, kind, period, check)
    stored.house_id, stored.skipped = house_id, len(done) if kind != "corrected" else 0
    if stored.issued:
        audit.record(session, actor, action="documents.issue", object_type="house",
                     object_id=house_id, after={
                         "kind": kind, "period": period, "count": len(stored.issued),
                         "first": stored.issued[0].number, "last": stored.issued[-1].number})
    return stored


def _corrections(session: Session, assembler: Assembler, accounts: list[AccountRow],
                 period: str) -> list[Built]:
    """Corrected documents of the accounts whose issued month was recalculated since."""
    later = assembler.src.lines([a.id for a in accounts], period, later_for=True)
    repo = DocumentRepository(session)
    out = []
    for a in accounts:
        if a.id not in later:
            continue
        previous = repo.latest_bill(a.id, period)
        if previous is None:
            continue
        built = assembler.corrected(a, period, load_snapshot(previous.snapshot), previous.id)
        if built.code != "nothing_to_correct":
            out.append(built)
    return out


def _store(session: Session, actor: Actor, rules: DocumentRules, built: list[Built],
           kind: str, period: str, check: Check | None) -> HouseIssued:
    """Number and store the snapshots that pass ``check``; the rest become errors."""
    result = HouseIssued(house_id=0)
    ready: list[Built] = []
    for b in built:
        if b.document is None:
            result.errors.append(b.error or f"счёт {b.account.number}: документ не собран")
            continue
        try:
            if check is not None:
                check(b.document)
        except ValueError as error:
            result.errors.append(f"счёт {b.account.number}: {error}")
            continue
        ready.append(b)
    if not ready:
        return result
    repo = DocumentRepository(session)
    first = repo.take_sequences(kind, period, len(ready))
    rows = []
    for i, b in enumerate(ready):
        doc = b.document.model_copy(  # type: ignore[union-attr]
            update={"number": numbering.number(kind, period, first + i)})
        rows.append({"number": doc.number, "kind": kind, "period": period,
                     "sequence": first + i, "account_id": b.account.id,
                     "house_id": b.account.house_id, "issue_date": doc.issue_date,
                     "total_kopecks": doc.total_to_pay,
                     "snapshot": canonical_json(doc).decode("utf-8"),
                     "content_hash": content_hash(doc), "rulebook_version": rules.version,
                     "corrects_id": b.corrects_id, "actor": actor.name})
    result.issued = repo.add_documents(rows)
    return result


# reading

def _account(session: Session, number: str) -> AccountRow:
    found = session.scalar(select(Account.id).where(Account.number == number))
    if found is None:
        raise NotFound("account_not_found", f"лицевой счёт {number} не найден",
                       field="account", obj=f"account:{number}")
    return DocumentSources(session).accounts(account_ids=[found])[0]


def stored_document(session: Session, document_id: int) -> IssuedDocument:
    """The stored row; ``NotFound`` (``document_not_found``)."""
    row = DocumentRepository(session).get(document_id)
    if row is None:
        raise NotFound("document_not_found", f"документ {document_id} не найден",
                       obj=f"document:{document_id}")
    return row


def get_document(session: Session, document_id: int) -> DocumentOut:
    """An issued document with its snapshot exactly as issued."""
    row = stored_document(session, document_id)
    repo = DocumentRepository(session)
    corrects = repo.get(row.corrects_id).number if row.corrects_id else None  # type: ignore[union-attr]
    number = session.scalar(select(Account.number).where(Account.id == row.account_id))
    return DocumentOut.full(row, str(number), corrects,
                            [d.number for d in repo.corrected_by(row.id)])


def find_document(session: Session, key: str) -> IssuedDocument:
    """A document by id (digits) or by number (``ЕПД-2026-10-0000001``)."""
    if key.isdigit():
        return stored_document(session, int(key))
    row = DocumentRepository(session).by_number(key.strip())
    if row is None:
        raise NotFound("document_not_found", f"документ № {key} не найден",
                       obj=f"document:{key}")
    return row


def list_documents(session: Session, number: str, *, kind: str | None = None,
                   period: str | None = None, limit: int = 50, offset: int = 0
                   ) -> Page[DocumentSummary]:
    """An account's documents, the latest month first."""
    found = session.scalar(select(Account.id).where(Account.number == number))
    if found is None:
        raise NotFound("account_not_found", f"лицевой счёт {number} не найден",
                       field="account", obj=f"account:{number}")
    items, total = DocumentRepository(session).of_account(found, kind=kind, period=period,
                                                          limit=limit, offset=offset)
    return Page[DocumentSummary](items=[DocumentSummary.of(r, number) for r in items],
                                 total=total, limit=limit, offset=offset)


def snapshot_of(row: IssuedDocument) -> PaymentDocument:
    """The snapshot of a stored document (what a reprint renders)."""
    return load_snapshot(row.snapshot)


# mass printing

def scope_houses(session: Session, *, house_id: int | None = None,
                 company_id: int | None = None) -> list[tuple[int, str]]:
    """Houses (id, address) to print for — one, a management company's, or all — in
    delivery order (addresses in natural order); ``NotFound`` for an unknown house."""
    houses = DocumentSources(session).houses(house_id=house_id, company_id=company_id)
    if house_id is not None and not houses:
        raise NotFound("house_not_found", f"дом {house_id} не найден", obj=f"house:{house_id}")
    return sorted(houses, key=lambda h: (natural(h[1]), h[0]))


def delivered(session: Session, house_id: int, kind: str, period: str
              ) -> list[tuple[IssuedDocument, AccountRow]]:
    """A house's documents of ``kind`` and ``period`` in delivery order (flats in natural
    order; a flat's corrections in the order issued), with their accounts."""
    rows = DocumentRepository(session).of_house(house_id, kind, period)
    if not rows:
        return []
    accounts = {a.id: a for a in DocumentSources(session).accounts(house_id=house_id)}
    return sorted(((r, accounts[r.account_id]) for r in rows),
                  key=lambda pair: (delivery_key(pair[1]), pair[0].id))
