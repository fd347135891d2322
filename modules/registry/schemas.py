"""Pydantic models of the registry: houses, premises, accounts and their services (create,
update, read). Shapes shared by every module are in ``modules/schemas.py``."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from zhkh.kernel.bounded import Day, Flag
from zhkh.kernel.money import format_micro
from zhkh.modules.registry.account_number import AccountNumberError, validate_account_number
from zhkh.modules.schemas import (
    AccountRecalc,
    DecimalText,
    Input,
    Reason,
    Ref,
)

HeatingPayment = Literal["season", "evenly"]
PremisesKind = Literal["flat", "room", "nonresidential"]


class HouseCreate(Input):
    address: str = Field(min_length=1, max_length=500)
    fias_guid: str | None = Field(default=None, min_length=36, max_length=36)
    management_company_id: Ref | None = None
    house_type: str = Field(default="apartment_building", min_length=1, max_length=32)
    house_heat_meter: Flag = False
    heating_payment: HeatingPayment = "evenly"
    total_area: DecimalText = "0"
    common_area: DecimalText = "0"
    reason: Reason = None


class HouseUpdate(Input):
    address: str | None = Field(default=None, min_length=1, max_length=500)
    fias_guid: str | None = Field(default=None, min_length=36, max_length=36)
    management_company_id: Ref | None = None
    house_type: str | None = Field(default=None, min_length=1, max_length=32)
    house_heat_meter: Flag | None = None
    heating_payment: HeatingPayment | None = None
    total_area: DecimalText | None = None
    common_area: DecimalText | None = None
    reason: Reason = None


class HouseOut(BaseModel):
    id: int
    address: str
    fias_guid: str | None
    management_company_id: int | None
    house_type: str
    house_heat_meter: bool
    heating_payment: str
    total_area: str
    common_area: str

    @classmethod
    def of(cls, house: Any) -> HouseOut:
        """The read model of a ``House`` row."""
        return cls(id=house.id, address=house.address, fias_guid=house.fias_guid,
                   management_company_id=house.management_company_id,
                   house_type=house.house_type, house_heat_meter=house.house_heat_meter,
                   heating_payment=house.heating_payment,
                   total_area=format_micro(house.total_area_micro),
                   common_area=format_micro(house.common_area_micro))


class CommonDecisionCreate(Input):
    """A decision of the general meeting on the common-property volume, in force from
    ``date_from`` until the next one."""

    date_from: Day = Field(description="С какой даты действует решение")
    cap_lifted: bool = Field(description="Распределять весь объём на СОИ сверх норматива "
                                         "(false — вернуть ограничение нормативом)")
    document: str = Field(min_length=1, max_length=300,
                          description="Протокол общего собрания (номер и дата)")
    reason: Reason = None


class CommonDecisionOut(BaseModel):
    id: int
    house_id: int
    date_from: date
    cap_lifted: bool
    document: str

    @classmethod
    def of(cls, row: Any) -> CommonDecisionOut:
        """The read model of a ``HouseCommonDecision`` row."""
        return cls(id=row.id, house_id=row.house_id, date_from=row.date_from,
                   cap_lifted=row.cap_lifted, document=row.document)


class PremisesCreate(Input):
    house_id: Ref
    number: str = Field(min_length=1, max_length=32)
    kind: PremisesKind = "flat"
    area: DecimalText = "0"
    rooms: int = Field(default=1, ge=0, le=1000)
    amenities: str | None = Field(default=None, max_length=64)
    parent_id: Ref | None = None
    meter_installable: dict[str, bool] = Field(default_factory=dict)
    reason: Reason = None


class PremisesUpdate(Input):
    number: str | None = Field(default=None, min_length=1, max_length=32)
    kind: PremisesKind | None = None
    area: DecimalText | None = None
    rooms: int | None = Field(default=None, ge=0, le=1000)
    amenities: str | None = Field(default=None, max_length=64)
    parent_id: Ref | None = None
    reason: Reason = None


class PremisesOut(BaseModel):
    id: int
    house_id: int
    number: str
    kind: str
    area: str
    rooms: int
    amenities: str | None
    parent_id: int | None
    meter_installable: dict[str, bool]

    @classmethod
    def of(cls, premises: Any) -> PremisesOut:
        """The read model of a ``Premises`` row."""
        return cls(id=premises.id, house_id=premises.house_id, number=premises.number,
                   kind=premises.kind, area=format_micro(premises.area_micro),
                   rooms=premises.rooms, amenities=premises.amenities,
                   parent_id=premises.parent_id,
                   meter_installable={i.service: i.installable for i in premises.installability})


class PremisesChanged(PremisesOut):
    recalculation: list[AccountRecalc] = Field(default_factory=list)


class AccountServiceIn(Input):
    service: str = Field(min_length=1, max_length=64)
    provider: str = Field(min_length=1, max_length=64, description="Код поставщика")
    date_from: Day
    date_to: Day | None = None

    @field_validator("date_to")
    @classmethod
    def _ordered(cls, value: date | None, info: Any) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise ValueError("дата окончания раньше даты начала")
        return value


def _account_number(value: str) -> str:
    try:
        return validate_account_number(value)
    except AccountNumberError as exc:
        raise ValueError(str(exc)) from None


class AccountCreate(Input):
    number: str | None = Field(
        default=None, min_length=6, max_length=20,
        description="Номер с контрольной цифрой; без него назначается следующий свободный")
    premises_id: Ref
    opened_on: Day
    closed_on: Day | None = None
    services: list[AccountServiceIn] = Field(default_factory=list)
    reason: Reason = None

    @field_validator("number")
    @classmethod
    def _valid_number(cls, value: str | None) -> str | None:
        return None if value is None else _account_number(value)

    @field_validator("closed_on")
    @classmethod
    def _ordered(cls, value: date | None, info: Any) -> date | None:
        start = info.data.get("opened_on")
        if value is not None and start is not None and value < start:
            raise ValueError("дата закрытия раньше даты открытия")
        return value


class AccountUpdate(Input):
    opened_on: Day | None = None
    closed_on: Day | None = None
    reason: Reason = None


class AccountServiceOut(BaseModel):
    id: int
    service: str
    provider: str
    date_from: Day
    date_to: Day | None


class AccountOut(BaseModel):
    id: int
    number: str
    premises_id: int
    house_id: int
    address: str
    premises_number: str
    opened_on: Day
    closed_on: Day | None

    @classmethod
    def of(cls, account: Any, premises: Any) -> AccountOut:
        """The read model of an ``Account`` row with its premises (and the premises' house)."""
        return cls(id=account.id, number=account.number, premises_id=account.premises_id,
                   house_id=premises.house_id, address=premises.house.address,
                   premises_number=premises.number, opened_on=account.opened_on,
                   closed_on=account.closed_on)
