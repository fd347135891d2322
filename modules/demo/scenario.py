"""``zhkh demo``: a synthetic town billed for a year, with late corrections, in a fresh database.

A few percent of the households have a benefit holder (``write_benefits``). Scenario, month
by month: readings arrive; now and then the dispatcher records a quality incident of a house
(an interruption, cold rooms in the heating season, a late waste collection …); in the 4th
month a few readings of a closed month are corrected (queued for recalculation), in the 6th an
incident of the closed month before and some benefits from two months back are entered late
(queued), in the 7th some registrations are entered backdated (queued), in the 3rd three
implausible readings are sent through the checks of ``rules/checks`` and held for review
(``held.py``; decided in the 4th: two rejected, the leak confirmed), in the 9th one
move-out is entered online the way the API does (``recalculate_account`` in the same
transaction); the month is run (charges, benefits, quality reductions; the queue is booked as
recalculation lines), checked and closed. The summary by service and month comes from the
ledger.

Money: the town signs a contract with each provider (bank details, the agent fee); from the
second month the bank reports the payments of the last bill (``pay``, given by the caller: the
CLI writes them as a registry file and takes it in as ``zhkh payments import`` does; most
accounts pay, some partly, some late, some never, a few lines name unknown accounts); in the
8th month one payment is reversed (storno). Each month's run books the penalties, its closing
books the final ones and spends the advances on the new bill.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.fact_rules import heating_season
from zhkh.kernel.money import format_decimal_ru
from zhkh.kernel.period import Period
from zhkh.modules.analytics.repository import SummaryRow
from zhkh.modules.analytics.service import by_service_and_month
from zhkh.modules.audit import Actor
from zhkh.modules.billing.account_calc import recalculate_account
from zhkh.modules.billing.charges import UnitOfWork
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.repository import RecalculationQueueRepository
from zhkh.modules.complaints.repository import ComplaintsRepository
from zhkh.modules.demo import held
from zhkh.modules.demo.payments import sign_contracts
from zhkh.modules.demo.town import (
    BENEFIT_DOCUMENTS,
    Town,
    TownBuilder,
    fix_sequences,
    write_benefits,
    write_readings,
)
from zhkh.modules.finance.models import Payment
from zhkh.modules.finance.month import MonthClose, MonthRun, close_month, run_month
from zhkh.modules.finance.payments import reverse_payment
from zhkh.modules.finance.service import FinanceRules
from zhkh.modules.meters.models import Meter
from zhkh.modules.meters.repository import MeterRepository
from zhkh.modules.passport.models import BenefitAssignment, Registration
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.registry.models import Account, AccountService, Premises

DEFAULT_URL = "sqlite:///zhkh.sqlite"  # the default database of every command
LAST_MONTH = Period(2026, 10)
SEED = 20251101
HISTORY_MONTHS = 4
BENEFIT_SHARE = 0.02
"""Households with a benefit holder (a few percent: the run takes their accounts through the
situation path, which gives benefit lines)."""
COMMON_EVERY = 3
"""Every third house (3, 6, 9 …) bills common property (СОИ) by its house meters."""
INCIDENT_CHANCE = 0.6
"""Chance that a month has a quality incident (one house)."""
INCIDENTS = (  # service, kind, hours (from, to), magnitude (from, to) or None, heating only
    ("hot_water", "interruption", (12, 40), None, False),
    ("cold_water", "interruption", (10, 30), None, False),
    ("electricity", "interruption", (3, 10), None, False),
    ("solid_waste", "tko_delay", (80, 150), None, False),
    ("hot_water", "temperature", (24, 72), (5, 12), False),
    ("heating", "temperature", (24, 96), (1, 4), True),
)
KIND_TITLES = {"interruption": "перерыв", "temperature": "отклонение температуры",
               "tko_delay": "задержка вывоза ТКО"}


@dataclass(slots=True)
class MonthOutcome:
    """What happened in one month of the scenario."""

    period: str
    run: MonthRun
    close: MonthClose
    changes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DemoReport:
    """The demo's outcome: months, the ledger summary and timings."""

    accounts: int
    houses: int
    months: list[MonthOutcome] = field(default_factory=list)
    summary: list[SummaryRow] = field(default_factory=list)
    build_seconds: float = 0.0
    seconds: float = 0.0
    stopped: str | None = None


