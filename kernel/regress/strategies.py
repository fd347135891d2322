"""Hypothesis strategies of situations (the JSON of ``POST /v1/calculate``) built from a rulebook.

The attributes come from :func:`zhkh.kernel.regress.space.space_of`: a period on either side of
every effective date, services and providers the rules name, meters absent / working / failed /
expired with histories and gaps on both sides of every ``months_without_readings`` and
``history_months`` threshold, rollovers through the register's capacity, residents moving in
mid-month, benefits of the declared categories, absences, quality incidents, debts and payments.
Situations are small (one or two accounts): a shrunk one is read by a person.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from zhkh.kernel.period import Period
from zhkh.kernel.regress.space import Space
from zhkh.kernel.rulebook import Rulebook
from zhkh.kernel.rulebook.base import named_values
from zhkh.kernel.rulebook.facts import FACTS

Json = dict[str, Any]
CAPACITY = 100000
LONG_AGO = "2015-01-01"


def _money(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def _milli(value: int) -> str:
    return f"{value // 1000}.{value % 1000:03d}"


class Situations:
    """The strategies of one rulebook's space; :meth:`situations` is the one to draw from."""

    def __init__(self, rulebook: Rulebook, space: Space):
        self.space = space
        self.metered = {str(s) for r in rulebook.methods
                        if any(t.attr == "meter" for t in r.condition)
                        for s in named_values(r.condition, "service")}
        self.zones = {s.id: [list(z.zones) for z in s.zones] for s in rulebook.services.values()}
        self.common_of = {s.id: s.common_of for s in rulebook.services.values() if s.common_of}

    def situations(self) -> st.SearchStrategy[Json]:
        """Situations of one or two accounts in a period of the space."""
        periods = st.sampled_from(self.space.periods)
        if self.space.focus_periods:
            periods = st.one_of(st.sampled_from(self.space.focus_periods), periods)
        return periods.flatmap(self._in_period)

    def _in_period(self, text: str) -> st.SearchStrategy[Json]:
        return _situation(self, Period.parse(text))

    def account(self, period: Period, number: str) -> st.SearchStrategy[Json]:
        return _account(self, period, number)

    def meter(self, service: str, period: Period) -> st.SearchStrategy[list[Json]]:
        if service not in self.metered:
            return st.just([])
        return _meters(self, service, period)


