"""Residents per day of many premises at once, as runs of equal count (columnar path).

The numpy twin of :func:`~zhkh.kernel.calc.observations.persons_segments`: a registration
counts from its first to its last day inclusive, a day nobody is registered counts the
owners, and consecutive days of equal count form one run. ``test_columnar_persons`` holds the
two equal on generated registrations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class PersonsRuns:
    """Runs of equal count of every holder, ordered by holder then day.

    ``first`` and ``last`` are days of the month (1-based, ``last`` inclusive); every holder
    has at least one run and its runs cover the month.
    """

    holder: np.ndarray  # int64 index of the holder (0 … n-1)
    first: np.ndarray  # int32
    last: np.ndarray  # int32
    persons: np.ndarray  # int64


def persons_runs(first_day: int, days: int, holder: np.ndarray, start: np.ndarray,
                 end: np.ndarray, owners: np.ndarray) -> PersonsRuns:
    """Runs of residents per day of ``len(owners)`` holders over a month of ``days`` days
    beginning on day number ``first_day``.

    Registration ``i`` belongs to holder ``holder[i]`` and runs from day number ``start[i]``
    to ``end[i]`` inclusive (a large number for an open end); a registration ending before it
    starts counts on no day. Guarantee: the runs equal ``persons_segments`` of each holder.
    """
    n = len(owners)
    lo = np.clip(np.asarray(start, np.int64) - first_day, 0, days)
    hi = np.clip(np.asarray(end, np.int64) - first_day + 1, 0, days)
    valid = lo < hi
    holder = np.asarray(holder, np.int64)
    diff = np.zeros((n, days + 1), dtype=np.int64)
    np.add.at(diff, (holder[valid], lo[valid]), 1)
    np.add.at(diff, (holder[valid], hi[valid]), -1)
    count = np.cumsum(diff[:, :days], axis=1)
    count = np.where(count > 0, count, np.asarray(owners, np.int64)[:, None])
    new = np.ones((n, days), dtype=bool)
    new[:, 1:] = count[:, 1:] != count[:, :-1]
    h, d = np.nonzero(new)  # row-major: by holder, then by day
    same_holder = np.zeros(len(h), dtype=bool)
    same_holder[:-1] = h[1:] == h[:-1]
    next_start = np.empty(len(d), dtype=np.int64)
    next_start[:-1] = d[1:]
    next_start[-1:] = days
    last = np.where(same_holder, next_start - 1, days - 1)
    return PersonsRuns(holder=h.astype(np.int64), first=(d + 1).astype(np.int32),
                       last=(last + 1).astype(np.int32), persons=count[h, d])


def spread(runs: PersonsRuns, holder_of: np.ndarray, holders: int) -> PersonsRuns:
    """The runs of each item's holder, item after item, as runs held by the items: item ``i``
    belongs to holder ``holder_of[i]`` (0 … ``holders``-1); a holder without runs gives its
    items none."""
    holder_of = np.asarray(holder_of, np.int64)
    count = np.bincount(runs.holder, minlength=holders)
    start = np.cumsum(count) - count
    per = count[holder_of]
    item = np.repeat(np.arange(len(per)), per)
    within = np.arange(len(item)) - np.repeat(np.cumsum(per) - per, per)
    r = np.repeat(start[holder_of], per) + within
    return PersonsRuns(holder=item.astype(np.int64), first=runs.first[r], last=runs.last[r],
                       persons=runs.persons[r])
