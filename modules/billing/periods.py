"""Closing a period, after pre-close checks.

Blocking checks (closing is refused while any fails): an earlier period still open; run errors
left unresolved (no successful calculation of the account since); accounts with services in
the period but without charge lines; queued recalculations touching the period or earlier.
Warnings (reported, not blocking): suspicious volumes, a meter volume more than ``factor``
times the account's monthly average of the previous six months; quality incidents begun by the
period's end and not ended yet (they reduce nothing until their end is recorded; the reduction
of a closed month is then booked as a recalculation in the open one); houses whose house meter
gave no volume for the month (п. 59(1): common property and heating by the average of its
previous months, or by the norm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, exists, func, literal, select, text
from sqlalchemy.orm import Session, aliased

from zhkh.kernel.money import format_decimal_ru
from zhkh.kernel.period import Period as Month
from zhkh.modules.audit.repository import AuditRepository
from zhkh.modules.billing.house_meters import house_volumes
from zhkh.modules.billing.models import (
    BillingPeriod,
    HouseMonthTotal,
    LedgerLine,
    RecalculationRequest,
    RunError,
)
from zhkh.modules.billing.repository import (
    PeriodClosedError,
    PeriodRepository,
)
from zhkh.modules.complaints.models import QualityIncident
from zhkh.modules.db.repository import overlapping
from zhkh.modules.meters.models import Meter
from zhkh.modules.registry.models import Account, House
from zhkh.modules.registry.models import AccountService as ServiceRow

EXAMPLES = 10
HISTORY_MONTHS = 6


@dataclass(slots=True)
class Check:
    """One pre-close check: how many cases, a few examples, and whether it blocks closing."""

    code: str
    title: str
    blocking: bool
    count: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.count > 0


@dataclass(slots=True)
class CloseReport:
    """The checks and whether the period was closed (and which one was opened next)."""

    period: str
    checks: list[Check]
    closed: bool = False
    opened: str | None = None

    @property
    def blocking(self) -> list[Check]:
        return [c for c in self.checks if c.blocking and c.failed]


def pre_close_checks(session: Session, period: str, *, factor: int = 10) -> list[Check]:
    """Every pre-close check of ``period`` (reads only; on PostgreSQL it refreshes the
    ledger's planner statistics first).

    The suspicious-volume check joins two aggregates of the ledger; without statistics of
    the lines written since the last ANALYZE the planner estimated one row for each and
    re-ran one aggregate per row of the other — minutes for 2,000 accounts instead of 70 ms.
    """
    key = str(Month.parse(period))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT zhkh_analyze_ledger_lines()"))  # the owner's ANALYZE (0114)
    return [_earlier_open(session, key), _open_errors(session, key),
            _missing_charges(session, key), _queued(session, key),
            _suspicious(session, key, factor), _open_incidents(session, key),
            _house_fallbacks(session, key)]


def close_period(session: Session, period: str, *, actor: str = "system", factor: int = 10,
                 open_next: bool = True) -> CloseReport:
    """Close ``period`` if no blocking check fails (then open the next month); the closing is
    audited. A period that does not exist or is already closed is refused with
    ``PeriodClosedError``. Nothing is committed here."""
    key = str(Month.parse(period))
    found = PeriodRepository(session).get(key)
    if found is None:
        raise PeriodClosedError(f"период {key} не открыт: закрывать нечего")
    if found.status == "closed":
        raise PeriodClosedError(f"период {key} уже закрыт")
    report = CloseReport(period=key, checks=pre_close_checks(session, key, factor=factor))
    if report.blocking:
        return report
    periods = PeriodRepository(session)
    periods.close(key)
    report.closed = True
    if open_next:
        report.opened = periods.open(str(Month.parse(key).shift(1))).period
    AuditRepository(session).record(
        actor=actor, action="period.close", object_type="period", object_id=key,
        before={"status": "open"}, after={"status": "closed", "opened_next": report.opened},
        reason="; ".join(f"{c.title}: {c.count}" for c in report.checks if c.failed) or None)
    return report


SOURCE_TEXT = {"average": "среднемесячный объём ОДПУ (п. 59(1))",
               "norm": "по нормативу — у ОДПУ нет показаний и истории"}


def _house_fallbacks(session: Session, key: str) -> Check:
    """Houses with a house meter that gave no volume of the month: what replaced it."""
    check = Check("house_meter_fallback", "Дома без показаний ОДПУ за месяц (п. 59(1))", False)
    month = Month.parse(key)
    metered: set[tuple[int, str]] = set()
    for h, s in session.execute(select(Meter.house_id, Meter.service).where(
            Meter.kind == "house", overlapping(Meter.installed_on, Meter.removed_on,
                                               month.first_day, month.last_day)).distinct()):
        if h is not None:
            metered.add((h, s))
    found: list[str] = []
    rows = session.execute(select(HouseMonthTotal.house_id, HouseMonthTotal.resource,
                                  HouseMonthTotal.service, HouseMonthTotal.source)
                           .where(HouseMonthTotal.period == key,
                                  HouseMonthTotal.source != "meter")
                           .order_by(HouseMonthTotal.house_id, HouseMonthTotal.service))
    for hid, resource, service, source in rows:
        if (hid, resource) in metered:
            found.append(f"дом {hid}: {service} — {SOURCE_TEXT[source]}")
    heat = sorted(h for h, s in metered if s == "heating")
    for (hid, _service), v in sorted(house_volumes(session, month, heat, ["heating"]).items()):
        if v.volume is None:
            found.append(f"дом {hid}: отопление — " + SOURCE_TEXT[
                "average" if v.history else "norm"])
    check.count, check.examples = len(found), found[:EXAMPLES]
    return check


def _earlier_open(session: Session, key: str) -> Check:
    check = Check("earlier_open", "Не закрыты более ранние периоды", True)
    found = list(session.scalars(select(BillingPeriod.period).where(
        BillingPeriod.status == "open", BillingPeriod.period < key).order_by(BillingPeriod.period)))
    check.count, check.examples = len(found), found[:EXAMPLES]
    return check


def _services_in(key: str):
    month = Month.parse(key)
    return overlapping(ServiceRow.date_from, ServiceRow.date_to, month.first_day,
                       month.last_day)


def _open_errors(session: Session, key: str) -> Check:
    check = Check("run_errors", "Ошибки расчёта не устранены", True)
    later = aliased(RunError)
    prefix = f"{key}:%"
    stmt = (select(Account.number, RunError.service, RunError.message)
            .join(Account, Account.id == RunError.account_id)
            .where(RunError.run_id.like(prefix),
                   ~exists().where(LedgerLine.account_id == RunError.account_id,
                                   LedgerLine.period_booked == key,
                                   LedgerLine.kind == "charge",
                                   LedgerLine.run_id > RunError.run_id),
                   ~exists().where(later.account_id == RunError.account_id,
                                   later.run_id.like(prefix), later.run_id > RunError.run_id),
                   exists().where(ServiceRow.account_id == RunError.account_id,
                                  _services_in(key)))
            .order_by(RunError.id))
    rows = session.execute(stmt).all()
    check.count = len({r[0] for r in rows})
    check.examples = [f"счёт {n}, {s or 'все услуги'}: {m}" for n, s, m in rows[:EXAMPLES]]
    return check


def _missing_charges(session: Session, key: str) -> Check:
    check = Check("no_charges", "Счета с услугами, но без начислений", True)
    month = Month.parse(key)
    cond = and_(exists().where(ServiceRow.account_id == Account.id, _services_in(key)),
                overlapping(Account.opened_on, Account.closed_on, month.first_day,
                            month.last_day),
                ~exists().where(LedgerLine.account_id == Account.id,
                                LedgerLine.period_booked == key, LedgerLine.kind == "charge"))
    check.count = session.scalar(select(func.count()).select_from(Account).where(cond)) or 0
    check.examples = [f"счёт {n}" for n in session.scalars(
        select(Account.number).where(cond).order_by(Account.id).limit(EXAMPLES))]
    return check


def _open_incidents(session: Session, key: str) -> Check:
    check = Check("open_incidents", "Нарушения качества без даты окончания: снижение платы "
                  "будет начислено после записи окончания", False)
    end = datetime.combine(Month.parse(key).last_day + timedelta(days=1), time.min)
    qi = QualityIncident
    cond = and_(qi.ended_at.is_(None), qi.started_at < end)
    check.count = session.scalar(select(func.count()).select_from(qi).where(cond)) or 0
    rows = session.execute(select(qi.id, qi.reference, qi.service, qi.started_at, House.address)
                           .join(House, House.id == qi.house_id).where(cond)
                           .order_by(qi.started_at, qi.id).limit(EXAMPLES))
    check.examples = [f"{ref or f'нарушение {i}'}: {service}, {address}, с "
                      f"{started:%d.%m.%Y %H:%M}" for i, ref, service, started, address in rows]
    return check


def _queued(session: Session, key: str) -> Check:
    check = Check("queue", "Ожидают перерасчёта (выполните zhkh run или zhkh recalc)", True)
    stmt = (select(Account.number, RecalculationRequest.period_for, RecalculationRequest.reason)
            .join(Account, Account.id == RecalculationRequest.account_id)
            .where(RecalculationRequest.processed_at.is_(None),
                   RecalculationRequest.period_for <= key)
            .order_by(RecalculationRequest.id))
    rows = session.execute(stmt).all()
    check.count = len(rows)
    check.examples = [f"счёт {n} за {p}: {r}" for n, p, r in rows[:EXAMPLES]]
    return check


def _suspicious(session: Session, key: str, factor: int) -> Check:
    check = Check("suspicious_volume",
                  f"Объём по прибору больше среднего за {HISTORY_MONTHS} мес. в {factor} раз",
                  False)
    month = Month.parse(key)
    group = (LedgerLine.account_id, LedgerLine.service,
             func.coalesce(LedgerLine.component, literal("")).label("component"),
             func.coalesce(LedgerLine.zone, literal("")).label("zone"))
    monthly = (select(*group, LedgerLine.period_for,
                      func.sum(LedgerLine.volume_micro).label("volume"))
               .where(LedgerLine.kind == "charge",
                      LedgerLine.period_for >= str(month.shift(-HISTORY_MONTHS)),
                      LedgerLine.period_for < key)
               .group_by(*group, LedgerLine.period_for).subquery())
    history = (select(monthly.c.account_id, monthly.c.service, monthly.c.component,
                      monthly.c.zone, func.avg(monthly.c.volume).label("average"))
               .group_by(monthly.c.account_id, monthly.c.service, monthly.c.component,
                         monthly.c.zone)
               .having(func.count() >= 3).subquery())
    current = (select(*group, func.sum(LedgerLine.volume_micro).label("volume"))
               .where(LedgerLine.kind == "charge", LedgerLine.period_booked == key,
                      LedgerLine.method == "meter")
               .group_by(*group).subquery())
    joined = and_(current.c.account_id == history.c.account_id,
                  current.c.service == history.c.service,
                  current.c.component == history.c.component, current.c.zone == history.c.zone)
    cond = and_(history.c.average > 0, current.c.volume > history.c.average * factor)
    rows = session.execute(
        select(Account.number, current.c.service, current.c.volume, history.c.average)
        .join(history, joined).join(Account, Account.id == current.c.account_id)
        .where(cond).order_by(Account.number)).all()
    check.count = len(rows)
    check.examples = [
        f"счёт {n}, {s}: {format_decimal_ru(int(v))} при среднем ≈ "
        f"{format_decimal_ru(int(Decimal(str(a))))}" for n, s, v, a in rows[:EXAMPLES]]
    return check
