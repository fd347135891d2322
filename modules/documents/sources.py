"""What a payment document is built from, read in bulk for a set of accounts (a house, or one
account): the accounts with their premises and house, payers and residents, the month's
ledger lines, the money before and in the month (ledger sums and allocation rows), the last
payment, meters with their readings, house meters. One query per kind of fact, never one per
account; the ids go in chunks on SQLite and as one array on PostgreSQL (``among``).

Reads only; the SQL of the documents module's own tables is in ``repository.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from zhkh.kernel.period import Period
from zhkh.modules.billing.models import BillingPeriod, HouseMonthTotal, LedgerLine
from zhkh.modules.db.repository import Repository, among, overlapping
from zhkh.modules.finance.models import Allocation, Payment
from zhkh.modules.meters.models import Meter, Reading
from zhkh.modules.meters.repository import is_current
from zhkh.modules.passport.models import OwnershipShare, PersonData, Registration
from zhkh.modules.registry.models import Account, House, ManagementCompany, Premises, Provider

CHUNK = 900
"""Ids per ``IN`` list on SQLite (under its limit of bound parameters)."""


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An account with the premises and house it is for."""

    id: int
    number: str
    premises_id: int
    premises_number: str
    premises_kind: str
    parent_number: str | None
    area_micro: int
    house_id: int
    house_address: str
    company_id: int | None


@dataclass(frozen=True, slots=True)
class Line:
    """A ledger line as a document shows it."""

    account_id: int
    service: str
    component: str | None
    zone: str | None
    provider_id: int
    period_for: str
    period_booked: str
    kind: str
    method: str | None
    volume_micro: int | None
    tariff_micro: int | None
    amount: int
    explain: str | None


@dataclass(frozen=True, slots=True)
class MoneyRow:
    """Allocation rows of an account summed by what a document needs to tell them apart:
    provider (None: the advance), booking period, the posting period of their payment, and
    whether they were written on the first day of their booking period (advances spent when
    the month before closed)."""

    provider_id: int | None
    period_booked: str
    posted_period: str
    first_day: bool
    amount: int


@dataclass(frozen=True, slots=True)
class MeterRow:
    """One zone of an individual meter with its readings of the month and the month before."""

    premises_id: int
    service: str
    serial: str
    zone: str
    previous_micro: int | None
    current_micro: int | None
    capacity_micro: int | None
    verified_until: date | None


