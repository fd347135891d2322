"""Common property (СОИ) in the monthly run: the house's facts and the house step of a batch.

The calculation of a common-property service is ``kernel/calc/common.py`` (through
``calculate``); here are its facts from the database:

* :class:`CommonServices` — which services are common property (``common_of``), the derived
  ones over them (wastewater on common property) and each resource's volume component;
* :func:`house_common` — per house: the common area, the decision in force on the cap, and the
  house meters' volumes of the period and the months before (``house_meters``);
* the **house step** (:func:`common_facts`): after a batch's individual lines are computed
  (columnar and situation paths alike), situations holding only the accounts' common-property
  services, with the Σ individual volumes of each house and resource as
  ``HouseResource.other_volume`` — the same facts ``POST /v1/calculate`` takes;
* :func:`ledger_individual` — the Σ individual volumes of a house's other accounts from the
  ledger, for a calculation of a few accounts (online, recalculation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.result import Line
from zhkh.kernel.calc.situation import (
    Account,
    AccountService,
    House,
    HouseResource,
    Overrides,
    Situation,
)
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook
from zhkh.modules.billing.house_meters import HouseVolume, house_volumes
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.db.repository import overlapping
from zhkh.modules.registry.models import Account as AccountRow
from zhkh.modules.registry.models import AccountService as ServiceRow
from zhkh.modules.registry.models import House as HouseRow
from zhkh.modules.registry.models import HouseCommonDecision, Premises

CHUNK = 900
HOUSE_TYPE_ALIASES = {"apartment": "apartment_building"}
"""As ``facts.HOUSE_TYPES`` (a house type unknown to the rules fails its individual services
first; its common-property ones are refused by the rules then)."""


@dataclass(frozen=True, slots=True)
class CommonServices:
    """The common-property services of a rulebook's catalogue."""

    resource: Mapping[str, str] = field(default_factory=dict)
    """Common-property service → the resource it is the common part of."""
    derived: frozenset[str] = frozenset()
    """Services whose volume is the sum of common-property services' (wastewater on СОИ)."""
    volume_component: Mapping[str, str | None] = field(default_factory=dict)
    """Resource → its component carrying the volume (hot water: ``water``)."""

    @property
    def codes(self) -> frozenset[str]:
        """Every service the house step calculates."""
        return frozenset(self.resource) | self.derived

    @classmethod
    def of(cls, rulebook: Rulebook) -> CommonServices:
        """The common-property services of ``rulebook``."""
        services = rulebook.services
        resource = {code: s.common_of for code, s in services.items() if s.common_of}
        derived = frozenset(code for code, s in services.items()
                            if s.derived_from and set(s.derived_from) <= set(resource))
        volume = {r: next((c.id for c in services[r].components if c.volume_from is None), None)
                  for r in set(resource.values()) if r in services}
        return cls(resource, derived, volume)

    def counts(self, service: str, component: str | None, kind: str = "charge") -> bool:
        """Whether a line's volume is individual volume of a resource with common property."""
        return (kind == "charge" and service in self.volume_component
                and component in (None, self.volume_component[service]))


@dataclass(slots=True)
class HouseCommon:
    """What the rules read of a house for its common property."""

    common_area: int | None
    cap_lifted: bool
    volumes: dict[str, HouseVolume] = field(default_factory=dict)

    def resources(self, other: Mapping[str, int]) -> list[HouseResource]:
        """The house's resources for a situation: the house meters' volumes and the volumes
        of premises outside the situation (``other``, 1e-6)."""
        out = []
        for service in sorted(set(self.volumes) | set(other)):
            v = self.volumes.get(service, HouseVolume(None))
            out.append(HouseResource.model_construct(
                service=service, volume=_dec(v.volume), reading_from=None, reading_to=None,
                previous_volumes=[Decimal(x).scaleb(-6) for x in v.history],
                other_volume=Decimal(other.get(service, 0)).scaleb(-6)))
        return out


def _dec(micro: int | None) -> Decimal | None:
    return None if micro is None else Decimal(micro).scaleb(-6)


