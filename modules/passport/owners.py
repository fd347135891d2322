"""Owners of premises with their shares (собственники, доли) from a date to a date.

Where nobody is registered or living in a premises, the number of residents used by the
rules is the number of its owners (ПП РФ №354, п. 56(2)); the monthly run reads them (both of
its paths). So an owner added, changed or ended recalculates the accounts of the premises from
the first month the change touches, as a registration does. The shares of one premises in force
on any day never add up to more than the whole (``ownership_shares_exceed``).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from zhkh.modules import audit
from zhkh.modules.audit import Actor
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Invalid
from zhkh.modules.passport.models import OwnershipShare, Person
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.schemas import OwnershipCreate, OwnershipUpdate
from zhkh.modules.registry.models import Premises
from zhkh.modules.registry.repository import RegistryRepository
from zhkh.modules.schemas import AccountRecalc
from zhkh.modules.seams import Seams, period_of

OWNERSHIP_FIELDS = ("person_id", "premises_id", "numerator", "denominator", "date_from",
                    "date_to")


def get_ownership(session: Session, ownership_id: int) -> OwnershipShare:
    """The ownership share or ``NotFound`` (``ownership_not_found``)."""
    return get_or_not_found(session, OwnershipShare, ownership_id,
                            code="ownership_not_found",
                            message=f"запись о собственнике {ownership_id} не найдена",
                            obj=f"ownership:{ownership_id}")


def create_ownership(session: Session, seams: Seams, actor: Actor, data: OwnershipCreate
                     ) -> tuple[OwnershipShare, list[AccountRecalc]]:
    """Record an owner's share of a premises; the premises' accounts are recalculated from
    the month of ``date_from``. Refused: an unknown person or premises, or shares above the
    whole on some day."""
    if session.get(Person, data.person_id) is None:
        raise Invalid("person_not_found", f"человек {data.person_id} не найден",
                      field="person_id")
    if session.get(Premises, data.premises_id) is None:
        raise Invalid("premises_not_found", f"помещение {data.premises_id} не найдено",
                      field="premises_id")
    num, den = _parts(data.share)
    _check_whole(session, data.premises_id, Fraction(num, den), data.date_from, data.date_to)
    own = PassportRepository(session).add_ownership(
        person_id=data.person_id, premises_id=data.premises_id, numerator=num,
        denominator=den, date_from=data.date_from, date_to=data.date_to)
    audit.record(session, actor.with_reason(data.reason), action="ownership.create",
                 object_type="ownership", object_id=own.id,
                 after=audit.snapshot(own, OWNERSHIP_FIELDS))
    return own, _recalc(session, seams, own.premises_id, own.date_from)


def update_ownership(session: Session, seams: Seams, actor: Actor, ownership_id: int,
                     data: OwnershipUpdate) -> tuple[OwnershipShare, list[AccountRecalc]]:
    """Change the share or the dates (``date_to`` ends the ownership); the accounts are
    recalculated from the earliest date the change touches."""
    own = get_ownership(session, ownership_id)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    start = changes.get("date_from") or own.date_from
    end = changes.get("date_to", own.date_to)
    if end is not None and end < start:
        raise Invalid("dates_out_of_order", "дата окончания раньше даты начала", field="date_to")
    num, den = _parts(changes["share"]) if changes.get("share") else (own.numerator,
                                                                      own.denominator)
    _check_whole(session, own.premises_id, Fraction(num, den), start, end, but=own.id)
    before = audit.snapshot(own, OWNERSHIP_FIELDS)
    own.numerator, own.denominator, own.date_from, own.date_to = num, den, start, end
    session.flush()
    audit.record(session, actor.with_reason(data.reason), action="ownership.update",
                 object_type="ownership", object_id=own.id, before=before,
                 after=audit.snapshot(own, OWNERSHIP_FIELDS))
    touched = [d for d in (start, end, *_dates(before)) if d is not None]
    return own, _recalc(session, seams, own.premises_id, min(touched))


def _parts(share: str) -> tuple[int, int]:
    num, den = (int(x) for x in share.split("/"))
    return num, den


def _check_whole(session: Session, premises_id: int, share: Fraction, first: date,
                 last: date | None, *, but: int | None = None) -> None:
    """Refuse when, on some day of ``[first, last]``, the shares in force with ``share`` add
    up to more than 1 (checked at every day a share begins: sums change only there)."""
    others = PassportRepository(session).ownerships_overlapping(premises_id, first, last,
                                                                but=but)
    days = {first} | {o.date_from for o in others if o.date_from > first}
    for day in sorted(days):
        total = share + sum((Fraction(o.numerator, o.denominator) for o in others
                             if o.date_from <= day and (o.date_to is None or o.date_to >= day)),
                            Fraction(0))
        if total > 1:
            raise Invalid("ownership_shares_exceed",
                          f"доли собственников помещения {premises_id} на {day:%d.%m.%Y} "
                          f"в сумме {total.numerator}/{total.denominator} — больше целого",
                          field="share")


def _dates(snapshot: dict[str, Any]) -> list[date]:
    return [date.fromisoformat(snapshot[k]) for k in ("date_from", "date_to") if snapshot[k]]


def _recalc(session: Session, seams: Seams, premises_id: int, day: date
            ) -> list[AccountRecalc]:
    accounts = RegistryRepository(session).accounts_of_premises(premises_id)
    return seams.recalculate(session, accounts, period_of(day))
