"""Columnar calculation of many simple account × service facts at once (the run's fast path).

Pure: numpy arrays in, arrays out. Gives, for every fact it accepts, exactly the lines
:func:`~zhkh.kernel.calc.calculate.calculate` gives (volumes, amounts, excess, method, rule ids,
tariff, coefficient, explain, days): the templates (``template.py``), the methods' inputs
(``methods``), the kernel and the explain patterns are the situation path's. "Simple" means
constant through the month but for the number of residents: the caller routes accounts with a
meter or a contract changing inside the month, more than one meter per service, benefits,
absences or incidents to the per-situation path. Residents changing inside the month come as
runs of days (``FactColumns.p_*``): a row of a method cut by residents (``by_persons``: norm)
becomes one row per run with its share of the month, as ``plan.ServicePlanner`` cuts it. What
this module finds it cannot reproduce exactly (a dated value changing inside the month, a fact
no rule covers, a kernel refusal, missing readings or house data …) marks the account in
``ColumnarResult.slow``; the caller calculates those accounts on the per-situation path, which
also gives their errors.

Signatures are built as integer columns, packed into one int64 key, factorized with
``np.unique``; the engine is asked once per distinct key (and per component/zone), each distinct
key gets row templates (the decision table), ``columnar_rows`` fills a/b/c per row from columns
and runs the kernel once per pass (derived services — wastewater — in a second pass).
"""

from __future__ import annotations

import numpy as np

from zhkh.kernel.calc.catalog import Catalog, ComponentSpec, ServiceSpec
from zhkh.kernel.calc.columnar_facts import (
    EPOCH,
    HISTORY,
    NO_READING,
    ColumnarResult,
    FactColumns,
    day_number,
)
from zhkh.kernel.calc.columnar_rows import RowBuilder
from zhkh.kernel.calc.decide import Decider
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.fact_rules import season_calendar
from zhkh.kernel.calc.methods import DERIVED, Method, method_named
from zhkh.kernel.calc.methods.base import Rules
from zhkh.kernel.calc.signature import Signature
from zhkh.kernel.calc.template import (
    RowTemplate,
    decide_rules,
    derived_rules,
    make_template,
    zone_position,
    zones_of,
)
from zhkh.kernel.engine import Engine
from zhkh.kernel.money import to_fixed
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook
from zhkh.kernel.rulebook.dated import DatedValues

STRING_ATTRS = ("service", "provider", "house_type", "heating_payment", "premises_kind",
                "amenities")
FLAG_ATTRS = ("meter_installable", "house_heat_meter")
NO_SEASON = 2
"""``heating_season`` column value of a house the rules give no calendar for."""
METER_STATES = ("absent", "working", "failed", "expired")
def meter_signature(cols: FactColumns, derived: np.ndarray) -> dict[str, np.ndarray]:
    """Meter attributes of every fact as columns (``signature.build_signature`` semantics):
    state code, zones, history_months, readings present, months_without_readings."""
    p = cols.period
    first = day_number(p.first_day)
    has = cols.has_meter & ~derived
    expired = has & (cols.verified < first)
    state = np.where(has, np.where(expired, 3, 1), 0).astype(np.int64)
    zone_counts = np.array([len(z) for z in cols.zonesets] or [0], dtype=np.int64)
    zones = np.where(has, zone_counts[cols.zoneset], 0)
    n = cols.size
    hist_len = (cols.z_hist >= 0).sum(axis=1) if len(cols.z_fact) else np.zeros(0, np.int64)
    history = np.full(n, HISTORY + 1, dtype=np.int64)
    np.minimum.at(history, cols.z_fact, hist_len)
    history = np.where(has, np.minimum(history, HISTORY), 0)
    gaps = np.bincount(cols.z_fact, weights=((cols.z_prev < 0) | (cols.z_cur < 0)),
                       minlength=n)
    present = has & (gaps == 0) & ~expired
    # months_since(verified_until, period) + 1 for an expired meter
    vmonth = (cols.verified.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
              if n else np.zeros(0, np.int64))
    pmonth = (p.year - 1970) * 12 + p.month - 1
    mwr = np.where(expired, pmonth - vmonth + 1,
                   np.where(present, 0, np.minimum(cols.last_back, NO_READING)))
    return {"state": state, "zones": zones, "history": history,
            "present": present.astype(np.int64), "mwr": np.where(has, mwr, 0)}


