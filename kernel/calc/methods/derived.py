"""``derived``: a service whose volume is the sum of other services' volumes of the same account
(wastewater = cold + hot water, ПП РФ №354, п. 42), calculated in a second pass.

The first pass gives the volumes; :func:`source_parts` gathers, for each second-pass row, the
volume of each of its sources (the sum of that source's volume rows of the row's owner — the
account here; a house for a method sharing a house volume). Both paths call it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zhkh.kernel.calc.methods.base import (
    PARTS,
    UNKNOWN,
    Constants,
    Inputs,
    Method,
    Pattern,
    Rows,
)
from zhkh.kernel.charges import QUANTITY
from zhkh.kernel.money import MICRO


class Derived(Method):
    name = "derived"
    kernel = QUANTITY
    second_pass = True

    def inputs(self, rows: Rows) -> Inputs:
        parts = rows["parts"]
        a = np.where(parts != UNKNOWN, parts, 0).sum(axis=1).astype(np.int64)
        zeros = rows.zeros()
        return Inputs(a, zeros, zeros)

    def variants(self, columns: Sequence[np.ndarray], rows: np.ndarray) -> np.ndarray:
        """The number of sources the row has a volume of."""
        count = np.zeros(len(rows), dtype=np.int64)
        for col in columns[PARTS:]:
            count += col[rows] != UNKNOWN
        return count

    def base(self, t: Constants, unit: str, variant: int) -> Pattern:
        pieces: Pattern = [("const", "(")]
        for i in range(variant):
            if i:
                pieces.append(("const", " + "))
            pieces.append(("num", PARTS + i))
        pieces.append(("const", f") {unit}"))
        return pieces


def counts_as_volume(factor: int, component: str | None, volume_component: str | None) -> bool:
    """Whether a first-pass row's volume is volume of its service: a row with a factor (area ×
    norm, hot water's heat) or of another component is not water or energy delivered."""
    return factor == MICRO and component in (None, volume_component)


def source_parts(owner: np.ndarray, service: np.ndarray, volume: np.ndarray,
                 counted: np.ndarray, d_owner: np.ndarray, d_sources: np.ndarray,
                 sources: Sequence[tuple[int, ...]]) -> np.ndarray:
    """The source volumes of each second-pass row, compacted left, UNKNOWN after the last.

    First-pass row i belongs to ``owner[i]`` (a small non-negative integer), is of service code
    ``service[i]`` with ``volume[i]``, and counts when ``counted[i]``; second-pass row j belongs
    to ``d_owner[j]`` and reads the services ``sources[d_sources[j]]``, in order. A source
    counts for the row when its owner has at least one counted row of it: its part is their
    sum.
    """
    n = len(d_owner)
    used = np.flatnonzero(np.bincount(d_sources)).tolist() if n else []
    width = max((len(sources[g]) for g in used), default=0)
    parts = np.full((n, width), UNKNOWN, dtype=np.int64)
    if not n or not width:
        return parts
    owners = int(max(owner.max(initial=0), d_owner.max(initial=0))) + 1
    for g in used:
        rows = np.flatnonzero(d_sources == g)
        found = np.zeros(len(rows), dtype=np.int64)
        for code in sources[g]:
            mine = counted & (service == code)
            sums = np.zeros(owners, dtype=np.int64)
            np.add.at(sums, owner[mine], volume[mine])
            seen = np.bincount(owner[mine], minlength=owners) > 0
            hit = seen[d_owner[rows]]
            parts[rows[hit], found[hit]] = sums[d_owner[rows[hit]]]
            found += hit
    return parts


__all__ = ["Derived", "counts_as_volume", "source_parts"]
