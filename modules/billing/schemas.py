"""Pydantic models of billing: the account card with its ledger lines by booked period.

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


class AccountCard(BaseModel):
    account: AccountOut
    services: list[AccountServiceOut]
    periods: list[LedgerPeriodOut]