def house_common(session: Session, period: Period, house_ids: Sequence[int],
                 resources: Iterable[str]) -> dict[int, HouseCommon]:
    """Per house: common area (None when not registered), the cap decision in force on the
    period's last day, and the house meters' volumes of ``resources``."""
    ids = list(house_ids)
    out: dict[int, HouseCommon] = {}
    lifted = _decisions(session, period, ids)
    for i in range(0, len(ids), CHUNK):
        for hid, area in session.execute(select(HouseRow.id, HouseRow.common_area_micro)
                                         .where(HouseRow.id.in_(ids[i:i + CHUNK]))):
            out[hid] = HouseCommon(area or None, lifted.get(hid, False))
    wanted = sorted(set(resources))
    if wanted:
        for (hid, service), volume in house_volumes(session, period, ids, wanted).items():
            if hid in out:
                out[hid].volumes[service] = volume
    return out


def _decisions(session: Session, period: Period, ids: list[int]) -> dict[int, bool]:
    latest = (select(HouseCommonDecision.house_id,
                     func.max(HouseCommonDecision.date_from).label("d"))
              .where(HouseCommonDecision.date_from <= period.last_day)
              .group_by(HouseCommonDecision.house_id).subquery())
    out: dict[int, bool] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = (select(HouseCommonDecision.house_id, HouseCommonDecision.cap_lifted)
                .join(latest, (latest.c.house_id == HouseCommonDecision.house_id)
                      & (latest.c.d == HouseCommonDecision.date_from))
                .where(HouseCommonDecision.house_id.in_(ids[i:i + CHUNK])))
        out.update({h: bool(c) for h, c in session.execute(stmt)})
    return out


def ledger_individual(session: Session, period: str, house_ids: Sequence[int],
                      exclude: Sequence[int], common: CommonServices
                      ) -> dict[tuple[int, str], int]:
    """Σ individual volumes (charge lines of ``period``) of the houses' accounts other than
    ``exclude``, per (house, resource)."""
    if not common.volume_component:
        return {}
    out: dict[tuple[int, str], int] = defaultdict(int)
    skip = set(exclude)
    conditions = [(LedgerLine.service == r) & (
        LedgerLine.component.is_(None) if c is None
        else or_(LedgerLine.component.is_(None), LedgerLine.component == c))
        for r, c in common.volume_component.items()]
    ids = list(house_ids)
    for i in range(0, len(ids), CHUNK):
        stmt = (select(Premises.house_id, LedgerLine.account_id, LedgerLine.service,
                       func.sum(LedgerLine.volume_micro))
                .join(AccountRow, AccountRow.id == LedgerLine.account_id)
                .join(Premises, Premises.id == AccountRow.premises_id)
                .where(Premises.house_id.in_(ids[i:i + CHUNK]), LedgerLine.kind == "charge",
                       LedgerLine.period_for == period, LedgerLine.period_booked == period,
                       or_(*conditions))
                .group_by(Premises.house_id, LedgerLine.account_id, LedgerLine.service))
        for hid, account, service, volume in session.execute(stmt):
            if account not in skip:
                out[(hid, service)] += int(volume or 0)
    return dict(out)


def individual_of_lines(lines: Iterable[tuple[int, Line]], house_of: Mapping[int, int],
                        common: CommonServices) -> dict[tuple[int, str], int]:
    """Σ individual volumes per (house, resource) of computed lines (account id, line)."""
    out: dict[tuple[int, str], int] = defaultdict(int)
    for account_id, line in lines:
        if common.counts(line.service, line.component, line.kind):
            out[(house_of[account_id], line.service)] += int(
                Decimal(line.volume).scaleb(6).to_integral_value())
    return dict(out)


def individual_of_columns(account: np.ndarray, service: Sequence[str],
                          component: Sequence[str | None], volume: np.ndarray,
                          house_of: Mapping[int, int], common: CommonServices
                          ) -> dict[tuple[int, str], int]:
    """The same over columnar lines: account id, service and component (per line), volume."""
    out: dict[tuple[int, str], int] = defaultdict(int)
    keep = np.array([common.counts(s, c) for s, c in zip(service, component, strict=True)],
                    dtype=bool)
    if not keep.any():
        return {}
    houses = np.array([house_of[a] for a in account[keep].tolist()], dtype=np.int64)
    kept = [s for s, k in zip(service, keep.tolist(), strict=True) if k]
    for hid, s, v in zip(houses.tolist(), kept, volume[keep].tolist(), strict=True):
        out[(hid, s)] += v
    return dict(out)


