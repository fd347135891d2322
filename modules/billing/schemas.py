"""Pydantic models of billing: the account card with its ledger lines by booked period and
the monthly volumes of its meters.

Money and volumes travel as decimal strings (``"1234.56"``), never as JSON numbers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from zhkh.modules.registry.schemas import AccountOut, AccountServiceOut
from zhkh.modules.schemas import decimal_text, money_text


class LedgerLineOut(BaseModel):
    id: int
    service: str
    component: str | None
    zone: str | None
    provider_id: int
    period_for: str
    period_booked: str
    kind: str
    is_recalculation: bool
    method: str | None
    volume: str | None
    tariff: str | None
    amount: str
    rulebook_version: str
    explain: str | None

    @classmethod
    def of(cls, line: Any) -> LedgerLineOut:
        """The read model of a ``LedgerLine``; money and volumes as decimal strings."""
        return cls(id=line.id, service=line.service, component=line.component, zone=line.zone,
                   provider_id=line.provider_id, period_for=line.period_for,
                   period_booked=line.period_booked, kind=line.kind,
                   is_recalculation=line.kind == "recalculation"
                   or line.period_for != line.period_booked,
                   method=line.method, volume=decimal_text(line.volume_micro),
                   tariff=decimal_text(line.tariff_micro), amount=money_text(line.amount_kopecks),
                   rulebook_version=line.rulebook_version, explain=line.explain)


class LedgerPeriodOut(BaseModel):
    period: str
    total: str
    lines: list[LedgerLineOut]


class MonthVolumeOut(BaseModel):
    period: str
    volume: str


class MeterZoneHistoryOut(BaseModel):
    zone: str
    base: str | None
    """The installation reading — the meter's base, not a month's reading."""
    months: list[MonthVolumeOut]
    """Months with a volume before the card's period, most recent first (up to 12)."""
    average: str | None
    """The п. 59 monthly average of the most recent ``average_months`` months (up to 6)."""
    average_months: int
    summary: str
    """«среднее за 6 мес: 18,4 / 6 = 3,066667» (the service's unit) or «истории показаний нет»."""


class MeterHistoryOut(BaseModel):
    id: int
    serial: str
    service: str
    installed_on: str
    removed_on: str | None
    period: str
    zones: list[MeterZoneHistoryOut]


class AccountCard(BaseModel):
    account: AccountOut
    services: list[AccountServiceOut]
    periods: list[LedgerPeriodOut]
    meters: list[MeterHistoryOut] = []
    """The premises' meters with their monthly volumes, so an average is explainable."""
