"""The situation a stateless calculation is asked about (``POST /v1/calculate``, CLI).

Money comes as decimal strings in rubles, volumes and areas as decimal strings; a JSON float
is refused for them so that no binary fraction reaches the arithmetic.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zhkh.kernel.bounded import Day, Flag
from zhkh.kernel.calc.balance import BalanceInput, Money
from zhkh.kernel.calc.inputs import Absence, BenefitAssignment, Incident
from zhkh.kernel.calc.types import Dec, NormDec
from zhkh.kernel.period import Period


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("значение не может быть отрицательным")
    return value



class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Reading(_Model):
    """A meter reading on a date, for one zone of the meter."""

    date: Day
    value: Dec
    zone: str = "single"

    @field_validator("value")
    @classmethod
    def _not_negative(cls, v: Decimal) -> Decimal:
        return _non_negative(v)


class Meter(_Model):
    """An individual meter of one service: zones, register capacity, verification, readings."""

    id: str = Field(min_length=1)
    zones: list[str] = Field(default_factory=lambda: ["single"], min_length=1)
    capacity: Dec | None = Field(
        default=None, description="Значение, при котором счётный механизм переходит через ноль"
    )
    verified_until: Day | None = None
    failed_on: Day | None = Field(
        default=None, description="Дата выхода прибора из строя или утраты (п. 59 «а»)"
    )
    installed: Day | None = None
    removed: Day | None = None
    readings: list[Reading] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Meter:
        unknown = {r.zone for r in self.readings} - set(self.zones)
        if unknown:
            raise ValueError(f"показания по зонам, которых нет у прибора: {sorted(unknown)}")
        if self.installed and self.removed and self.removed < self.installed:
            raise ValueError("дата снятия раньше даты установки")
        if self.capacity is not None and self.capacity <= 0:
            raise ValueError("ёмкость счётного механизма должна быть положительной")
        return self


class SharedMeter(Meter):
    """The shared meter of a communal flat (общеквартирный), given on the service of each room's
    account; its volume is split among the rooms' accounts (``methods/shared_meter.py``).
    Rooms of the flat that are not in the situation are given by their residents and area."""

    other_persons: int = Field(
        default=0, ge=0, description="Проживающие в комнатах квартиры, которых нет в ситуации")
    other_area: Dec = Field(
        default=Decimal(0), description="Площадь комнат квартиры, которых нет в ситуации, м²")


class AccountService(_Model):
    """A service of an account with its provider and meters."""

    service: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    meter_installable: Flag = Field(
        default=True, description="Установка прибора учёта обязательна и технически возможна"
    )
    meter_access_refusals: int | None = Field(
        default=None, ge=0, le=10_000,
        description="Число задокументированных недопусков к прибору учёта, если оно уже "
                    "посчитано; не указано — считается по датам актов access_refusals "
                    "по правилу facts/ (раздел meter_access_refusals)",
    )
    access_refusals: list[Day] = Field(
        default_factory=list,
        description="Даты актов о недопуске к прибору учёта этой услуги, составленных после "
                    "последней установки прибора (недопуски «подряд»)",
    )
    meters: list[Meter] = Field(default_factory=list)
    shared_meter: SharedMeter | None = Field(
        default=None, description="Общеквартирный прибор коммунальной квартиры (для комнаты)")
    charged_last_year: Money | None = Field(
        default=None,
        description="Начислено за прошлый календарный год по этой услуге, руб. (отопление при "
                    "равномерной оплате: Pi.п для годовой корректировки по ф. 3(2))",
    )

    @model_validator(mode="after")
    def _one_way_to_give_refusals(self) -> AccountService:
        if self.meter_access_refusals is not None and self.access_refusals:
            raise ValueError("недопуски указываются либо числом (meter_access_refusals), "
                             "либо датами актов (access_refusals), но не тем и другим сразу")
        return self


class Resident(_Model):
    """A person registered in the premises (by residence or by stay) for a date range."""

    person: str = Field(min_length=1)
    kind: Literal["residence", "stay"] = "residence"
    start: Day = Field(alias="from")
    end: Day | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _order(self) -> Resident:
        if self.end is not None and self.end < self.start:
            raise ValueError("дата окончания регистрации раньше даты начала")
        return self


class Account(_Model):
    """A personal account (лицевой счёт) with its premises data, residents and services."""

    number: str = Field(min_length=1)
    area: Dec = Field(description="Общая площадь помещения, м²")
    rooms: int | None = Field(default=None, ge=0, le=1000)
    premises_kind: Literal["flat", "room", "nonresidential"] = "flat"
    amenities: str = "full"
    owners: int = Field(default=0, ge=0, le=10_000,
                        description="Число собственников (п. 56(2) ПП 354)")
    residents: list[Resident] = Field(default_factory=list)
    services: list[AccountService] = Field(min_length=1)

    @field_validator("area")
    @classmethod
    def _positive_area(cls, v: Decimal) -> Decimal:
        if v <= 0:
            raise ValueError("площадь должна быть положительной")
        return v


class HouseResource(_Model):
    """A resource of the house for its common property (СОИ): the house meter's volume of the
    period and of the months before (п. 59(1)), and the volumes of premises not in the
    situation."""

    service: str = Field(min_length=1, examples=["cold_water"],
                         description="Ресурс (cold_water, hot_water, electricity)")
    volume: Dec | None = Field(
        default=None, description="Объём по общедомовому прибору за период; не указан — "
                                  "показаний нет (п. 59(1)) или прибора нет")
    reading_from: Dec | None = Field(default=None, description="Предыдущее показание ОДПУ")
    reading_to: Dec | None = Field(default=None, description="Текущее показание ОДПУ")
    previous_volumes: list[Dec] = Field(
        default_factory=list, description="Объёмы ОДПУ за прошлые месяцы, последний первым "
                                          "(для среднего, п. 59(1))")
    other_volume: Dec = Field(
        default=Decimal(0), description="Сумма объёмов помещений дома, которых нет в ситуации "
                                        "(индивидуальное потребление по ИПУ, среднему, нормативу)")

    @model_validator(mode="after")
    def _one_volume(self) -> HouseResource:
        readings = (self.reading_from, self.reading_to)
        if self.volume is not None and any(r is not None for r in readings):
            raise ValueError("объём ОДПУ указывается либо числом (volume), либо показаниями "
                             "(reading_from, reading_to), но не тем и другим сразу")
        if (self.reading_from is None) != (self.reading_to is None):
            raise ValueError("нужны оба показания ОДПУ: reading_from и reading_to")
        if self.reading_from is not None and self.reading_to is not None and (
                self.reading_to < self.reading_from):
            raise ValueError("текущее показание ОДПУ меньше предыдущего")
        return self

    @property
    def period_volume(self) -> Decimal | None:
        """The house meter's volume of the period (None: no reading)."""
        if self.reading_from is not None and self.reading_to is not None:
            return self.reading_to - self.reading_from
        return self.volume


