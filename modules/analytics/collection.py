"""Collection analytics: charged against paid by month, the collection rate, and the open debt
by age, for the whole base and by house, provider, service or management company.

The figures are the turnover sheet's (``finance.balances``), summed over months and groups
in three set-based statements (``CollectionRepository``):

* **charged** — every ledger line booked in the month (all kinds, penalties included);
* **paid** — the payments' parts booked in the month that paid bills (advances apart: they
  are owed to no provider yet, so no group can claim them); **posted** — the payments posted
  in the month (stornos subtract), for the whole base only: posted = paid + the advances'
  change;
* **collection rate** — paid ÷ charged, in per mille, rounded half up (None when nothing was
  charged);
* **debt by age** — what is still owed for the bills of closed months (penalties apart): per
  bill month and group, the bill's lines less the principal paid for them, aged in days past
  the bill's due date on a day (the penalty rules' due date and the buckets of
  ``balances.AGE_BUCKETS``, as the debtors report). Unlike the debtors report, which counts
  only accounts that owe, a credit (a bill month that nets below zero, after a negative
  recalculation) offsets the group's debt of the same month: the figures are the turnover
  sheet's, which is what makes them additive over any grouping.

Every group's figures sum to the total's, to the kopeck, whichever grouping is asked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhkh.kernel.penalties import PenaltyPolicy
from zhkh.kernel.period import Period
from zhkh.modules.analytics.repository import (
    CELL_INDEX,
    GROUPINGS,
    CollectionRepository,
    Grouping,
    Sums,
)
from zhkh.modules.finance.balances import AGE_BUCKETS, bucket_of
from zhkh.modules.finance.sheets import group_names

GROUP_TITLES: Mapping[Grouping, str] = {"house": "Дом", "provider": "Поставщик",
                                        "service": "Услуга", "company": "Управляющая организация"}
"""The Russian name of each grouping (a column title)."""


def rate_permille(paid: int, charged: int) -> int | None:
    """``paid ÷ charged`` in per mille rounded half up; None when nothing (or less than
    nothing) was charged."""
    if charged <= 0:
        return None
    return (paid * 1000 * 2 + charged) // (charged * 2)


def age_labels() -> list[str]:
    """The labels of the age buckets: ``0–30``, ``31–90``, …, ``>365`` (days)."""
    return [f"{low}–{high}" if high is not None else f">{low - 1}" for low, high in AGE_BUCKETS]


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One month of the whole base (kopecks)."""

    period: str
    charged: int
    paid: int
    posted: int

    @property
    def rate(self) -> int | None:
        """Collection rate of the month, ‰ (see :func:`rate_permille`)."""
        return rate_permille(self.paid, self.charged)


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """One group over the months of the report (kopecks): charged, paid, and its open debt by
    age bucket on the report's day."""

    key: str | None
    name: str
    charged: int
    paid: int
    debt: tuple[int, ...]

    @property
    def rate(self) -> int | None:
        """Collection rate over the report's months, ‰."""
        return rate_permille(self.paid, self.charged)

    @property
    def debt_total(self) -> int:
        return sum(self.debt)


@dataclass(frozen=True, slots=True)
class Collection:
    """The whole report: months oldest first, groups by name, the total of the groups."""

    by: Grouping
    since: str | None
    until: str | None
    on: date
    months: list[MonthFigures]
    groups: list[GroupFigures]
    total: GroupFigures


def project(sums: Sums, by: Grouping) -> Sums:
    """``sums`` by (month, group of ``by``) instead of (month, cell)."""
    index = CELL_INDEX[by]
    out = Sums(posted=dict(sums.posted))
    for name in ("charged", "penalties", "paid", "principal"):
        target: dict[tuple[str, Any], int] = getattr(out, name)
        for (period, cell), amount in getattr(sums, name).items():
            key = (period, cell[index])
            target[key] = target.get(key, 0) + amount
    return out