@st.composite
def _situation(draw: st.DrawFn, s: Situations, period: Period) -> Json:
    accounts = [draw(s.account(period, f"10000000{i}")) for i in range(draw(st.integers(1, 2)))]
    heat_meter = draw(st.booleans())
    house: Json = {
        "house_type": draw(st.sampled_from(FACTS["house_type"].values)),
        "heat_meter": heat_meter,
        "heating_payment": draw(st.sampled_from(FACTS["heating_payment"].values)),
        "heating_season": draw(st.sampled_from([None, True, False])),
    }
    if heat_meter or draw(st.integers(0, 3)) != 0:  # house data: most houses have it
        total = sum(int(a["area"].replace(".", "")) for a in accounts)
        house["total_area"] = _money(total * draw(st.integers(1, 40)))
        house["heating_volume"] = _milli(draw(st.integers(1, 400_000)))
        house["common_area"] = _money(total * draw(st.integers(1, 4)) // 10)
        resources = sorted({s.common_of[x["service"]] for a in accounts for x in a["services"]
                            if x["service"] in s.common_of})
        if resources:  # common property: house meters above, below and without a reading
            house["common_cap_lifted"] = draw(st.integers(0, 3)) == 0
            house["resources"] = [draw(_house_resource(resource)) for resource in resources]
    situation: Json = {"period": str(period), "house": house, "accounts": accounts}
    for key, make in (("benefits", _benefits), ("absences", _absences),
                      ("incidents", _incidents)):
        items = draw(make(s, period, accounts))
        if items:
            situation[key] = items
    if draw(st.integers(0, 3)) == 0:
        situation["balance"] = draw(_balance(s, period, accounts))
    return situation


@st.composite
def _house_resource(draw: st.DrawFn, resource: str) -> Json:
    item: Json = {"service": resource,
                  "other_volume": _milli(draw(st.integers(0, 2_000_000)))}
    if draw(st.integers(0, 4)) != 0:
        item["volume"] = _milli(draw(st.integers(0, 3_000_000)))
    else:
        item["previous_volumes"] = [_milli(draw(st.integers(0, 3_000_000)))
                                    for _ in range(draw(st.integers(0, 3)))]
    return item


def _day(period: Period) -> st.SearchStrategy[date]:
    return st.integers(0, period.last_day.day - 1).map(
        lambda k: period.first_day + timedelta(days=k))


@st.composite
def _account(draw: st.DrawFn, s: Situations, period: Period, number: str) -> Json:
    residents = []
    for j in range(draw(st.integers(0, 3))):
        resident: Json = {"person": f"p{j}", "from": LONG_AGO}
        if draw(st.integers(0, 3)) == 0:
            resident["from"] = draw(_day(period)).isoformat()
        if draw(st.integers(0, 4)) == 0:
            resident["to"] = max(draw(_day(period)), date.fromisoformat(resident["from"])
                                 ).isoformat()
        residents.append(resident)
    services = []
    chosen = draw(st.lists(st.sampled_from(s.space.services), min_size=1, max_size=4,
                           unique=True))
    focus = s.space.focus_services
    first: bool = draw(st.booleans())
    if focus and first:
        chosen = list(dict.fromkeys([draw(st.sampled_from(focus)), *chosen]))
    for service in chosen:
        item: Json = {"service": service, "provider": draw(st.sampled_from(s.space.providers)),
                      "meter_installable": draw(st.booleans())}
        refusals: int | None = draw(st.sampled_from(
            [None, *s.space.int_values("meter_access_refusals")]))
        if refusals is not None:
            item["meter_access_refusals"] = refusals
        meters = draw(s.meter(service, period))
        if meters:
            item["meters"] = meters
        services.append(item)
    return {
        "number": number,
        "area": _money(draw(st.integers(1_000, 15_000))),
        "premises_kind": draw(st.sampled_from(FACTS["premises_kind"].values)),
        "amenities": draw(st.sampled_from(FACTS["amenities"].values)),
        "owners": draw(st.integers(0, 2)),
        "residents": residents,
        "services": services,
    }


@st.composite
def _meters(draw: st.DrawFn, s: Situations, service: str, period: Period) -> list[Json]:
    state = draw(st.sampled_from(("absent", "working", "working", "failed", "expired")))
    if state == "absent":
        return []
    zones = draw(st.sampled_from(s.zones.get(service) or [["single"]]))
    history = draw(st.sampled_from(s.space.int_values("history_months")))
    gap = draw(st.sampled_from(s.space.int_values("months_without_readings")))
    meter: Json = {"id": "m1", "zones": zones}
    if state == "working":
        last = period.shift(-gap)
        first = last.shift(-history - (1 if gap == 0 else 0))
    else:
        event = period.shift(-max(gap - 1, 0))
        last = event.shift(-1)
        first = last.shift(-history)
        if state == "failed":
            meter["failed_on"] = event.first_day.replace(day=10).isoformat()
        else:
            meter["verified_until"] = last.last_day.isoformat()
    rollover = draw(st.integers(0, 4)) == 0
    if rollover:
        meter["capacity"] = str(CAPACITY)
    readings = []
    for zone in zones:
        value = (CAPACITY * 1000 - draw(st.integers(0, 40_000))) if rollover else \
            draw(st.integers(0, 1_000_000))
        month = first
        while month.first_day <= last.first_day:
            day = month.first_day.replace(day=draw(st.integers(20, 25)))
            readings.append({"date": day.isoformat(), "zone": zone,
                             "value": _milli(value % (CAPACITY * 1000))})
            value += draw(st.integers(0, 30_000))
            month = month.shift(1)
    meter["readings"] = readings
    return [meter]


@st.composite
def _benefits(draw: st.DrawFn, s: Situations, period: Period, accounts: list[Json]
              ) -> list[Json]:
    living = [a for a in accounts if a["residents"]]
    if not living or not s.space.categories or draw(st.integers(0, 2)) != 0:
        return []
    account = draw(st.sampled_from(living))
    start = LONG_AGO if draw(st.booleans()) else draw(_day(period)).isoformat()
    return [{"account": account["number"], "person": "p0", "from": start,
             "category": draw(st.sampled_from(s.space.categories))}]


@st.composite
def _absences(draw: st.DrawFn, s: Situations, period: Period, accounts: list[Json]
              ) -> list[Json]:
    living = [a for a in accounts if a["residents"]]
    if not living or draw(st.integers(0, 3)) != 0:
        return []
    account = draw(st.sampled_from(living))
    start = draw(_day(period))
    end = start + timedelta(days=draw(st.sampled_from((3, 5, 6, 7, 8, 15, 40))))
    return [{"account": account["number"], "person": "p0", "from": start.isoformat(),
             "to": end.isoformat(), "documents": draw(st.booleans())}]


@st.composite
def _incidents(draw: st.DrawFn, s: Situations, period: Period, accounts: list[Json]
               ) -> list[Json]:
    services = sorted({x["service"] for a in accounts for x in a["services"]}
                      & set(s.space.incidents))
    if not services or draw(st.booleans()):
        return []
    service = draw(st.sampled_from(services))
    kind = draw(st.sampled_from(s.space.incidents[service]))
    start = draw(_day(period))
    hour = draw(st.integers(0, 23))
    hours = draw(st.sampled_from((1, 4, 5, 8, 9, 12, 20, 25, 48, 200)))
    begin = f"{start.isoformat()}T{hour:02d}:00:00"
    end_dt = date.fromisoformat(start.isoformat())
    total = hour + hours
    end = f"{(end_dt + timedelta(days=total // 24)).isoformat()}T{total % 24:02d}:00:00"
    incident: Json = {"service": service, "kind": kind, "start": begin, "end": end}
    if kind in ("temperature", "pressure"):
        incident["magnitude"] = draw(st.sampled_from(("2", "3", "4", "6", "10", "24", "26",
                                                      "40")))
    return [incident]


@st.composite
def _balance(draw: st.DrawFn, s: Situations, period: Period, accounts: list[Json]) -> Json:
    account = accounts[0]["number"]
    debts, payments = [], []
    owed_list = [period.shift(-back) for back in range(1, draw(st.integers(1, 3)) + 1)]
    if s.space.old_dates and draw(st.integers(0, 7)) == 0:  # a debt across an old rule date
        old = Period.of(draw(st.sampled_from(s.space.old_dates))).shift(-1)
        if old.first_day < owed_list[-1].first_day:
            owed_list.append(old)
    for owed in owed_list:
        debts.append({"account": account, "period": str(owed),
                      "amount": _money(draw(st.integers(1, 800_000)))})
        if draw(st.booleans()):
            paid_on = owed.shift(1).first_day + timedelta(days=draw(st.integers(0, 58)))
            payments.append({"account": account, "date": paid_on.isoformat(),
                             "amount": _money(draw(st.integers(1, 900_000)))})
    return {"calc_date": period.last_day.isoformat(), "debts": debts, "payments": payments}
