"""Facts of the second stage read in bulk: benefit assignments and quality incidents.

They become the situation's ``benefits`` and ``incidents`` (``kernel.calc.inputs``); the
calculation turns them into ``benefit`` and ``quality_reduction`` lines. Columns are read with
one SELECT per batch (incidents per chunk of houses), like the other facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.inputs import Incident
from zhkh.kernel.calc.situation import Account
from zhkh.modules.complaints.models import QualityIncident
from zhkh.modules.db.bulk import stream_columns
from zhkh.modules.db.repository import overlapping
from zhkh.modules.passport.models import BenefitAssignment, Registration
from zhkh.modules.registry.models import Account as AccountRow
from zhkh.modules.registry.models import Premises

IN_CHUNK = 900


@dataclass(frozen=True, slots=True)
class StoredIncident:
    """A closed quality incident as stored (``premises_id`` None: the whole house)."""

    id: int
    house_id: int
    premises_id: int | None
    service: str
    kind: str
    start: datetime
    end: datetime
    magnitude_micro: int | None


def _rows(session: Session, stmt) -> list[tuple]:
    out: list[tuple] = []
    for part in stream_columns(session, stmt):
        out += zip(*part.values(), strict=True)
    return out


def read_benefits(session: Session, account_scope, first: date, last: date
                  ) -> dict[int, list[tuple[str, str, date, date | None]]]:
    """Benefit assignments overlapping ``[first, last]`` on the accounts of ``account_scope``
    (a SELECT of account ids) whose holder is registered in the account's premises on some
    day of it — the kernel gives a holder nothing on days without registration, and refuses a
    holder who is not a resident at all: account id → (person, category, first day, last day
    or None), in the order they were recorded."""
    ba = BenefitAssignment
    holder_registered = exists().where(
        Registration.premises_id == AccountRow.premises_id,
        Registration.person_id == ba.person_id,
        overlapping(Registration.date_from, Registration.date_to, first, last))
    stmt = (select(ba.account_id, ba.person_id, ba.category, ba.date_from, ba.date_to)
            .join(AccountRow, AccountRow.id == ba.account_id)
            .where(ba.account_id.in_(account_scope),
                   overlapping(ba.date_from, ba.date_to, first, last), holder_registered)
            .order_by(ba.account_id, ba.id))
    out: dict[int, list[tuple[str, str, date, date | None]]] = defaultdict(list)
    for account, person, category, start, end in _rows(session, stmt):
        out[account].append((str(person), category, start, end))
    return out


def read_incidents(session: Session, house_ids: Sequence[int], premises_scope, first: date,
                   last: date) -> dict[int, list[StoredIncident]]:
    """Closed quality incidents overlapping ``[first, last]``: those of a whole house among
    ``house_ids`` and those of a premises of ``premises_scope`` (a SELECT of premises ids) or of
    the communal flat of a room among them, by house id. An incident without an end yet
    reduces nothing until it is closed."""
    qi = QualityIncident
    lo = datetime.combine(first, time.min)
    hi = datetime.combine(last + timedelta(days=1), time.min)
    out: dict[int, list[StoredIncident]] = defaultdict(list)
    ids = list(house_ids)
    flats = select(Premises.parent_id).where(Premises.id.in_(premises_scope),
                                             Premises.parent_id.is_not(None))
    for i in range(0, len(ids), IN_CHUNK):
        stmt = (select(qi.id, qi.house_id, qi.premises_id, qi.service, qi.kind, qi.started_at,
                       qi.ended_at, qi.magnitude_micro)
                .where(qi.ended_at.is_not(None), qi.started_at < hi, qi.ended_at > lo,
                       qi.house_id.in_(ids[i:i + IN_CHUNK]),
                       or_(qi.premises_id.is_(None), qi.premises_id.in_(premises_scope),
                           qi.premises_id.in_(flats)))
                .order_by(qi.id))
        for row in _rows(session, stmt):
            out[row[1]].append(StoredIncident(*row))
    return out


def situation_incidents(stored: list[StoredIncident], accounts: list[Account],
                        concerned: dict[str, tuple[int, int | None]]) -> list[Incident]:
    """The house's incidents for a situation of ``accounts``: a premises incident names the
    situation's accounts of its premises — ``concerned`` gives an account's premises and, for
    a room of a communal flat, the flat — and is left out when it has none among them."""
    out = []
    for inc in stored:
        numbers = [] if inc.premises_id is None else [
            a.number for a in accounts if inc.premises_id in concerned[a.number]]
        if inc.premises_id is not None and not numbers:
            continue
        out.append(Incident.model_construct(
            id=str(inc.id), service=inc.service,
            kind=inc.kind,  # type: ignore[arg-type]  # one of the kinds: the table's CHECK
            scope="house" if inc.premises_id is None else "premises", accounts=numbers,
            start=inc.start, end=inc.end,
            magnitude=None if inc.magnitude_micro is None
            else Decimal(inc.magnitude_micro).scaleb(-6)))
    return out
