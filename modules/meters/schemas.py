"""Pydantic models of meters and readings. Readings and capacities are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from zhkh.kernel.bounded import Day
from zhkh.kernel.money import format_micro
from zhkh.modules.schemas import AccountRecalc, DecimalText, Input, Reason, Ref, decimal_text

MeterKind = Literal["individual", "shared", "house", "group"]
Zone = Literal["single", "day", "night", "peak", "half_peak"]
ReadingSource = Literal["portal", "phone", "cashier", "bank_registry", "controller", "operator"]


class MeterCreate(Input):
    serial: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)
    kind: MeterKind = "individual"
    premises_id: Ref | None = None
    house_id: Ref | None = None
    zones: list[Zone] = Field(default_factory=lambda: list[Zone](["single"]), min_length=1,
                              max_length=5)
    capacity: DecimalText | None = None
    verified_until: Day | None = None
    installed_on: Day
    reason: Reason = None

    @field_validator("zones")
    @classmethod
    def _distinct(cls, zones: list[str]) -> list[str]:
        if len(set(zones)) != len(zones):
            raise ValueError("зоны повторяются")
        return zones


class MeterUpdate(Input):
    serial: str | None = Field(default=None, min_length=1, max_length=64)
    capacity: DecimalText | None = None
    verified_until: Day | None = None
    removed_on: Day | None = None
    reason: Reason = None


class MeterOut(BaseModel):
    id: int
    serial: str
    service: str
    kind: str
    premises_id: int | None
    house_id: int | None
    zones: list[str]
    capacity: str | None
    verified_until: Day | None
    installed_on: Day
    removed_on: Day | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, meter: Any, recalculation: list[AccountRecalc] | None = None) -> MeterOut:
        """The read model of a ``Meter``."""
        return cls(id=meter.id, serial=meter.serial, service=meter.service, kind=meter.kind,
                   premises_id=meter.premises_id, house_id=meter.house_id,
                   zones=[z.zone for z in meter.zones],
                   capacity=decimal_text(meter.capacity_micro),
                   verified_until=meter.verified_until, installed_on=meter.installed_on,
                   removed_on=meter.removed_on, recalculation=recalculation)


class ReadingCreate(Input):
    zone: Zone = "single"
    taken_on: Day
    value: DecimalText
    source: ReadingSource
    source_id: str | None = Field(default=None, min_length=1, max_length=128,
                                  description="Идентификатор у источника: повтор не дублируется")
    supersedes_id: Ref | None = Field(default=None, description="Исправляемое показание")
    reason: Reason = None


class ReadingOut(BaseModel):
    id: int
    meter_id: int
    zone: str
    taken_on: Day
    value: str
    source: str
    source_id: str | None
    supersedes_id: int | None
    superseded: bool
    reason: str | None
    received_at: datetime | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, reading: Any, *, superseded: bool = False,
           recalculation: list[AccountRecalc] | None = None) -> ReadingOut:
        """The read model of a ``Reading``."""
        return cls(id=reading.id, meter_id=reading.meter_id, zone=reading.zone,
                   taken_on=reading.taken_on, value=format_micro(reading.value_micro),
                   source=reading.source, source_id=reading.source_id,
                   supersedes_id=reading.supersedes_id, superseded=superseded,
                   reason=reading.reason, received_at=reading.received_at,
                   recalculation=recalculation)


class AccessRefusalCreate(Input):
    premises_id: Ref
    account: str | None = Field(
        default=None, min_length=6, max_length=20,
        description="Лицевой счёт, если акт касается только его (комната коммунальной "
                    "квартиры); не указан — все счета помещения")
    service: str = Field(min_length=1, max_length=64, examples=["electricity"])
    meter_id: Ref | None = Field(default=None, description="Прибор, к которому не допустили "
                                                           "(для проверки), если он есть")
    refused_on: Day = Field(description="Дата акта о недопуске")
    act_number: str = Field(min_length=1, max_length=64)
    drawn_up_by: str = Field(min_length=1, max_length=300,
                             description="Кто составил акт: организация, должность, ФИО")
    note: str | None = Field(default=None, max_length=2000)
    reason: Reason = None


class AccessRefusalCancel(Input):
    reason: str = Field(min_length=1, max_length=500,
                        description="Почему акт отменён (внесён ошибочно, отменён судом …)")


class AccessRefusalOut(BaseModel):
    id: int
    premises_id: int
    account: str | None
    service: str
    meter_id: int | None
    refused_on: Day
    act_number: str
    drawn_up_by: str
    note: str | None
    created_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, refusal: Any, account: str | None,
           recalculation: list[AccountRecalc] | None = None) -> AccessRefusalOut:
        """The read model of an ``AccessRefusal`` (``account``: the number of its account)."""
        return cls(id=refusal.id, premises_id=refusal.premises_id, account=account,
                   service=refusal.service, meter_id=refusal.meter_id,
                   refused_on=refusal.refused_on, act_number=refusal.act_number,
                   drawn_up_by=refusal.drawn_up_by, note=refusal.note,
                   created_at=refusal.created_at, cancelled_at=refusal.cancelled_at,
                   cancel_reason=refusal.cancel_reason, recalculation=recalculation)


class FailedCheckOut(BaseModel):
    code: str = Field(examples=["volume_above_maximum"])
    message: str
    rule_id: str


class ReadingReviewOut(BaseModel):
    """A reading held by the plausibility checks: not billed while ``status`` is pending."""

    id: int
    meter_id: int
    zone: str
    taken_on: date
    value: str
    source: str
    source_id: str | None
    status: str = Field(description="pending — на проверке, confirmed, rejected")
    checks: list[FailedCheckOut]
    received_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    reading_id: int | None
    recalculation: list[AccountRecalc] | None = None

    @classmethod
    def of(cls, review: Any, recalculation: list[AccountRecalc] | None = None
           ) -> ReadingReviewOut:
        """The read model of a ``ReadingReview``."""
        return cls(id=review.id, meter_id=review.meter_id, zone=review.zone,
                   taken_on=review.taken_on, value=format_micro(review.value_micro),
                   source=review.source, source_id=review.source_id, status=review.status,
                   checks=[FailedCheckOut(**c) for c in review.checks],
                   received_at=review.received_at, decided_at=review.decided_at,
                   decided_by=review.decided_by, decision_reason=review.decision_reason,
                   reading_id=review.reading_id, recalculation=recalculation)


class ReviewDecision(Input):
    reason: Reason = None
