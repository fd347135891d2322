"""Ledger lines → the charges table of a payment document (section 3), the capital repair
block, the recalculations with their reasons (section 5), meter readings and house volumes
(section 4). Pure functions; every kopeck of the lines lands in exactly one place, so a
recipient's ``charged`` is the sum of its rows.

A row is one service (component, zone) of one provider at one tariff: its charge lines
summed (volume, amount, the excess over the amount without the coefficient); the
service's recalculations and corrections, benefits and quality reductions are put on its
first row (a row without charges is made for them when the service has none this month).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zhkh.kernel.money import format_micro, round_half_up_div
from zhkh.kernel.rulebook.services import ServiceCatalogue
from zhkh.modules.documents.sources import Line, MeterRow

PENALTY = "penalty"
CAPITAL_REPAIR = "capital_repair"
ZONES = {"single": "", "day": "день", "night": "ночь", "peak": "пик", "half_peak": "полупик"}
ZONE_ORDER = tuple(ZONES)
METHODS = {"meter": "ИПУ", "average": "по среднему", "norm": "норматив", "area": "площадь",
           "area_norm": "норматив", "house_share": "ОДПУ", "fixed": "фикс.",
           "derived": "ХВС + ГВС", "common_property": "ОДПУ", "shared_meter": "общекв. ПУ"}
RECALC_KINDS = ("recalculation", "correction")
MAX_RECALCULATIONS = 8
"""Rows of the layout's table of recalculations; more reasons are merged by month."""
_COEFFICIENT = re.compile(r"× (\d+(?:,\d+)?) × [\d\u00a0 ]+(?:,\d+)? ₽/")
_CAUSE = re.compile(r"причина: (.*?)(?:; расчёт:|$)", re.S)

Key = tuple[int, str, str, str]
"""(provider id, service, component, zone)."""


@dataclass(slots=True)
class _Row:
    provider_id: int
    service: str
    component: str
    zone: str
    tariff: int | None = None
    volume: int = 0
    has_volume: bool = False
    charged: int = 0
    excess: int = 0
    coefficient: str | None = None
    methods: list[str] = field(default_factory=list)
    recalculation: int = 0
    benefits: int = 0
    quality: int = 0


class Titles:
    """Russian names and units of services from the rulebook's catalogue."""

    def __init__(self, catalogue: ServiceCatalogue) -> None:
        self.catalogue = catalogue
        self.order = {code: i for i, code in enumerate(catalogue)}

    def of(self, service: str, component: str = "", zone: str = "") -> tuple[str, str]:
        """(title, unit) of a service, its component and zone."""
        found = self.catalogue.get(service)
        if found is None:
            return service, ""
        title, unit = found.title, found.unit
        part = next((c for c in found.components if c.id == component), None)
        if part is not None:
            title, unit = part.title, part.unit
        if ZONES.get(zone):
            title = f"{title}, {ZONES[zone]}"
        return title, unit

    def rank(self, service: str, component: str = "", zone: str = "") -> tuple:
        found = self.catalogue.get(service)
        parts = [c.id for c in found.components] if found else []
        return (self.order.get(service, len(self.order)), service,
                parts.index(component) if component in parts else len(parts),
                ZONE_ORDER.index(zone) if zone in ZONE_ORDER else len(ZONE_ORDER))


