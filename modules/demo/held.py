"""The demo's implausible readings: sent the way the API sends them, they meet the checks of
``rules/checks`` and wait in the review queue (the month is billed by the rules' fallback for
them); a month later the operator rejects the absurd ones and confirms the leak, which books a
recalculation of the closed month."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.money import format_decimal_ru, format_micro
from zhkh.kernel.period import Period
from zhkh.modules.audit import Actor
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.reading_checks import RuleReadingChecks
from zhkh.modules.billing.service import OnlineRecalculation
from zhkh.modules.demo.town import Town, ZoneState
from zhkh.modules.meters import review
from zhkh.modules.meters import service as meters
from zhkh.modules.meters.models import Meter, ReadingReview
from zhkh.modules.meters.schemas import ReadingCreate
from zhkh.modules.seams import Seams

OPERATOR = "оператор приёма показаний"
KINDS = ("absurd", "typo", "leak")


class _NoVocabulary:
    """The demo sends readings only: the rules' vocabulary is never asked."""

    def benefit_categories(self) -> list[str]:
        return []

    def benefit_category_titles(self) -> dict[str, str]:
        return {}

    def incident_kinds(self, service: str) -> list[str]:
        return []


def _seams(calculator: BatchCalculator, month: Period) -> Seams:
    return Seams(recalculation=OnlineRecalculation(calculator), vocabulary=_NoVocabulary(),
                 checks=RuleReadingChecks(calculator.rulebook, today=lambda: month.last_day))


def plant(session: Session, calculator: BatchCalculator, town: Town, rng: random.Random,
          month: Period) -> list[str]:
    """Send three implausible water readings dated the 26th of ``month``: 99 999 m³ more than
    the register, a typo below the previous reading, and a leak (12 months' use at once); the
    leak's register value becomes the meter's, so later readings continue from it."""
    water = set(session.scalars(select(Meter.id).where(
        Meter.service.in_(("cold_water", "hot_water")), Meter.verified_until.is_(None)
        | (Meter.verified_until > month.last_day))))
    zones = [z for z in town.zones if z.zone == "single" and z.meter_id in water]
    day = month.first_day + timedelta(days=25)
    seams, lines = _seams(calculator, month), []
    for kind, z in zip(KINDS, rng.sample(zones, min(len(KINDS), len(zones))), strict=False):
        value = _value(kind, z)
        town.reading_seq += 1
        held, _, _ = meters.add_reading(session, seams, Actor("demo", None), z.meter_id,
                                     ReadingCreate(taken_on=day, value=format_micro(value),
                                                   source="portal",
                                                   source_id=f"demo-{town.reading_seq}"))
        if kind == "leak":
            z.value = value
        if isinstance(held, ReadingReview):
            lines.append(f"На проверке показание прибора {z.meter_id} от {day:%d.%m.%Y}: "
                         f"{format_decimal_ru(value)} — "
                         + "; ".join(str(c.get("message") or c["code"]) for c in held.checks))
    return lines


def _value(kind: str, z: ZoneState) -> int:
    if kind == "absurd":
        return z.value + 99_999_000_000
    if kind == "typo":
        return max(z.value - 10_000_000, 0)
    return z.value + 12 * z.use


def decide(session: Session, calculator: BatchCalculator, month: Period) -> list[str]:
    """The operator's decisions in ``month``: the leak (only volume checks failed, the
    register moved on) is confirmed by an act, the others are rejected."""
    seams, lines = _seams(calculator, month), []
    for held in session.scalars(select(ReadingReview).where(ReadingReview.status == "pending")
                                .order_by(ReadingReview.id)):
        codes = {c["code"] for c in held.checks}
        if codes <= {"volume_above_average", "volume_above_maximum"} and \
                held.value_micro < 90_000_000_000:
            _, recalc = review.confirm(session, seams,
                                       Actor(OPERATOR, "акт обследования: утечка"), held.id)
            booked = sum(len(r.lines or []) for r in recalc)
            lines.append(f"Подтверждено показание на проверке № {held.id} (утечка по акту): "
                         f"записано, счёт пересчитан, строк {booked}")
        else:
            review.reject(session, Actor(OPERATOR, "показание неправдоподобно, абонент "
                                                   "передал исправленное"), held.id)
            lines.append(f"Отклонено показание на проверке № {held.id}: "
                         + ", ".join(sorted(codes)))
    return lines