class DocumentSources(Repository):
    """Bulk reads of everything a payment document shows."""

    def _among(self, column: Any, ids: Sequence[int]) -> Iterator[Any]:
        dialect = self.session.get_bind().dialect.name
        ids = sorted(set(ids))
        step = len(ids) or 1 if dialect == "postgresql" else CHUNK
        for i in range(0, len(ids), step):
            yield among(column, ids[i:i + step], dialect)

    def _rows(self, stmt: Any, column: Any, ids: Sequence[int]) -> list[Any]:
        out: list[Any] = []
        for cond in self._among(column, ids):
            out.extend(self.session.execute(stmt.where(cond)).all())
        return out

    # the accounts, their premises and houses

    def accounts(self, *, account_ids: Sequence[int] | None = None,
                 house_id: int | None = None) -> list[AccountRow]:
        """The accounts of ``account_ids`` or of a house (with their premises and house)."""
        parent = aliased(Premises)
        stmt = (select(Account.id, Account.number, Premises.id, Premises.number,
                       Premises.kind, parent.number, Premises.area_micro, House.id,
                       House.address, House.management_company_id)
                .join(Premises, Premises.id == Account.premises_id)
                .join(House, House.id == Premises.house_id)
                .outerjoin(parent, parent.id == Premises.parent_id))
        rows: Sequence[Any]  # ten columns: SQLAlchemy types no fixed-width row beyond nine
        if house_id is not None:
            rows = self.session.execute(stmt.where(House.id == house_id)).all()
        else:
            rows = self._rows(stmt, Account.id, account_ids or ())
        return [AccountRow(*r) for r in rows]

    def houses(self, *, house_id: int | None = None, company_id: int | None = None
               ) -> list[tuple[int, str]]:
        """Houses (id, address) of one house, of a management company, or all."""
        stmt = select(House.id, House.address)
        if house_id is not None:
            stmt = stmt.where(House.id == house_id)
        if company_id is not None:
            stmt = stmt.where(House.management_company_id == company_id)
        return [(i, a) for i, a in self.session.execute(stmt.order_by(House.id))]

    def company(self, company_id: int | None) -> ManagementCompany | None:
        """The management company (None when the house has none)."""
        return None if company_id is None else self.session.get(ManagementCompany, company_id)

    def providers(self, ids: Iterable[int]) -> dict[int, Provider]:
        """Providers by id."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        return {p.id: p for p in self.session.scalars(select(Provider).where(
            Provider.id.in_(wanted)))}

    def closed_at(self, period: str) -> tuple[str | None, date | None]:
        """The status of ``period`` and the day it was closed."""
        found = self.session.get(BillingPeriod, period)
        if found is None:
            return None, None
        return found.status, found.closed_at.date() if found.closed_at else None

    # people

    def payers(self, premises_ids: Sequence[int], day: date) -> dict[int, str]:
        """The payer of each premises on ``day``: the owner with the largest share (the
        earliest of equals), else the person registered there longest; absent when nobody
        with a name is known."""
        best: dict[int, tuple[Fraction, int, str]] = {}
        owners = (select(OwnershipShare.premises_id, OwnershipShare.numerator,
                         OwnershipShare.denominator, OwnershipShare.date_from,
                         PersonData.full_name)
                  .join(PersonData, PersonData.person_id == OwnershipShare.person_id)
                  .where(overlapping(OwnershipShare.date_from, OwnershipShare.date_to, day,
                                     day)))
        for premises_id, num, den, since, name in self._rows(
                owners, OwnershipShare.premises_id, premises_ids):
            _prefer(best, premises_id, (Fraction(num, den), -since.toordinal(), name))
        residents = (select(Registration.premises_id, Registration.date_from,
                            PersonData.full_name)
                     .join(PersonData, PersonData.person_id == Registration.person_id)
                     .where(overlapping(Registration.date_from, Registration.date_to, day,
                                        day)))
        for premises_id, since, name in self._rows(residents, Registration.premises_id,
                                                   premises_ids):
            _prefer(best, premises_id, (Fraction(-1), -since.toordinal(), name))
        return {p: name for p, (_, _, name) in best.items()}

    def residents(self, premises_ids: Sequence[int], day: date) -> dict[int, int]:
        """The number of persons registered (residence or stay) in each premises on ``day``."""
        stmt = (select(Registration.premises_id, func.count(func.distinct(
            Registration.person_id)))
                .where(overlapping(Registration.date_from, Registration.date_to, day, day))
                .group_by(Registration.premises_id))
        return dict(self._rows(stmt, Registration.premises_id, premises_ids))

    # the ledger

    def lines(self, account_ids: Sequence[int], period: str, *, later_for: bool = False
              ) -> dict[int, list[Line]]:
        """Lines booked in ``period`` (or, with ``later_for``, lines about ``period`` booked
        after it, penalties left out), in a stable order."""
        ll = LedgerLine
        stmt = select(ll.account_id, ll.service, ll.component, ll.zone, ll.provider_id,
                      ll.period_for, ll.period_booked, ll.kind, ll.method, ll.volume_micro,
                      ll.tariff_micro, ll.amount_kopecks, ll.explain, ll.id)
        if later_for:
            stmt = stmt.where(ll.period_for == period, ll.period_booked > period,
                              ll.service != "penalty")
        else:
            stmt = stmt.where(ll.period_booked == period)
        out: dict[int, list[Line]] = defaultdict(list)
        for row in sorted(self._rows(stmt, ll.account_id, account_ids), key=lambda r: r[-1]):
            out[row[0]].append(Line(*row[:-1]))
        return out

    def ledger_before(self, account_ids: Sequence[int], period: str
                      ) -> dict[tuple[int, int, str], int]:
        """Everything booked before ``period`` per account × provider × service (kopecks)."""
        ll = LedgerLine
        stmt = (select(ll.account_id, ll.provider_id, ll.service, func.sum(ll.amount_kopecks))
                .where(ll.period_booked < period)
                .group_by(ll.account_id, ll.provider_id, ll.service))
        return {(a, p, s): int(v)
                for a, p, s, v in self._rows(stmt, ll.account_id, account_ids)}

    # money

    def allocations(self, account_ids: Sequence[int], period: str
                    ) -> dict[int, list[MoneyRow]]:
        """Allocation rows booked up to the month after ``period``, summed per account by
        provider, booking period, posting period of the payment and first-day flag."""
        month = Period.parse(period)
        nxt = month.shift(1)
        a = Allocation
        first_day = case((or_(and_(a.period_booked == period, a.booked_on == month.first_day),
                              and_(a.period_booked == str(nxt),
                                   a.booked_on == nxt.first_day)), 1), else_=0)
        stmt = (select(a.account_id, a.provider_id, a.period_booked, Payment.posted_period,
                       first_day, func.sum(a.amount_kopecks))
                .join(Payment, Payment.id == a.payment_id)
                .where(a.period_booked <= str(nxt))
                .group_by(a.account_id, a.provider_id, a.period_booked, Payment.posted_period,
                          first_day))
        out: dict[int, list[MoneyRow]] = defaultdict(list)
        for account, provider, booked, posted, flag, total in self._rows(
                stmt, a.account_id, account_ids):
            out[account].append(MoneyRow(provider, booked, posted, bool(flag), int(total)))
        return out

    def last_payments(self, account_ids: Sequence[int], period: str) -> dict[int, date]:
        """The latest day paid of a payment (not a storno) posted up to ``period``."""
        stmt = (select(Payment.account_id, func.max(Payment.paid_on))
                .where(Payment.posted_period <= period, Payment.amount_kopecks > 0)
                .group_by(Payment.account_id))
        return dict(self._rows(stmt, Payment.account_id, account_ids))

    # meters

    def meters(self, premises_ids: Sequence[int], period: str) -> list[MeterRow]:
        """Individual and shared meters of the premises working in ``period``, each zone with
        its last current reading of the month before and of the month."""
        month = Period.parse(period)
        stmt = (select(Meter.id, Meter.premises_id, Meter.service, Meter.serial,
                       Meter.capacity_micro, Meter.verified_until)
                .where(Meter.kind.in_(("individual", "shared")),
                       overlapping(Meter.installed_on, Meter.removed_on, month.first_day,
                                   month.last_day)))
        meters = {r[0]: r for r in self._rows(stmt, Meter.premises_id, premises_ids)}
        readings = self._readings(list(meters), month)
        out = []
        for (meter_id, zone), (prev, cur) in sorted(readings.items()):
            _, premises_id, service, serial, capacity, verified = meters[meter_id]
            out.append(MeterRow(premises_id, service, serial, zone, prev, cur, capacity,
                                verified))
        return out

    def house_meters(self, house_ids: Sequence[int], period: str
                     ) -> dict[int, list[tuple[str, int | None, int | None, int | None]]]:
        """House meters (ОДПУ) per house: (service, previous, current, capacity) summed over
        zones — readings of the month before and of the month."""
        month = Period.parse(period)
        stmt = (select(Meter.id, Meter.house_id, Meter.service, Meter.capacity_micro)
                .where(Meter.kind == "house",
                       overlapping(Meter.installed_on, Meter.removed_on, month.first_day,
                                   month.last_day)))
        meters = {r[0]: r for r in self._rows(stmt, Meter.house_id, house_ids)}
        readings = self._readings(list(meters), month)
        out: dict[int, list[tuple[str, int | None, int | None, int | None]]] = defaultdict(list)
        for (meter_id, _zone), (prev, cur) in sorted(readings.items()):
            _, house_id, service, capacity = meters[meter_id]
            out[house_id].append((service, prev, cur, capacity))
        return out

    def house_totals(self, house_ids: Sequence[int], period: str
                     ) -> dict[tuple[int, str], tuple[int | None, int, int]]:
        """The run's common-property figures (``house_month_totals``) per house × resource:
        (house volume or None by norm, Σ individual volumes, the volume shared)."""
        t = HouseMonthTotal
        stmt = select(t.house_id, t.resource, t.house_volume_micro, t.individual_micro,
                      t.common_volume_micro).where(t.period == period)
        return {(h, r): (v, i, c) for h, r, v, i, c in self._rows(stmt, t.house_id, house_ids)}

    def house_volumes(self, house_ids: Sequence[int], period: str
                      ) -> dict[tuple[int, str], int]:
        """The volume charged in the house's premises in ``period`` per house × service
        (charge lines, micro-units)."""
        ll = LedgerLine
        out: dict[tuple[int, str], int] = {}
        for house_id in sorted(set(house_ids)):
            # by the house's accounts, so the ledger is read through its account index (the
            # period's lines are found by a BRIN on PostgreSQL: a whole month per house)
            accounts = (select(Account.id).join(Premises, Premises.id == Account.premises_id)
                        .where(Premises.house_id == house_id))
            stmt = (select(ll.service, func.sum(ll.volume_micro))
                    .where(ll.account_id.in_(accounts), ll.period_booked == period,
                           ll.kind == "charge", ll.volume_micro.is_not(None))
                    .group_by(ll.service))
            for service, volume in self.session.execute(stmt):
                out[(house_id, service)] = int(volume or 0)
        return out

    def _readings(self, meter_ids: list[int], month: Period
                  ) -> dict[tuple[int, str], tuple[int | None, int | None]]:
        """(meter, zone) → (last current reading of the month before, of the month), ordered
        by day then id as billing reads them."""
        if not meter_ids:
            return {}
        prev_first = month.shift(-1).first_day
        stmt = (select(Reading.meter_id, Reading.zone, Reading.taken_on, Reading.id,
                       Reading.value_micro)
                .where(Reading.taken_on >= prev_first, Reading.taken_on <= month.last_day,
                       is_current()))
        found: dict[tuple[int, str], list[int | None]] = {}
        for meter_id, zone, day, _id, value in sorted(
                self._rows(stmt, Reading.meter_id, meter_ids), key=lambda r: (r[2], r[3])):
            slot = found.setdefault((meter_id, zone), [None, None])
            slot[0 if day < month.first_day else 1] = value
        return {k: (v[0], v[1]) for k, v in found.items()}


def _prefer(best: dict, premises_id: int, candidate: tuple) -> None:
    known = best.get(premises_id)
    if known is None or candidate[:2] > known[:2]:
        best[premises_id] = candidate