@dataclass(slots=True)
class CommonBatch:
    """Situations of a batch's common-property services (one per house)."""

    situations: list[Situation] = field(default_factory=list)
    account_ids: dict[str, int] = field(default_factory=dict)
    house_ids: list[int] = field(default_factory=list)


def common_facts(session: Session, period: Period, house_ids: Sequence[int],
                 common: CommonServices, individual: Mapping[tuple[int, str], int],
                 providers: Mapping[int, str], skip_accounts: Iterable[int] = ()
                 ) -> CommonBatch:
    """The house step's situations: each house's accounts with their common-property services
    only, the house's facts, and the Σ individual volumes ``individual`` as the volume of the
    premises outside the situation."""
    out = CommonBatch()
    codes = sorted(common.codes)
    if not codes:
        return out
    skipped = set(skip_accounts)
    rows = _common_accounts(session, period, list(house_ids), codes)
    if not rows:
        return out
    houses = house_common(session, period, sorted({r[2] for r in rows}),
                          set(common.resource.values()))
    attrs: dict[int, tuple[Any, ...]] = {
        hid: (total, htype, heat, payment) for hid, total, htype, heat, payment in
        session.execute(select(HouseRow.id, HouseRow.total_area_micro, HouseRow.house_type,
                                    HouseRow.house_heat_meter, HouseRow.heating_payment)
                             .where(HouseRow.id.in_(sorted(houses))))}
    by_house: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for acc_id, number, hid, kind, area, amenities, service, provider in rows:
        if acc_id in skipped:
            continue
        out.account_ids[number] = acc_id
        acc = by_house[hid].setdefault(number, {"area": area, "kind": kind,
                                                "amenities": amenities or "full",
                                                "services": {}})
        acc["services"][service] = providers[provider]
    for hid, accounts in by_house.items():
        h = houses[hid]
        other = {r: v for (house, r), v in individual.items() if house == hid}
        total, htype, heat, payment = attrs[hid]
        house = House.model_construct(
            id=str(hid), house_type=HOUSE_TYPE_ALIASES.get(htype, htype),
            heat_meter=bool(heat), heating_payment=payment, heating_season=None,
            total_area=_dec(total or None), heating_volume=None,
            common_area=_dec(h.common_area), common_cap_lifted=h.cap_lifted,
            resources=h.resources(other))
        out.situations.append(Situation.model_construct(
            period=str(period), house=house, overrides=Overrides.model_construct(
                tariffs={}, norms={}),
            accounts=[_account(number, a) for number, a in accounts.items()],
            absences=[], benefits=[], incidents=[], balance=None))
        out.house_ids.append(hid)
    return out


def _account(number: str, a: dict[str, Any]) -> Account:
    return Account.model_construct(
        number=number, area=Decimal(a["area"]).scaleb(-6), rooms=None,
        premises_kind=a["kind"], amenities=a["amenities"], owners=0, residents=[],
        services=[AccountService.model_construct(
            service=code, provider=provider, meter_installable=True,
            meter_access_refusals=0, access_refusals=[], meters=[])
            for code, provider in a["services"].items()])


def _common_accounts(session: Session, period: Period, house_ids: list[int],
                     codes: list[str]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for i in range(0, len(house_ids), CHUNK):
        stmt = (select(AccountRow.id, AccountRow.number, Premises.house_id, Premises.kind,
                       Premises.area_micro, Premises.amenities, ServiceRow.service,
                       ServiceRow.provider_id)
                .join(Premises, AccountRow.premises_id == Premises.id)
                .join(ServiceRow, ServiceRow.account_id == AccountRow.id)
                .where(Premises.house_id.in_(house_ids[i:i + CHUNK]),
                       ServiceRow.service.in_(codes),
                       overlapping(ServiceRow.date_from, ServiceRow.date_to, period.first_day,
                                   period.last_day),
                       overlapping(AccountRow.opened_on, AccountRow.closed_on,
                                   period.first_day, period.last_day))
                .order_by(AccountRow.id, ServiceRow.service, ServiceRow.date_from))
        out += [tuple(r) for r in session.execute(stmt)]
    return out