Pay = Callable[[Period, int], list[str]]
"""Called at the start of each month after the first (month, its index): takes in the bank's
payments of the last bill and says what happened."""


def run_demo(unit: UnitOfWork, calculator: BatchCalculator, rules: FinanceRules, *,
             accounts: int = 5000, houses: int = 50, months: int = 12, seed: int = SEED,
             say: Callable[[str], None] = lambda _m: None,
             progress: Callable[[str, int, int], None] | None = None,
             pipeline: bool = False, pay: Pay | None = None) -> DemoReport:
    """Build the town in the empty, migrated database behind ``unit`` and bill ``months``
    months ending 2026-10. The same arguments always give the same ledger. ``pipeline`` is
    passed to ``run_period`` (PostgreSQL at scale; ``unit`` must then give independent
    sessions, as ``Database.session`` does)."""
    started = time.perf_counter()
    report = DemoReport(accounts=accounts, houses=houses)
    rng = random.Random(seed)
    first = LAST_MONTH.shift(-(months - 1))
    with unit() as session:
        town = TownBuilder(session, rng, accounts=accounts, houses=houses,
                           start=first, common_every=COMMON_EVERY).build()
        for back in range(HISTORY_MONTHS, 0, -1):
            write_readings(session, town, rng, first.shift(-back), missing=0.0)
        benefits = write_benefits(session, town, rng, share=BENEFIT_SHARE, start=first)
        fix_sequences(session)
        sign_contracts(session, Actor("demo", "договоры с поставщиками"), first.first_day)
    report.build_seconds = time.perf_counter() - started
    say(f"Город построен: {len(town.houses)} домов, {len(town.accounts)} лицевых счетов, "
        f"льгот {benefits} ({report.build_seconds:.1f} с)".replace(".", ","))
    for i in range(months):
        month = first.shift(i)
        paid = pay(month, i) if pay is not None and i > 0 else []
        outcome = _month(unit, calculator, rules, town, rng, month, i, progress, pipeline)
        outcome.changes[:0] = paid
        report.months.append(outcome)
        for change in outcome.changes:
            say(change)
        if not outcome.close.close.closed:
            report.stopped = (f"период {month} не закрыт: " + "; ".join(
                f"{c.title} ({c.count})" for c in outcome.close.close.blocking))
            break
    with unit() as session:
        report.summary = by_service_and_month(session)
    report.seconds = time.perf_counter() - started
    return report


def _month(unit: UnitOfWork, calculator: BatchCalculator, rules: FinanceRules, town: Town,
           rng: random.Random, month: Period, index: int, progress, pipeline: bool
           ) -> MonthOutcome:
    changes: list[str] = []
    with unit() as session:
        write_readings(session, town, rng, month)
        if rng.random() < INCIDENT_CHANCE:
            changes += _incident(session, calculator, town, rng, month)
        if index == 3:
            changes += _correct_readings(session, town, rng, month.shift(-2))
        if index == 5:
            changes += _late_incident(session, calculator, town, rng, month.shift(-1))
            changes += _late_benefits(session, town, rng, month.shift(-2))
        if index == 6:
            changes += _backdated_registrations(session, town, rng, month.shift(-3))
        if index == 7:
            changes += _storno(session, rules, month)
        if index == 2:
            changes += held.plant(session, calculator, town, rng, month)
        if index == 3:
            changes += held.decide(session, calculator, month)
    on_batch = (lambda done, total: progress(str(month), done, total)) if progress else None
    run = run_month(unit, calculator, rules, str(month), progress=on_batch, actor="demo",
                    pipeline=pipeline)
    if index == 8:
        with unit() as session:
            changes += _online_move_out(session, calculator, town, rng, month.shift(-2))
    close = close_month(unit, rules, str(month), actor="demo")
    return MonthOutcome(str(month), run, close, changes)


