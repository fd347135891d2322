"""Columnar calculation of many simple account × service facts at once (the run's fast path).

Pure: numpy arrays in, arrays out. Gives, for every fact it accepts, exactly the lines
:func:`~zhkh.kernel.calc.calculate.calculate` gives (volumes, amounts, excess, method, rule ids,
tariff, coefficient, explain, days). "Simple" means constant through the month but for the
number of residents: the caller routes accounts with a meter or a contract changing inside the
month, more than one meter per service, benefits, absences or incidents to the per-situation
path. Residents changing inside the month come as runs of days (``FactColumns.p_*``): a norm
row of such a fact is cut into one row per run with its share of the month, as
``plan.ServicePlanner`` cuts it; rows of other methods do not depend on residents and stay
whole. What this module
finds it cannot reproduce exactly (a dated value changing inside the month, a fact no rule
covers, a kernel refusal, missing readings or house data …) marks the account in
``ColumnarResult.slow``; the caller calculates those accounts on the per-situation path, which
also gives their errors.

Signatures are built as integer columns, packed into one int64 key, factorized with
``np.unique``; the engine is asked once per distinct key (and per component/zone), each distinct
key gets row templates (the decision table), a/b/c are filled per row from columns and the
kernel runs once per pass (derived services — wastewater — in a second pass).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from zhkh.kernel.calc.catalog import Catalog, ServiceSpec
from zhkh.kernel.calc.columnar_plan import GroupPlanner, RowTemplate
from zhkh.kernel.calc.decide import Decider
from zhkh.kernel.calc.fact_rules import heating_season
from zhkh.kernel.charges import OK, compute_arrays
from zhkh.kernel.engine import Engine
from zhkh.kernel.money import MICRO
from zhkh.kernel.period import Period
from zhkh.kernel.rulebook import Rulebook

STRING_ATTRS = ("service", "provider", "house_type", "heating_payment", "premises_kind",
                "amenities")
FLAG_ATTRS = ("meter_installable", "house_heat_meter")
NO_SEASON = 2
"""``heating_season`` column value of a house the rules give no calendar for."""
METER_STATES = ("absent", "working", "failed", "expired")
HISTORY = 12
NO_READING = 13
"""``last_back`` of a fact without any reading in the window (months_without_readings caps)."""
EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the day numbers of :class:`FactColumns`)."""
    return (day - EPOCH).days


@dataclass(slots=True)
class FactColumns:
    """One row per account × service of simple accounts (F), one per meter zone (Z).

    String attributes are codes into ``vocab[attr]``; numbers are fixed point 1e-6; -1 means
    "none" in ``house_volume``, ``z_prev``, ``z_cur``, ``z_hist``. ``persons`` is the number of
    residents on every day of the month (owners when nobody is registered), except for the
    facts listed in ``p_fact``: their residents change inside the month, and the P rows give
    the count per run of days (ordered by fact, then day, covering the month).
    """

    period: Period
    account: np.ndarray  # int64: the caller's account key (database id)
    codes: dict[str, np.ndarray]  # STRING_ATTRS → int32 codes
    vocab: dict[str, list[str]]
    flags: dict[str, np.ndarray]  # FLAG_ATTRS → bool (+ "heating_season" to state it)
    refusals: np.ndarray  # int32
    area: np.ndarray  # int64
    persons: np.ndarray  # int64
    house_total: np.ndarray  # int64, 0 = unknown
    house_volume: np.ndarray  # int64, -1 = unknown
    has_meter: np.ndarray  # bool
    verified: np.ndarray  # int64 day number of verified_until (large when none)
    capacity: np.ndarray  # int64, 0 = no rollover
    last_back: np.ndarray  # int64 months from the latest loaded reading month to the period
    zoneset: np.ndarray  # int32 code into zonesets
    zonesets: list[tuple[str, ...]]
    z_fact: np.ndarray  # int32
    z_pos: np.ndarray  # int32 position of the zone in the meter's zones
    z_prev: np.ndarray  # int64
    z_cur: np.ndarray  # int64
    z_hist: np.ndarray  # int64 (Z, 12): monthly volumes, most recent first, -1 = none
    p_fact: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # int32
    p_first: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # day of month
    p_last: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # inclusive
    p_persons: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def size(self) -> int:
        return len(self.account)