def charge_table(lines: Iterable[Line], titles: Titles, recipient_of: Mapping[int, str]
                 ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The rows of the charges table and the capital repair block (None when its lines do
    not make one block: several providers or tariffs), from the lines of a month (penalties
    are left out: they are shown apart)."""
    rows: dict[tuple[Key, int | None], _Row] = {}
    extra: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in lines:
        if line.service == PENALTY:
            continue
        key = (line.provider_id, line.service, line.component or "", line.zone or "")
        if line.kind == "charge":
            _add_charge(rows.setdefault((key, line.tariff_micro), _Row(*key, line.tariff_micro)),
                        line)
        elif line.kind in RECALC_KINDS:
            extra[key][0] += line.amount
        elif line.kind == "benefit":
            extra[key][1] -= line.amount
        else:  # quality_reduction
            extra[key][2] -= line.amount
    for key, (recalc, benefits, quality) in extra.items():
        # a line of the whole service (a recalculation has no component) goes on the
        # service's first row of the provider
        row = next((r for (k, _), r in rows.items() if k == key), None) or next(
            (r for (k, _), r in rows.items() if k[:2] == key[:2] and not key[2] + key[3]),
            None)
        if row is None:
            row = rows[(key, None)] = _Row(*key)
        # a benefit or reduction that nets above zero (its correction) is a recalculation
        row.recalculation += recalc - min(benefits, 0) - min(quality, 0)
        row.benefits += max(benefits, 0)
        row.quality += max(quality, 0)
    ordered = sorted(rows.values(), key=lambda r: (titles.rank(r.service, r.component, r.zone),
                                                   r.provider_id, r.tariff or 0))
    repair = _capital_repair([r for r in ordered if r.service == CAPITAL_REPAIR], recipient_of)
    table = [_charge_line(r, titles, recipient_of) for r in ordered
             if repair is None or r.service != CAPITAL_REPAIR]
    return table, repair


def _add_charge(row: _Row, line: Line) -> None:
    row.charged += line.amount
    if line.volume_micro is not None:
        row.volume += line.volume_micro
        row.has_volume = True
        if line.tariff_micro is not None:
            plain = round_half_up_div(line.volume_micro * line.tariff_micro, 10**10)
            row.excess += max(line.amount - plain, 0)
    if line.method and line.method not in row.methods:
        row.methods.append(line.method)
    if row.coefficient is None and line.explain:
        found = _COEFFICIENT.search(line.explain)
        if found:
            row.coefficient = found.group(1).replace(",", ".")


def _charge_line(r: _Row, titles: Titles, recipient_of: Mapping[int, str]) -> dict[str, Any]:
    title, unit = titles.of(r.service, r.component, r.zone)
    total = r.charged + r.recalculation - r.benefits - r.quality
    volume = format_micro(r.volume) if r.has_volume else None
    spec = titles.catalogue.get(r.service)
    # a common-property service (or wastewater over them) goes in the columns «на СОИ»
    common = spec is not None and bool(spec.common_of or (spec.derived_from and all(
        (src := titles.catalogue.get(s)) is not None and src.common_of
        for s in spec.derived_from)))
    method = " / ".join(METHODS.get(m, m) for m in r.methods)
    return {"recipient": recipient_of[r.provider_id], "service": title, "unit": unit,
            "method_individual": "" if common else method,
            "method_common": method if common else "",
            "volume_individual": None if common else volume,
            "volume_common": volume if common else None,
            "tariff": format_micro(r.tariff) if r.tariff is not None else None,
            "charged_individual": 0 if common else r.charged,
            "charged_common": r.charged if common else 0,
            "coefficient": r.coefficient if r.excess else None,
            "excess": 0 if common else min(r.excess, max(r.charged, 0)),
            "recalculation": r.recalculation,
            "benefits": r.benefits, "quality_reduction": r.quality, "total": total}


def _capital_repair(rows: list[_Row], recipient_of: Mapping[int, str]) -> dict[str, Any] | None:
    r = rows[0] if len(rows) == 1 else None
    if r is None or r.tariff is None or not r.has_volume or r.quality:
        return None
    return {"recipient": recipient_of[r.provider_id], "rate": format_micro(r.tariff),
            "area": format_micro(r.volume), "charged": r.charged,
            "recalculation": r.recalculation, "benefits": r.benefits,
            "total": r.charged + r.recalculation - r.benefits}


def cause(explain: str | None) -> str:
    """The reason of a recalculation line: what follows «причина:» in its explain, or the
    explain itself."""
    text = (explain or "").strip()
    found = _CAUSE.search(text)
    reason = (found.group(1) if found else text).strip().rstrip(";.") or "перерасчёт"
    return reason if len(reason) <= 480 else reason[:479] + "…"


def recalculations(lines: Iterable[Line], titles: Titles) -> list[dict[str, Any]]:
    """Section 5: recalculations and corrections (not of penalties) by month and reason,
    the services of each listed; merged by month when there are more than the layout's
    table holds, and the oldest months merged into one when still too many."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for line in lines:
        if line.service == PENALTY or line.kind not in RECALC_KINDS:
            continue
        entry = groups.setdefault((line.period_for, cause(line.explain)), [[], 0])
        title = titles.of(line.service)[0]
        if title not in entry[0]:
            entry[0].append(title)
        entry[1] += line.amount
    items = [{"service": ", ".join(services), "period_for": month, "reason": reason,
              "amount": amount} for (month, reason), (services, amount) in sorted(groups.items())]
    if len(items) > MAX_RECALCULATIONS:
        items = _merged(items, lambda i: i["period_for"], "перерасчёты по нескольким основаниям")
    if len(items) > MAX_RECALCULATIONS:
        keep = MAX_RECALCULATIONS - 1
        old = items[:len(items) - keep]
        items = _merged(old, lambda _i: old[0]["period_for"],
                        f"перерасчёты за {old[0]['period_for']} — {old[-1]['period_for']}") + \
            items[len(items) - keep:]
    return items


def _merged(items: list[dict[str, Any]], key, reason: str) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        found = out.setdefault(key(item), {"service": "", "period_for": key(item),
                                           "reason": reason, "amount": 0, "titles": []})
        found["amount"] += item["amount"]
        for title in item["service"].split(", "):
            if title not in found["titles"]:
                found["titles"].append(title)
    return [{**{k: v for k, v in o.items() if k != "titles"},
             "service": _short(", ".join(o["titles"]))} for o in out.values()]


def _short(text: str) -> str:
    return text if len(text) <= 480 else text[:479] + "…"


def reading_volume(previous: int, current: int, capacity: int | None) -> int | None:
    """current − previous, over the register's rollover when it wrapped; None when the
    reading went down without one."""
    if current >= previous:
        return current - previous
    if capacity and 0 <= previous < capacity and 0 <= current < capacity:
        return capacity - previous + current
    return None


def meter_readings(rows: Iterable[MeterRow], titles: Titles) -> list[dict[str, Any]]:
    """Section 4: the individual meters with both readings of the month and the month
    before, by service."""
    out = []
    for r in sorted(rows, key=lambda m: (titles.rank(m.service, "", m.zone), m.serial)):
        if r.previous_micro is None or r.current_micro is None:
            continue
        volume = reading_volume(r.previous_micro, r.current_micro, r.capacity_micro)
        if volume is None:
            continue
        out.append({"service": titles.of(r.service)[0], "meter": r.serial,
                    "zone": ZONES.get(r.zone, r.zone), "previous": format_micro(r.previous_micro),
                    "current": format_micro(r.current_micro), "volume": format_micro(volume),
                    "verified_until": r.verified_until})
    return out


def house_volumes(meters: Iterable[tuple[str, int | None, int | None, int | None]],
                  charged: Mapping[str, int], titles: Titles,
                  totals: Mapping[str, tuple[int | None, int, int]] | None = None
                  ) -> list[dict[str, Any]]:
    """Section 4: per house meter with both readings, the house's volume, the volume charged
    in its premises, and the difference (common property). Where the run stored the house's
    common-property figures (``totals``: house volume — or its п. 59(1) average, None by
    norm —, Σ individual volumes, the volume shared after the cap), those are shown."""
    out = []
    stored = dict(totals or {})
    for resource, (house, individual, common) in sorted(stored.items()):
        title, unit = titles.of(resource)
        out.append({"service": title, "unit": unit,
                    "house_meter": None if house is None else format_micro(house),
                    "individual": format_micro(individual), "common": format_micro(common)})
    for service, previous, current, capacity in meters:
        if service in stored:
            continue
        if previous is None or current is None:
            continue
        volume = reading_volume(previous, current, capacity)
        if volume is None:
            continue
        inside = charged.get(service, 0)
        title, unit = titles.of(service)
        out.append({"service": title, "unit": unit, "house_meter": format_micro(volume),
                    "individual": format_micro(inside),
                    "common": format_micro(volume - inside)})
    return out