def _storno(session: Session, rules: FinanceRules, month: Period) -> list[str]:
    """Reverse the first bank payment of ``month`` (a payment credited to the wrong
    account)."""
    payment = session.scalar(select(Payment).where(
        Payment.posted_period == str(month), Payment.channel == "bank",
        Payment.reverses_id.is_(None)).order_by(Payment.id).limit(1))
    if payment is None:
        return []
    number = session.scalar(select(Account.number).where(Account.id == payment.account_id))
    reverse_payment(session, Actor("demo", "оплата зачислена не на тот лицевой счёт"),
                    payment.id, rules.book, on=payment.paid_on)
    return [f"Сторно оплаты {payment.id} счёта {number} на "
            f"{payment.amount_kopecks // 100} ₽: зачислена не на тот лицевой счёт"]


def _sample(rng: random.Random, items: list, share: int) -> list:
    return rng.sample(items, min(len(items), max(2, len(items) // share)))


def _correct_readings(session: Session, town: Town, rng: random.Random, month: Period
                      ) -> list[str]:
    """Correct some readings taken in the closed ``month`` (halve the month's use) and queue
    their accounts for recalculation."""
    meters = MeterRepository(session)
    queue = RecalculationQueueRepository(session)
    zone_ids = sorted({z.meter_id for z in town.zones})
    done = 0
    for meter_id in _sample(rng, zone_ids, 1000):
        meter = session.get_one(Meter, meter_id)
        readings = meters.current_readings(meter_id, last=month.last_day)
        in_month = [r for r in readings if r.taken_on >= month.first_day]
        if not in_month:
            continue
        target = in_month[-1]
        earlier = [r for r in readings if r.zone == target.zone and r.taken_on < target.taken_on]
        if not earlier:
            continue
        value = (earlier[-1].value_micro + target.value_micro) // 2
        meters.add_correction(target, value_micro=value, reason="ошибка при вводе показания")
        account_id = session.execute(select(Account.id).where(
            Account.premises_id == meter.premises_id)).scalar_one()
        queue.enqueue(account_id=account_id, period_for=str(month),
                      reason=f"исправлено показание прибора {meter.serial} от "
                             f"{target.taken_on:%d.%m.%Y}: было "
                             f"{format_decimal_ru(target.value_micro)}, "
                             f"стало {format_decimal_ru(value)}")
        done += 1
    return [f"Исправлено показаний за закрытый {month}: {done} (поставлены в перерасчёт)"]


def _backdated_registrations(session: Session, town: Town, rng: random.Random, month: Period
                             ) -> list[str]:
    """Register new residents from the 10th of the closed ``month`` and queue the accounts."""
    passport = PassportRepository(session)
    queue = RecalculationQueueRepository(session)
    day = month.first_day + timedelta(days=9)
    chosen = _sample(rng, town.accounts, 500)
    for account_id, premises_id in chosen:
        person = passport.add_person()
        passport.add_registration(person_id=person.id, premises_id=premises_id,
                                  kind="residence", date_from=day)
        queue.enqueue(account_id=account_id, period_for=str(month),
                      reason=f"регистрация с {day:%d.%m.%Y} внесена задним числом")
    return [f"Внесено регистраций задним числом (с {day:%d.%m.%Y}): {len(chosen)} "
            "(поставлены в перерасчёт)"]


def _incident(session: Session, calculator: BatchCalculator, town: Town, rng: random.Random,
              month: Period) -> list[str]:
    """A closed quality incident of one house starting in ``month``."""
    return ["Инцидент, " + _record_incident(session, calculator, town, rng, month, INCIDENTS)[1]]


def _record_incident(session: Session, calculator: BatchCalculator, town: Town,
                     rng: random.Random, month: Period, kinds: tuple) -> tuple[int, str]:
    """Store an incident of a random house and kind (cold rooms only in a month of the heating
    season the rules' calendar gives) starting in ``month``; returns the house and a Russian
    line about it."""
    heating = bool(heating_season(calculator.rulebook, month, house_type="apartment_building",
                                  heat_meter=False, heating_payment="season"))
    service, kind, hours, magnitude, _season = rng.choice(
        [k for k in kinds if heating or not k[4]])
    house = rng.choice(town.houses)
    start = datetime.combine(month.first_day + timedelta(days=rng.randint(0, 24)),
                             clock(rng.randint(0, 23)))
    end = start + timedelta(hours=rng.randint(*hours))
    value = None if magnitude is None else rng.randint(*magnitude) * 1_000_000
    ComplaintsRepository(session).add_incident(
        house_id=house, service=service, kind=kind, started_at=start, ended_at=end,
        magnitude_micro=value, reference=f"акт {month}-{house}")
    deviation = "" if value is None else f", отклонение {value // 1_000_000}"
    return house, (f"дом {house}: {calculator.service_title(service)} — {KIND_TITLES[kind]} "
                   f"{start:%d.%m %H:%M}–{end:%d.%m %H:%M}{deviation}")


def _late_incident(session: Session, calculator: BatchCalculator, town: Town,
                   rng: random.Random, month: Period) -> list[str]:
    """An interruption of hot water in the closed ``month``, recorded now; the accounts of
    its house that have hot water are queued for recalculation."""
    house, text = _record_incident(session, calculator, town, rng, month, INCIDENTS[:1])
    accounts = list(session.scalars(
        select(Account.id).join(Premises, Premises.id == Account.premises_id)
        .where(Premises.house_id == house, Account.id.in_(
            select(AccountService.account_id).where(AccountService.service == "hot_water")))))
    queue = RecalculationQueueRepository(session)
    for account_id in accounts:
        queue.enqueue(account_id=account_id, period_for=str(month),
                      reason=f"акт о перерыве ГВС в доме {house} внесён после закрытия "
                             f"периода {month}")
    return [f"Инцидент за закрытый {month} внесён задним числом, {text} "
            f"(счетов в перерасчёт: {len(accounts)})"]


def _late_benefits(session: Session, town: Town, rng: random.Random, month: Period
                   ) -> list[str]:
    """Benefits of veterans of labour from the first day of the closed ``month`` for a few
    households without one, entered now and queued for recalculation."""
    holders = set(session.scalars(select(BenefitAssignment.account_id)))
    candidates = [(a, p) for a, p in town.accounts
                  if a not in holders and any(end is None for _pe, _s, end in
                                              town.residents.get(p, []))]
    passport = PassportRepository(session)
    queue = RecalculationQueueRepository(session)
    chosen = _sample(rng, candidates, 1000)
    for account_id, premises_id in chosen:
        person = next(pe for pe, _s, end in town.residents[premises_id] if end is None)
        passport.add_benefit(person_id=person, account_id=account_id,
                             category="veteran_labour", date_from=month.first_day,
                             document=BENEFIT_DOCUMENTS["veteran_labour"])
        queue.enqueue(account_id=account_id, period_for=str(month),
                      reason=f"льгота ветерана труда с {month.first_day:%d.%m.%Y} назначена "
                             "задним числом")
    return [f"Назначено льгот задним числом (с {month.first_day:%d.%m.%Y}): {len(chosen)} "
            "(поставлены в перерасчёт)"]


def _online_move_out(session: Session, calculator: BatchCalculator, town: Town,
                     rng: random.Random, month: Period) -> list[str]:
    """End one registration at the 15th of the closed ``month`` and recalculate online."""
    day = month.first_day + timedelta(days=14)
    candidates = list(session.scalars(select(Registration).where(
        Registration.date_to.is_(None), Registration.date_from < month.first_day)
        .order_by(Registration.id).limit(50)))
    if not candidates:
        return []
    reg = rng.choice(candidates)
    PassportRepository(session).end_registration(reg.id, day)
    session.flush()
    number = session.execute(select(Account.number).where(
        Account.premises_id == reg.premises_id)).scalar_one()
    lines = recalculate_account(session, number, str(month), calculator=calculator,
                                reason=f"снятие с регистрации с {day:%d.%m.%Y}")
    recalcs = [ln for ln in lines if ln["kind"] == "recalculation"]
    return [f"Онлайн: счёт {number}, снятие с регистрации с {day:%d.%m.%Y} — строк "
            f"открытого периода {len(lines) - len(recalcs)}, перерасчётов {len(recalcs)}"]


__all__ = ["DEFAULT_URL", "DemoReport", "run_demo"]