@dataclass(slots=True)
class ColumnarResult:
    """Lines of the accepted facts (columns, one entry per line) and the accounts to reroute."""

    templates: list[RowTemplate]
    fact: np.ndarray  # int32 fact index of each line
    template: np.ndarray  # int32 template of each line
    volume: np.ndarray
    amount: np.ndarray
    plain: np.ndarray
    persons: np.ndarray  # int64 (norm lines; else 0)
    day_from: np.ndarray  # int32 first day of the month the line covers (1-based)
    day_to: np.ndarray  # int32 last day it covers (inclusive)
    explain: list[str]
    slow: np.ndarray  # int64 account keys to calculate on the per-situation path
    timings: dict[str, float] = field(default_factory=dict)


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
    from zhkh.kernel.calc.columnar_rows import RowBuilder  # rows need this module's types

    catalog = Catalog(rulebook)
    specs: list[ServiceSpec | None] = [
        catalog._specs.get(code) for code in cols.vocab["service"]]
    is_derived = np.array([bool(s and s.derived_from) for s in specs] or [False])
    derived = is_derived[cols.codes["service"]] if cols.size else np.zeros(0, bool)
    msig = meter_signature(cols, derived)
    refusals = np.minimum(cols.refusals, 1000).astype(np.int64)
    season = season_column(cols, rulebook)
    key = _pack([*(cols.codes[a].astype(np.int64) for a in STRING_ATTRS),
                 *(cols.flags[a].astype(np.int64) for a in FLAG_ATTRS), season, refusals,
                 msig["state"], msig["zones"], msig["history"], msig["present"], msig["mwr"],
                 np.where(msig["state"] > 0, cols.zoneset, 0).astype(np.int64),
                 derived.astype(np.int64)])
    _keys, first_row, inverse = np.unique(key, return_index=True, return_inverse=True)
    planner = GroupPlanner(Decider(rulebook, engine), cols.period, specs)
    groups = []
    for i in first_row.tolist():
        sig = _signature(cols, msig, i, refusals, season)
        zones = cols.zonesets[cols.zoneset[i]] if msig["state"][i] > 0 else ()
        groups.append(planner.plan(sig, int(cols.codes["service"][i]), zones,
                                   bool(derived[i]), str(cols.account[i])))
    return RowBuilder(cols, groups, inverse.astype(np.int64), derived, catalog).build()


def season_column(cols: FactColumns, rulebook: Rulebook) -> np.ndarray:
    """``heating_season`` of every fact: 1 in season, 0 not, :data:`NO_SEASON` when the rules
    give the house no calendar. Asked once per distinct house (type, heat meter, payment);
    a ``heating_season`` column in ``cols.flags`` is taken as stated (as a situation may)."""
    if "heating_season" in cols.flags:
        return cols.flags["heating_season"].astype(np.int64)
    if not cols.size:
        return np.zeros(0, dtype=np.int64)
    house = [cols.codes["house_type"].astype(np.int64),
             cols.flags["house_heat_meter"].astype(np.int64),
             cols.codes["heating_payment"].astype(np.int64)]
    _keys, first, inverse = np.unique(_pack(house), return_index=True, return_inverse=True)
    values = []
    for i in first.tolist():
        season = heating_season(
            rulebook, cols.period,
            house_type=cols.vocab["house_type"][cols.codes["house_type"][i]],
            heat_meter=bool(cols.flags["house_heat_meter"][i]),
            heating_payment=cols.vocab["heating_payment"][cols.codes["heating_payment"][i]])
        values.append(NO_SEASON if season is None else int(season))
    return np.array(values, dtype=np.int64)[inverse.reshape(-1)]


def _signature(cols: FactColumns, msig: dict[str, np.ndarray], i: int,
               refusals: np.ndarray, season: np.ndarray) -> dict[str, str | int | bool]:
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
    state = int(msig["state"][i])
    sig["meter"] = METER_STATES[state]
    if state == 0:
        return sig
    sig["zones"] = int(msig["zones"][i])
    sig["history_months"] = int(msig["history"][i])
    sig["readings"] = "present" if msig["present"][i] else "missing"
    sig["months_without_readings"] = int(msig["mwr"][i])
    return sig


def run_kernel(method: np.ndarray, factor: np.ndarray, price: np.ndarray, coef: np.ndarray,
               dec: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
               share_num: np.ndarray | None = None, share_den: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The compiled kernel over the rows (whole-month rows when no share is given); returns
    volume, amount, plain, ok mask."""
    n = len(dec)
    ones = np.ones(n, dtype=np.int32)
    num = ones if share_num is None else share_num.astype(np.int32)
    den = ones if share_den is None else share_den.astype(np.int32)
    out = compute_arrays(dec.astype(np.int32), a.astype(np.int64), b.astype(np.int64),
                         c.astype(np.int64), num, den, method.astype(np.int8),
                         factor.astype(np.int64), price.astype(np.int64),
                         coef.astype(np.int64))
    return out.volume, out.amount, out.plain, out.status == OK


__all__ = ["MICRO", "ColumnarResult", "FactColumns", "calculate_columns", "day_number",
           "meter_signature", "run_kernel"]
