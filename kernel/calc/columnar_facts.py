"""The monthly run's inputs and outputs: facts of many simple accounts as columns, lines as columns.

``FactColumns`` is what the billing module reads from the database for a batch of houses
(``modules/billing/columns.py``); ``ColumnarResult`` is what ``columnar.calculate_columns``
gives back (``modules/billing/fast_batch.py`` writes it to the ledger).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from zhkh.kernel.calc.methods.base import HISTORY
from zhkh.kernel.calc.template import RowTemplate
from zhkh.kernel.period import Period

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
    persons: np.ndarray  # int64 residents of lines cut by residents (norm); else 0
    day_from: np.ndarray  # int32 first day of the month the line covers (1-based)
    day_to: np.ndarray  # int32 last day it covers (inclusive)
    explain: list[str]
    slow: np.ndarray  # int64 account keys to calculate on the per-situation path
    timings: dict[str, float] = field(default_factory=dict)


__all__ = ["EPOCH", "HISTORY", "NO_READING", "ColumnarResult", "FactColumns", "day_number"]