def _pack(columns: list[np.ndarray]) -> np.ndarray:
    """One int64 key per row from non-negative integer columns (mixed radix)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for col in columns:
        radix = int(col.max()) + 1 if len(col) else 1
        span *= radix
        if span >= 2**62:
            raise OverflowError("слишком много различных значений признаков для упаковки")
        key = key * radix + col
    return key


def calculate_columns(cols: FactColumns, rulebook: Rulebook, engine: Engine) -> ColumnarResult:
    """Lines of every fact of ``cols`` whose account is not in ``result.slow``.

    Guarantee: for an account not in ``slow``, the lines (with their explain) are those
    ``calculate`` gives for the same account's situation.
    """
    catalog = Catalog(rulebook)
    specs: list[ServiceSpec | None] = [
        catalog._specs.get(code) for code in cols.vocab["service"]]
    is_derived = np.array([bool(s and s.derived_from) for s in specs] or [False])
    derived = is_derived[cols.codes["service"]] if cols.size else np.zeros(0, bool)
    msig = meter_signature(cols, derived)
    refusals = np.minimum(cols.refusals, 1000).astype(np.int64)
    season, season_months = calendar_columns(cols, rulebook)
    key = _pack([*(cols.codes[a].astype(np.int64) for a in STRING_ATTRS),
                 *(cols.flags[a].astype(np.int64) for a in FLAG_ATTRS), season, season_months,
                 refusals,
                 msig["state"], msig["zones"], msig["history"], msig["present"], msig["mwr"],
                 np.where(msig["state"] > 0, cols.zoneset, 0).astype(np.int64),
                 derived.astype(np.int64)])
    _keys, first_row, inverse = np.unique(key, return_index=True, return_inverse=True)
    planner = GroupPlanner(Decider(rulebook, engine), cols.period, specs)
    groups = []
    for i in first_row.tolist():
        sig = _signature(cols, msig, i, refusals, season, season_months)
        zones = cols.zonesets[cols.zoneset[i]] if msig["state"][i] > 0 else ()
        groups.append(planner.plan(sig, int(cols.codes["service"][i]), zones,
                                   bool(derived[i]), str(cols.account[i])))
    return RowBuilder(cols, groups, inverse.astype(np.int64), derived, catalog).build()


def season_column(cols: FactColumns, rulebook: Rulebook) -> np.ndarray:
    """``heating_season`` of every fact: 1 in season, 0 not, :data:`NO_SEASON` when the rules
    give the house no calendar. Asked once per distinct house (type, heat meter, payment);
    a ``heating_season`` column in ``cols.flags`` is taken as stated (as a situation may)."""
    return calendar_columns(cols, rulebook)[0]


def calendar_columns(cols: FactColumns, rulebook: Rulebook) -> tuple[np.ndarray, np.ndarray]:
    """(``heating_season`` as :func:`season_column` gives it, ``heating_season_months`` of
    every fact — months of the season in the period's year, 0 when the rules give the house
    no calendar); the calendar is asked once per distinct house (type, heat meter, payment)."""
    if not cols.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    house = [cols.codes["house_type"].astype(np.int64),
             cols.flags["house_heat_meter"].astype(np.int64),
             cols.codes["heating_payment"].astype(np.int64)]
    _keys, first, inverse = np.unique(_pack(house), return_index=True, return_inverse=True)
    seasons, months = [], []
    for i in first.tolist():
        calendar = season_calendar(
            rulebook, house_type=cols.vocab["house_type"][cols.codes["house_type"][i]],
            heat_meter=bool(cols.flags["house_heat_meter"][i]),
            heating_payment=cols.vocab["heating_payment"][cols.codes["heating_payment"][i]])
        seasons.append(NO_SEASON if calendar is None else int(calendar.in_season(cols.period)))
        months.append(0 if calendar is None else calendar.months_in_year(cols.period.year))
    inverse = inverse.reshape(-1)
    season = (cols.flags["heating_season"].astype(np.int64) if "heating_season" in cols.flags
              else np.array(seasons, dtype=np.int64)[inverse])
    return season, np.array(months, dtype=np.int64)[inverse]


def _signature(cols: FactColumns, msig: dict[str, np.ndarray], i: int,
               refusals: np.ndarray, season: np.ndarray,
               season_months: np.ndarray) -> dict[str, str | int | bool]:
    """The signature dict of fact ``i`` (the same keys and types as ``build_signature``)."""
    v, c, f = cols.vocab, cols.codes, cols.flags
    sig: dict[str, str | int | bool] = {
        "service": v["service"][c["service"][i]],
        "provider": v["provider"][c["provider"][i]],
        "meter_installable": bool(f["meter_installable"][i]),
        "meter_access_refusals": int(refusals[i]),
        "house_type": v["house_type"][c["house_type"][i]],
        "house_heat_meter": bool(f["house_heat_meter"][i]),
        "heating_payment": v["heating_payment"][c["heating_payment"][i]],
        "premises_kind": v["premises_kind"][c["premises_kind"][i]],
        "amenities": v["amenities"][c["amenities"][i]],
    }
    if season[i] != NO_SEASON:
        sig["heating_season"] = bool(season[i])
    if season_months[i]:
        sig["heating_season_months"] = int(season_months[i])
    state = int(msig["state"][i])
    sig["meter"] = METER_STATES[state]
    if state == 0:
        return sig
    sig["zones"] = int(msig["zones"][i])
    sig["history_months"] = int(msig["history"][i])
    sig["readings"] = "present" if msig["present"][i] else "missing"
    sig["months_without_readings"] = int(msig["mwr"][i])
    return sig


class _Slow(Exception):
    """This signature cannot take the columnar path."""


class GroupPlanner:
    """Row templates of each distinct signature of one period: the situation path's templates
    (``template.py``) of a whole month, or None when the month is not whole for them (a dated
    value changes inside it or is missing, no rule or an ambiguous one, an unknown zone
    scheme): the facts of that signature then take the situation path."""

    def __init__(self, decider: Decider, period: Period, specs: list[ServiceSpec | None]):
        self.decider, self.period, self.specs = decider, period, specs
        self.first, self.last = period.first_day, period.last_day

    def plan(self, sig: Signature, service: int, zones: tuple[str, ...], derived: bool,
             account: str) -> list[RowTemplate] | None:
        """Templates of the signature, or None when its facts must take the slow path."""
        spec = self.specs[service]
        if spec is None:
            return None
        try:
            if derived:
                rules = derived_rules(self.decider, sig, spec, account)
                return [self._template(rules, DERIVED, spec, spec.components[0], None, 0)]
            decision = self.decider.method(sig, account)
            method = method_named(decision.method, decision.rule.id, account, spec.code)
            if method.second_pass or decision.correction_month == self.period.month:
                return None  # a house's second pass; the annual correction (ф. 3(2))
            return [self._template(decide_rules(self.decider, sig, spec, method, decision, comp,
                                                zone, account),
                                   method, spec, comp, zone, zone_position(zone, zones))
                    for comp in spec.components
                    for zone in zones_of(spec, method, zones, account)]
        except (CalculationError, _Slow):
            return None

    def _template(self, rules: Rules, method: Method, spec: ServiceSpec, comp: ComponentSpec,
                  zone: str | None, pos: int) -> RowTemplate:
        if any(v.change_dates(self.first, self.last) for v in rules.dated()):
            raise _Slow
        return make_template(rules, method, spec, comp, zone, pos, self._value)

    def _value(self, values: DatedValues, what: str, rule_id: str, *, places: int = 6) -> int:
        """The value in force on the first day (none: the situation path names the error)."""
        v = values.at(self.first)
        if v is None:
            raise _Slow
        return to_fixed(v, places)


__all__ = ["EPOCH", "HISTORY", "NO_READING", "ColumnarResult", "FactColumns", "GroupPlanner",
           "calculate_columns", "day_number", "meter_signature"]
