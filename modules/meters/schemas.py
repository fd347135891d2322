"""Pydantic models of meters and readings. Readings and capacities are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from zhkh.kernel.money import format_micro
from zhkh.modules.registry.schemas import (
    AccountRecalc,
    DecimalText,
    Input,
    Reason,
    Ref,
    decimal_text,
)

MeterKind = Literal["individual", "shared", "house", "group"]
Zone = Literal["single", "day", "night", "peak", "half_peak"]
ReadingSource = Literal["portal", "phone", "cashier", "bank_registry", "controller", "operator"]


class MeterCreate(Input):
    serial: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)
    kind: MeterKind = "individual"
    premises_id: Ref | None = None
    house_id: Ref | None = None
    zones: list[Zone] = Field(default_factory=lambda: ["single"], min_length=1, max_length=5)
    capacity: DecimalText | None = None
    verified_until: date | None = None
    installed_on: date
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
    verified_until: date | None = None
    removed_on: date | None = None
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
    verified_until: date | None
    installed_on: date
    removed_on: date | None
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
    taken_on: date
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
    taken_on: date
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