class House(_Model):
    """The house: attributes the rules read and, where needed, its meter volumes."""

    id: str = "house"
    house_type: Literal["apartment_building", "private"] = "apartment_building"
    heat_meter: Flag = False
    heating_payment: Literal["season", "evenly"] = "season"
    heating_season: Flag | None = Field(
        default=None,
        description="Период входит в отопительный период; не указано — по календарю "
                    "отопительного периода из правил (facts/, раздел heating_season)",
    )
    heating_season_months: int | None = Field(
        default=None, ge=1, le=12,
        description="Месяцев отопительного периода (в том числе неполных) в году расчётного "
                    "периода — для коэффициента ф. 2(1) «× месяцы / 12»; не указано — по "
                    "календарю отопительного периода из правил (facts/)",
    )
    total_area: Dec | None = Field(
        default=None, description="Площадь всех жилых и нежилых помещений дома, м²"
    )
    heating_volume: Dec | None = Field(
        default=None, description="Объём тепловой энергии по ОДПУ за период, Гкал"
    )
    common_area: Dec | None = Field(
        default=None, description="Площадь помещений, входящих в состав общего имущества, м²")
    common_cap_lifted: bool = Field(
        default=False, description="Решение общего собрания распределять весь объём на СОИ "
                                   "сверх норматива (действует в периоде)")
    resources: list[HouseResource] = Field(
        default_factory=list, description="Общедомовые приборы по ресурсам (для СОИ)")
    heating_last_year: dict[str, Dec] | None = Field(
        default=None,
        description="Объём тепловой энергии по ОДПУ за каждый месяц прошлого календарного года, "
                    "Гкал ({\"2025-01\": \"180.4\", …}) — для годовой корректировки по ф. 3(2)",
    )

    @field_validator("heating_last_year")
    @classmethod
    def _months(cls, v: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
        if v is None:
            return v
        out = {}
        for key, volume in v.items():
            out[str(Period.parse(key))] = _non_negative(volume)
        return out


class Overrides(_Model):
    """Inline values in force for this calculation only, keyed by rule id."""

    tariffs: dict[str, Dec] = Field(default_factory=dict)
    norms: dict[str, NormDec] = Field(
        default_factory=dict,
        description="Нормативы по id правила — как опубликованы, до 9 знаков после запятой")


class Situation(_Model):
    """A self-contained situation: the period, the house, its accounts, optional overrides.

    Benefit assignments, absences and quality incidents name their account; they give the
    extra lines (benefits, recalculations, quality reductions) after the charges. A balance
    history (debts by period and payments) gives penalty lines.
    """

    period: str = Field(examples=["2026-10"])
    house: House = Field(default_factory=House)
    accounts: list[Account] = Field(min_length=1)
    overrides: Overrides = Field(default_factory=Overrides)
    benefits: list[BenefitAssignment] = Field(default_factory=list)
    absences: list[Absence] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)
    balance: BalanceInput | None = Field(
        default=None, description="Долги по периодам и платежи с датами — для расчёта пеней"
    )

    @field_validator("period")
    @classmethod
    def _period(cls, v: str) -> str:
        return str(Period.parse(v))

    @model_validator(mode="after")
    def _unique_accounts(self) -> Situation:
        seen: set[str] = set()
        for acc in self.accounts:
            if acc.number in seen:
                raise ValueError(f"лицевой счёт {acc.number} указан дважды")
            seen.add(acc.number)
        return self

    @property
    def period_value(self) -> Period:
        return Period.parse(self.period)
