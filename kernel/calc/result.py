"""The result of a calculation, in its JSON form (money as strings with two decimals)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Line(_Out):
    """One charge line: account × service × component/zone × part of the period."""

    account: str
    service: str
    component: str | None = None
    zone: str | None = None
    provider: str
    period: str = Field(examples=["2026-10"])
    date_from: str = Field(examples=["2026-10-01"])
    date_to: str = Field(examples=["2026-10-31"])
    kind: str = "charge"
    method: str = Field(examples=["meter"])
    rule_ids: list[str]
    source: str = Field(description="Норма, которую реализует расчёт")
    volume: str = Field(examples=["8.333"], description="Объём (количество) в единицах услуги")
    unit: str = Field(examples=["м³"])
    tariff: str = Field(examples=["48.72"], description="Тариф, руб. за единицу")
    coefficient: str = Field(examples=["1"], description="Повышающий коэффициент")
    persons: int | None = Field(
        default=None, description="Число проживающих (для расчёта по нормативу на человека)"
    )
    norm: str | None = Field(default=None, description="Норматив на человека, если применён")
    amount: str = Field(examples=["405.98"], description="Сумма, руб.")
    excess: str = Field(
        examples=["0.00"], description="Размер превышения платы из-за повышающего коэффициента"
    )
    explain: str = Field(examples=["8,333 м³ × 48,72 ₽/м³ = 405,98 ₽ (ПП РФ №354, прил. 2, ф. 1)"])


class ServiceTotal(_Out):
    """Total of one service of one account."""

    account: str
    service: str
    amount: str


class AccountTotal(_Out):
    """Total of one account."""

    account: str
    amount: str


class HouseTotal(_Out):
    """The house's figures of one resource for common property (СОИ): what the reference block
    of a payment document shows and the explain of each premises' line names."""

    resource: str = Field(examples=["cold_water"])
    service: str = Field(examples=["cold_water_common"])
    house_volume: str | None = Field(
        description="Объём по ОДПУ за период (или его среднемесячный объём, п. 59(1)); "
                    "нет — расчёт по нормативу")
    source: str = Field(examples=["meter"], description="meter | average | norm")
    individual_volume: str = Field(description="Сумма объёмов всех помещений дома")
    common_area: str
    total_area: str
    cap: str = Field(description="Норматив на СОИ × площадь общего имущества")
    cap_lifted: bool
    outcome: str = Field(examples=["difference"], description="difference | capped | zero | "
                                                               "negative")
    common_volume: str = Field(description="Объём на общедомовые нужды, распределяемый по "
                                           "площади")


class CalculationResult(_Out):
    """Lines, totals and the rulebook version they were computed with."""

    period: str
    rulebook_version: str
    lines: list[Line]
    service_totals: list[ServiceTotal]
    account_totals: list[AccountTotal]
    total: str
    houses: list[HouseTotal] = Field(
        default_factory=list, description="Общедомовые объёмы по ресурсам (СОИ)")