class CollectionCache:
    """The sums of closed months, kept in memory between reports.

    Rows booked in a closed month never change: the database refuses new ledger lines there
    (migration triggers), and payments and their parts are booked only in the open month.
    So the sums of the closed months are read once per (data scope, set of closed months),
    by cell (house, company, service, provider), and projected once per grouping; only the
    open months are read live. Closing a month changes the set and so reads everything
    again. One per process (the API and the web pages share the app's); safe across threads;
    at most ``size`` entries, the least recently used dropped."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Sums] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: Hashable) -> Sums | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def _put(self, key: Hashable, sums: Sums) -> None:
        with self._lock:
            self._items[key] = sums
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def closed(self, session: Session, closed: Sequence[str], by: Grouping) -> Sums:
        """The sums of the months ``closed`` by (month, group of ``by``), read now if not
        kept."""
        try:
            cells: Hashable = (frozenset(session.info.items()), tuple(closed))
            hash(cells)
        except TypeError:  # something unhashable in the session's info: do not guess
            return project(CollectionRepository(session).sums(closed), by)
        projected = self._get((cells, by))
        if projected is not None:
            return projected
        sums = self._get(cells)
        if sums is None:
            sums = CollectionRepository(session).sums(closed)
            self._put(cells, sums)
        projected = project(sums, by)
        self._put((cells, by), projected)
        return projected


def collection(session: Session, policy: PenaltyPolicy, *, by: Grouping = "house",
               since: str | None = None, until: str | None = None, on: date | None = None,
               service_titles: Mapping[str, str] | None = None,
               cache: CollectionCache | None = None) -> Collection:
    """Charged, paid and the collection rate per booked month in ``[since, until]`` (every
    month when not given), and per group of ``by`` over those months with its debt by age on
    ``on`` (today by default; the debt is what is owed now, whatever the months). ``since`` and
    ``until`` are ``YYYY-MM`` (``ValueError`` otherwise). Group names: a house's address, a
    provider's or company's name, a service's title from ``service_titles``. With a ``cache``
    the closed months are summed once (see :class:`CollectionCache`); the figures are the
    same to the kopeck."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    since = str(Period.parse(since)) if since else None
    until = str(Period.parse(until)) if until else None
    day = on or date.today()
    repo = CollectionRepository(session)
    closed, open_ = repo.periods()
    past = cache.closed(session, closed, by) if cache else project(repo.sums(closed), by)
    sums = past.plus(project(repo.sums(open_), by))
    closed_set = set(closed)

    def wanted(period: str) -> bool:
        return (since is None or period >= since) and (until is None or period <= until)

    def keep(source: Mapping[tuple[str, Any], int], test: Callable[[str], bool]
             ) -> dict[tuple[str, Any], int]:
        return {k: v for k, v in source.items() if test(k[0])}

    owed = _summed(keep(sums.charged, closed_set.__contains__),
                   {k: -v for k, v in sums.principal.items()})
    debt = _aged(owed.items(), policy, day)
    charged = _summed(keep(sums.charged, wanted), keep(sums.penalties, wanted))
    paid = keep(sums.paid, wanted)
    months = _months(charged, paid, {p: v for p, v in sums.posted.items() if wanted(p)})
    keys = {g for _, g in charged} | {g for _, g in paid} | set(debt)
    names = _names(session, by, keys, service_titles or {})
    empty = (0,) * len(AGE_BUCKETS)
    per_charged, per_paid = _per_group(charged), _per_group(paid)
    groups = [GroupFigures(None if g is None else str(g), names.get(str(g), _unknown(by, g)),
                           per_charged.get(g, 0), per_paid.get(g, 0), debt.get(g, empty))
              for g in keys]
    groups.sort(key=lambda g: (g.key is None, g.name, g.key or ""))
    total = GroupFigures(None, "Итого", sum(g.charged for g in groups),
                         sum(g.paid for g in groups),
                         tuple(sum(g.debt[i] for g in groups) for i in range(len(AGE_BUCKETS))))
    return Collection(by, since, until, day, months, groups, total)


def _months(charged: Mapping[tuple[str, object], int], paid: Mapping[tuple[str, object], int],
            posted: Mapping[str, int]) -> list[MonthFigures]:
    by_month: dict[str, list[int]] = {}
    for source, index in ((charged, 0), (paid, 1)):
        for (period, _), amount in source.items():
            by_month.setdefault(period, [0, 0])[index] += amount
    for period in posted:
        by_month.setdefault(period, [0, 0])
    return [MonthFigures(p, c, v, posted.get(p, 0)) for p, (c, v) in sorted(by_month.items())]


def _summed(*parts: Mapping[tuple[str, object], int]) -> dict[tuple[str, object], int]:
    out: dict[tuple[str, object], int] = {}
    for part in parts:
        for key, value in part.items():
            out[key] = out.get(key, 0) + value
    return out


def _per_group(sums: Mapping[tuple[str, object], int]) -> dict[object, int]:
    out: dict[object, int] = {}
    for (_, group), value in sums.items():
        out[group] = out.get(group, 0) + value
    return out


def _aged(rows: Iterable[tuple[tuple[str, object], int]], policy: PenaltyPolicy, on: date
          ) -> dict[object, tuple[int, ...]]:
    """(bill month, group) → owed  ⇒  group → owed by age bucket on ``on``."""
    due = {}
    out: dict[object, list[int]] = {}
    for (period, group), amount in rows:
        if period not in due:
            due[period] = policy.due_date(Period.parse(period))
        out.setdefault(group, [0] * len(AGE_BUCKETS))[bucket_of((on - due[period]).days)] \
            += amount
    return {g: tuple(v) for g, v in out.items()}


def _names(session: Session, by: Grouping, keys: Iterable[object],
           service_titles: Mapping[str, str]) -> dict[str, str]:
    wanted = [str(k) for k in keys if k is not None]
    if by == "service":
        return {k: service_titles.get(k, k) for k in wanted}
    return group_names(session, by, wanted)


def _unknown(by: Grouping, key: object) -> str:
    if key is None:
        return "без управляющей организации" if by == "company" else "—"
    return f"№ {key}"


__all__ = ["GROUP_TITLES", "Collection", "CollectionCache", "GroupFigures", "MonthFigures",
           "age_labels", "collection", "rate_permille"]
