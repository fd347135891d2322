"""The penalty phase over arrays: what :mod:`penalties` defines, computed for many accounts at
once.

The inputs are read with three grouped queries into numpy columns (no object per row), the
compiled penalty kernel runs over every open bill of every account in one call, the split of
each amount over the providers (largest remainder) is done over arrays, the explain texts are
written by the compiled text joiner (``kernel.formatting.join_texts``) one pattern per kind of
text, and the lines go to the ledger with COPY on PostgreSQL (multi-row INSERTs on SQLite).
Python runs per row only for the rare bills whose payments include a negative day (a storno)
and for the correction texts of accounts whose past changed.

Keys are ``account × K + bill month index`` (``K`` above any month index); arrays of keys are
kept sorted, which is the order of (account, bill month) the lines are written in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import (
    Integer,
    String,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from zhkh.kernel.formatting import join_texts
from zhkh.kernel.money import format_rub_ru
from zhkh.kernel.penalties import PenaltyBatch, PenaltyPolicy, compute_penalties_batch
from zhkh.kernel.period import Period
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.billing.repository import LEDGER_COLUMNS, LedgerRow
from zhkh.modules.db.bulk import copy_escape, copy_text, insert_rows
from zhkh.modules.db.copy_rows import Int, Pick, Text, copy_rows
from zhkh.modules.db.repository import among_param
from zhkh.modules.finance.allocating import PENALTY_SERVICE
from zhkh.modules.finance.models import Allocation, PenaltyFinal

PENALTY = literal_column(f"'{PENALTY_SERVICE}'", String)
"""The penalty service written into the SQL, not bound: PostgreSQL's generic plan of a
prepared statement (psycopg prepares one run five times) can use the partial indexes
``… WHERE service = 'penalty'`` only when the value is in the text; with a parameter it fell
back to the BRIN of ``period_booked`` per account (the phase's delete took minutes)."""

K = 1_000_000
"""Key = account × K + month index (month indexes are year × 12 + month − 1 < K)."""

I64 = np.int64


def unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of ``values``, sorted (``np.unique`` of numpy 2 hashes integer
    arrays first: 170 ms for 300,000 keys where a sort takes 10)."""
    ordered = np.sort(values)
    if not ordered.size:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def member(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in ``table`` (sorted, distinct): ``np.isin`` by binary
    search (``np.isin`` makes ``values`` distinct first, by the slow hashing of ``np.unique``)."""
    if not table.size or not values.size:
        return np.zeros(values.size, bool)
    return table[np.minimum(np.searchsorted(table, values), table.size - 1)] == values


def month_of(text: str) -> int:
    """``"2026-03"`` → its month index."""
    return int(text[:4]) * 12 + int(text[5:7]) - 1


def month_text(index: int) -> str:
    """A month index → ``"YYYY-MM"``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(slots=True)
class Columns:
    """The penalty inputs of some accounts as arrays: charges per (key, provider) sorted by
    key then provider; principal paid per (key, day) sorted by key then day; penalties booked
    per key before the open month (sorted); the accounts whose past changed."""

    c_key: np.ndarray
    c_provider: np.ndarray
    c_amount: np.ndarray
    p_key: np.ndarray
    p_day: np.ndarray
    p_amount: np.ndarray
    b_key: np.ndarray
    b_amount: np.ndarray
    changed: set[int]


def _month_sql(column: Any) -> Any:
    """SQL: the month index of a ``YYYY-MM`` column (the same on SQLite and PostgreSQL)."""
    return (cast(func.substr(column, 1, 4), Integer) * 12
            + cast(func.substr(column, 6, 2), Integer) - 1)


def _key_sql(account: Any, period: Any) -> Any:
    return account * K + _month_sql(period)


def _ordinal_sql(column: Any, dialect: str) -> Any:
    """SQL: ``date.toordinal()`` of a date column."""
    if dialect == "sqlite":
        return cast(func.julianday(column) - 1721424.5, Integer)
    return column - literal_column("DATE '0001-01-01'") + 1


def _fetch(conn: Any, stmt: Any, width: int, params: dict[str, Any]) -> np.ndarray:
    """The integer rows of ``stmt`` as an ``(n, width)`` int64 array: executed as usual (its
    compiled form cached), fetched from the driver's cursor (no result row objects)."""
    result = conn.execute(stmt, params)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return np.zeros((0, width), I64)
    return np.array(rows, dtype=I64).reshape(len(rows), width)


def horizon_of(month: Any) -> Any:
    """SQL: the final month in force for a run in ``month`` of the joined ``penalty_finals``
    row (NULL: none) — its ``final_before`` when computed in an earlier month, its
    ``prior_before`` when computed in ``month`` itself (the month's lines are being replaced)."""
    return case((PenaltyFinal.as_of < month, PenaltyFinal.final_before),
                (PenaltyFinal.as_of == month, PenaltyFinal.prior_before), else_=None)


@lru_cache(maxsize=8)
def _reads(dialect: str, finals: bool) -> tuple[Any, Any, Any]:
    """The three grouped reads (charges, principal paid, penalties booked), parameters
    ``ids``, ``key`` (the open month) and, with ``finals``, ``version``."""
    key = bindparam("key", type_=String)

    def open_bills(stmt: Any, account: Any, bill: Any) -> Any:
        if not finals:
            return stmt
        horizon = horizon_of(key)
        return stmt.outerjoin(PenaltyFinal, (PenaltyFinal.account_id == account)
                              & (PenaltyFinal.version == bindparam("version", type_=String))
                              ).where(horizon.is_(None) | (bill >= horizon))

    charges = open_bills(
        select(_key_sql(LedgerLine.account_id, LedgerLine.period_booked), LedgerLine.provider_id,
               func.sum(LedgerLine.amount_kopecks))
        .where(among_param(LedgerLine.account_id, dialect),
               LedgerLine.service != PENALTY, LedgerLine.period_booked < key),
        LedgerLine.account_id, LedgerLine.period_booked).group_by(
        LedgerLine.account_id, LedgerLine.period_booked, LedgerLine.provider_id)
    paid = open_bills(
        select(_key_sql(Allocation.account_id, Allocation.bill_period),
               _ordinal_sql(Allocation.paid_on, dialect), func.sum(Allocation.amount_kopecks))
        .where(among_param(Allocation.account_id, dialect), Allocation.kind == "principal",
               Allocation.bill_period < key),
        Allocation.account_id, Allocation.bill_period).group_by(
        Allocation.account_id, Allocation.bill_period, Allocation.paid_on)
    booked = open_bills(
        select(_key_sql(LedgerLine.account_id, LedgerLine.component),
               func.sum(LedgerLine.amount_kopecks))
        .where(among_param(LedgerLine.account_id, dialect),
               LedgerLine.service == PENALTY, LedgerLine.period_booked < key),
        LedgerLine.account_id, LedgerLine.component).group_by(
        LedgerLine.account_id, LedgerLine.component)
    return charges, paid, booked


def read_columns(session: Session, account_ids: Sequence[int], month: Period, *,
                 finals_version: str | None, changed: set[int]) -> Columns:
    """The inputs of ``account_ids`` (bills before ``month``), as :mod:`penalties` defines
    them, in columns; keys, month indexes and day ordinals are computed by the database.
    ``finals_version``: leave out the bills below each account's final month of that rules
    version (``penalty_finals``)."""
    conn = session.connection()
    charges, paid, booked = _reads(conn.dialect.name, finals_version is not None)
    params: dict[str, Any] = {"ids": list(account_ids), "key": str(month)}
    if finals_version is not None:
        params["version"] = finals_version
    c = _fetch(conn, charges, 3, params)
    order = np.lexsort((c[:, 1], c[:, 0]))
    p = _fetch(conn, paid, 3, params)  # bill < key: never NULL
    p_order = np.lexsort((p[:, 1], p[:, 0]))
    b = _fetch(conn, booked, 2, params)  # a penalty line names its bill in its component
    b_order = np.argsort(b[:, 0], kind="stable")
    return Columns(c[order, 0], c[order, 1], c[order, 2], p[p_order, 0], p[p_order, 1],
                   p[p_order, 2], b[b_order, 0], b[b_order, 1], changed)


def _starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Index of the first row of each run of equal keys."""
    if not sorted_keys.size:
        return np.zeros(0, I64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def net_days(days: dict[date, int]) -> list[tuple[date, int]]:
    """Net principal paid per day as positive parts: a day with a negative net (a storno, an
    overpaid part returned) takes back the latest earlier parts."""
    dates: list[date] = []
    amounts: list[int] = []
    for day in sorted(days):
        amount = days[day]
        if amount > 0:
            dates.append(day)
            amounts.append(amount)
            continue
        take = -amount
        while take and amounts:
            x = min(take, amounts[-1])
            amounts[-1] -= x
            take -= x
            if not amounts[-1]:
                dates.pop()
                amounts.pop()
    return list(zip(dates, amounts, strict=True))


def correction_text(bill: str, booked: int, earlier: int, source: str) -> str:
    """The explain of a correction of a closed month's penalty of ``bill``."""
    return (f"Перерасчёт пеней по счёту за {bill}: было начислено "
            f"{format_rub_ru(booked)}, с учётом оплат, учтённых позже, и сторно должно быть "
            f"{format_rub_ru(earlier)} ({source})")


@dataclass(slots=True)
class Net:
    """Net principal paid per (key, day) as positive parts (a negative day takes back the
    latest earlier parts), sorted by key then day."""

    key: np.ndarray
    day: np.ndarray
    amount: np.ndarray


def net_payments(cols: Columns) -> Net:
    """:func:`net_days` for every key: keys without a negative day pass as read;
    the others are netted one by one."""
    negative = unique(cols.p_key[cols.p_amount <= 0])
    if not negative.size:
        return Net(cols.p_key, cols.p_day, cols.p_amount)
    bad = member(cols.p_key, negative)
    keys, days, amounts = [cols.p_key[~bad]], [cols.p_day[~bad]], [cols.p_amount[~bad]]
    sel = np.flatnonzero(bad)
    k_, d_, a_ = cols.p_key[sel].tolist(), cols.p_day[sel].tolist(), cols.p_amount[sel].tolist()
    by_key: dict[int, dict[date, int]] = {}
    for k, d, a in zip(k_, d_, a_, strict=True):
        by_key.setdefault(k, {})[date.fromordinal(d)] = a
    extra = [(k, d.toordinal(), x) for k, days_ in by_key.items() for d, x in net_days(days_)]
    keys.append(np.array([e[0] for e in extra], I64))
    days.append(np.array([e[1] for e in extra], I64))
    amounts.append(np.array([e[2] for e in extra], I64))
    net_key, net_day = np.concatenate(keys), np.concatenate(days)
    order = np.lexsort((net_day, net_key))
    return Net(net_key[order], net_day[order], np.concatenate(amounts)[order])


@dataclass(slots=True)
class Debts:
    """Per key with charges: the bill's debt (sum over providers)."""

    key: np.ndarray
    debt: np.ndarray
    first: np.ndarray
    """Index of the key's first charge row in ``Columns``."""


def debts_of(cols: Columns) -> Debts:
    """Debt per key (charges summed over providers)."""
    first = _starts(cols.c_key)
    return Debts(cols.c_key[first], np.add.reduceat(cols.c_amount, first) if first.size
                 else np.zeros(0, I64), first)


@dataclass(slots=True)
class Accrual:
    """The kernel's answer for ``keys`` (those with a positive debt) on a day."""

    keys: np.ndarray
    debt: np.ndarray
    penalty: np.ndarray
    due: np.ndarray
    tier_days: np.ndarray
    denominators: tuple[int, ...]
    moratorium_days: np.ndarray


def accrue_columns(debts: Debts, net: Net, policy: PenaltyPolicy, calc_date: date,
                   wanted: np.ndarray | None = None) -> Accrual:
    """``P(B)`` on ``calc_date`` of every key with a positive debt (of ``wanted`` keys, when
    given), each bill apart with its own payments, by the compiled kernel."""
    pick = debts.debt > 0
    if wanted is not None:
        pick &= member(debts.key, unique(wanted))
    keys, debt = debts.key[pick], debts.debt[pick]
    n = keys.size
    if not n:
        z = np.zeros(0, I64)
        return Accrual(keys, debt, z, z, np.zeros((0, len(policy.denominators)), np.int32),
                       tuple(policy.denominators), z)
    calc = calc_date.toordinal()
    in_day = net.day <= calc
    pos = np.searchsorted(keys, net.key)
    found = in_day & (pos < n)
    found[found] &= keys[pos[found]] == net.key[found]
    pay_index = pos[found]
    periods = keys % K
    batch = PenaltyBatch(
        n_accounts=n, debt_account=np.arange(n, dtype=I64), debt_period=periods,
        debt_amount=debt, pay_account=pay_index.astype(I64), pay_date=net.day[found],
        pay_amount=net.amount[found], pay_period=periods[pay_index])
    result = compute_penalties_batch(batch, calc_date, policy)
    return Accrual(keys, debt, result.penalty, result.due, result.tier_days,
                   tuple(result.denominators), result.moratorium_days)


def _at(keys: np.ndarray, table_keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` of ``table_keys`` (sorted) at ``keys``; 0 where absent."""
    out = np.zeros(keys.size, I64)
    if not table_keys.size or not keys.size:
        return out
    pos = np.minimum(np.searchsorted(table_keys, keys), table_keys.size - 1)
    hit = table_keys[pos] == keys
    out[hit] = values[pos[hit]]
    return out


def final_months_columns(cols: Columns, debts: Debts, net: Net, account_ids: Sequence[int],
                         month: Period) -> dict[int, str]:
    """:func:`penalties.final_months` over arrays: per account the earliest bill with a
    positive debt not paid off by the last day of ``month``, else ``month``."""
    last = month.last_day.toordinal()
    by_day = net.day <= last
    keys = net.key[by_day]
    paid = np.zeros(debts.key.size, I64)
    if keys.size and debts.key.size:
        pos = np.minimum(np.searchsorted(debts.key, keys), debts.key.size - 1)
        hit = debts.key[pos] == keys
        np.add.at(paid, pos[hit], net.amount[by_day][hit])
    open_ = (debts.debt > 0) & (paid < debts.debt)
    out = {a: str(month) for a in account_ids}
    flagged = debts.key[open_]
    accounts = flagged // K
    first = _starts(accounts)
    for a, m in zip(accounts[first].tolist(), (flagged[first] % K).tolist(), strict=True):
        out[a] = month_text(m)
    return out


@dataclass(slots=True)
class Lines:
    """Penalty and correction lines in columns (one row per line), in the order written."""

    account: np.ndarray
    bill: np.ndarray
    provider: np.ndarray
    correction: np.ndarray
    """True: a ``recalculation`` line about the month before; False: a ``penalty`` line."""
    amount: np.ndarray
    explain: list[str]

    def __len__(self) -> int:
        return int(self.account.size)

    def tuples(self, month: Period, *, version: str, run_id: str) -> list[tuple[Any, ...]]:
        """The lines as tuples in ``LEDGER_COLUMNS`` order."""
        this, prev = str(month), str(month.shift(-1))
        bills = {b: month_text(b) for b in unique(self.bill).tolist()}
        return [(a, PENALTY_SERVICE, bills[b], None, p, prev if c else this, this,
                 "recalculation" if c else "penalty", PENALTY_SERVICE, None, None, x, version,
                 e, run_id)
                for a, b, p, c, x, e in zip(
                    self.account.tolist(), self.bill.tolist(), self.provider.tolist(),
                    self.correction.tolist(), self.amount.tolist(), self.explain, strict=True)]

    def rows(self, month: Period, *, version: str, run_id: str) -> list[LedgerRow]:
        """The lines as :class:`LedgerRow` (for callers that want rows)."""
        return [LedgerRow(*t) for t in self.tuples(month, version=version, run_id=run_id)]


def empty_lines() -> Lines:
    """No lines."""
    z = np.zeros(0, I64)
    return Lines(z, z, z, np.zeros(0, bool), z, [])


def concat_lines(*parts: Lines) -> Lines:
    """``parts`` one after another."""
    return Lines(np.concatenate([p.account for p in parts]),
                 np.concatenate([p.bill for p in parts]),
                 np.concatenate([p.provider for p in parts]),
                 np.concatenate([p.correction for p in parts]),
                 np.concatenate([p.amount for p in parts]),
                 [e for p in parts for e in p.explain])


def _penalty_texts(keys: np.ndarray, now: Accrual, start: np.ndarray, total: np.ndarray,
                   rate: object, month: Period, source: str) -> list[str]:
    """The explain of each penalty line's key: as :func:`penalties._penalty_text`, written
    by the compiled joiner one pattern per (bill, due, tiers with days, moratorium)."""
    n = keys.size
    out: list[str] = [""] * n
    if not n:
        return out
    pos = np.minimum(np.searchsorted(now.keys, keys), max(now.keys.size - 1, 0))
    accrued = (now.keys[pos] == keys) if now.keys.size else np.zeros(n, bool)
    dens = now.denominators
    ntiers = len(dens)
    tier_days = np.zeros((n, ntiers), I64)
    due = np.zeros(n, I64)
    mora = np.zeros(n, I64)
    debt = np.zeros(n, I64)
    if now.keys.size:
        tier_days[accrued] = now.tier_days[pos[accrued]]
        due[accrued] = now.due[pos[accrued]]
        mora[accrued] = now.moratorium_days[pos[accrued]]
        debt[accrued] = now.debt[pos[accrued]]
    mask = ((tier_days > 0) * (1 << np.arange(ntiers, dtype=I64))).sum(axis=1) \
        if ntiers else np.zeros(n, I64)
    shape = (((keys % K) * 100_000_000 + due) * 2 + (mora > 0)) * (1 << ntiers) * 2 \
        + mask * 2 + accrued
    columns = [debt, total, start, total - start, mora, *tier_days.T]
    rate_text = str(rate).replace(".", ",")
    last = f"{month.last_day:%d.%m.%Y}"
    for code in unique(shape).tolist():
        rows = np.flatnonzero(shape == code)
        i = int(rows[0])
        bill = month_text(int(keys[i] % K))
        if not accrued[i]:
            pattern: list[tuple[str, Any]] = [
                ("const", f"Пени по счёту за {bill}: долг погашен, пени "), ("rub", 1),
                ("const", ", начислено ранее "), ("rub", 2), ("const", f" ({source})")]
        else:
            tiers: list[tuple[str, Any]] = []
            for t in range(ntiers):
                if tier_days[i, t]:
                    if tiers:
                        tiers.append(("const", ", "))
                    tiers += [("int", 5 + t), ("const", f" дн. × 1/{dens[t]}")]
            if not tiers:
                tiers = [("const", "нет дней")]
            mora_part: list[tuple[str, Any]] = ([("const", ", мораторий "), ("int", 4),
                                                  ("const", " дн.")] if mora[i] else [])
            pattern = [("const", f"Пени по счёту за {bill} (долг "), ("rub", 0),
                       ("const", f", срок оплаты {date.fromordinal(int(due[i])):%d.%m.%Y}) "
                                 f"по {last}: "),
                       *tiers, *mora_part,
                       ("const", f", ставка {rate_text} %; всего "), ("rub", 1),
                       ("const", ", начислено ранее "), ("rub", 2),
                       ("const", ", в этом месяце "), ("rub", 3), ("const", f" ({source})")]
        texts = join_texts(pattern, [np.ascontiguousarray(c[rows]) for c in columns],
                           int(rows.size))
        for r, text in zip(rows.tolist(), texts, strict=True):
            out[r] = text
    return out


def _split(cols: Columns, debts: Debts, keys: np.ndarray, amounts: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each ``amounts[i]`` (of ``keys[i]``, sorted) split over the providers of its bill with a
    positive charge, in provider order, by the largest remainder (ties to the earlier
    provider); returns (index into ``keys``, provider, part) of the non-zero parts."""
    d = np.searchsorted(debts.key, keys)
    first = debts.first[d]
    end = np.r_[debts.first[1:], cols.c_key.size][d]
    count = end - first
    owner = np.repeat(np.arange(keys.size), count)
    row = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count) \
        + np.repeat(first, count)
    weight = cols.c_amount[row]
    keep = weight > 0
    owner, row, weight = owner[keep], row[keep], weight[keep]
    total = np.zeros(keys.size, I64)
    np.add.at(total, owner, weight)
    amount = np.abs(amounts)[owner]
    tot = total[owner]
    part = amount * weight // tot
    remainder = amount * weight % tot
    given = np.zeros(keys.size, I64)
    np.add.at(given, owner, part)
    rest = np.abs(amounts) - given
    order = np.lexsort((np.arange(owner.size), -remainder, owner))
    group_start = np.searchsorted(owner[order], owner[order], side="left")
    rank = np.empty(owner.size, I64)
    rank[order] = np.arange(owner.size) - group_start
    part = part + (rank < rest[owner])
    sign = np.where(amounts < 0, -1, 1)[owner]
    nz = part != 0
    return owner[nz], cols.c_provider[row][nz], (part * sign)[nz]


def lines_columns(cols: Columns, policy: PenaltyPolicy, month: Period) -> tuple[Lines, Net,
                                                                                  Debts]:
    """The penalty and correction lines of ``month`` (see :mod:`penalties`), with the netted
    payments and debts read (for the final months)."""
    net = net_payments(cols)
    debts = debts_of(cols)
    keys = unique(np.concatenate([debts.key, cols.b_key]))
    now = accrue_columns(debts, net, policy, month.last_day)
    prev = month.shift(-1)
    booked = _at(keys, cols.b_key, cols.b_amount)
    total = _at(keys, now.keys, now.penalty)
    start = booked.copy()
    changed_keys = np.zeros(keys.size, bool)
    if cols.changed:
        changed_keys = member(keys // K, np.array(sorted(cols.changed), I64))
    corr_keys = keys[changed_keys]
    corr_amount = np.zeros(0, I64)
    if corr_keys.size:
        before = accrue_columns(debts, net, policy, prev.last_day, corr_keys)
        earlier = _at(corr_keys, before.keys, before.penalty)
        corr_amount = earlier - booked[changed_keys]
        start[changed_keys] = earlier
    has_shares = np.zeros(keys.size, bool)
    if debts.key.size:
        # a key without a positive charge has nobody to owe its amount to
        positive = np.zeros(debts.key.size, bool)
        owners = np.searchsorted(debts.key, cols.c_key[cols.c_amount > 0])
        positive[owners] = True
        has_shares = _at(keys, debts.key, positive.astype(I64)).astype(bool)
    rate = policy.effective_rate(month.last_day, month.last_day)
    # corrections (rare): one Python text each
    c_pick = (corr_amount != 0) & has_shares[changed_keys]
    c_keys, c_amounts = corr_keys[c_pick], corr_amount[c_pick]
    c_booked = booked[changed_keys][c_pick]
    c_earlier = start[changed_keys][c_pick]
    c_texts = [correction_text(month_text(k % K), b, e, policy.source) for k, b, e in zip(
        c_keys.tolist(), c_booked.tolist(), c_earlier.tolist(), strict=True)]
    p_pick = (total != start) & has_shares
    p_keys, p_amounts = keys[p_pick], (total - start)[p_pick]
    p_texts = _penalty_texts(p_keys, now, start[p_pick], total[p_pick], rate, month,
                             policy.source)
    parts = []
    for ks, amounts, texts, corr in ((c_keys, c_amounts, c_texts, True),
                                     (p_keys, p_amounts, p_texts, False)):
        owner, provider, part = _split(cols, debts, ks, amounts)
        parts.append((ks[owner], provider, part, np.full(owner.size, corr), owner, texts))
    # lines in (account, bill) order, a key's correction before its penalty
    key = np.concatenate([p[0] for p in parts])
    corr_flag = np.concatenate([p[3] for p in parts])
    seq = np.arange(key.size)
    order = np.lexsort((seq, ~corr_flag, key))
    explain_all = [parts[0][5][i] for i in parts[0][4].tolist()] + \
        [parts[1][5][i] for i in parts[1][4].tolist()]
    return Lines(account=key[order] // K, bill=key[order] % K,
                 provider=np.concatenate([p[1] for p in parts])[order],
                 correction=corr_flag[order],
                 amount=np.concatenate([p[2] for p in parts])[order],
                 explain=[explain_all[i] for i in order.tolist()]), net, debts


def write_lines(session: Session, lines: Lines, month: Period, *, version: str,
                run_id: str) -> None:
    """Append ``lines`` to the ledger: COPY text joined by compiled code on PostgreSQL
    (psycopg), multi-row INSERTs elsewhere."""
    if not len(lines):
        return
    conn = session.connection()
    if not (conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"):
        insert_rows(session, LedgerLine.__table__, LEDGER_COLUMNS,
                    lines.tuples(month, version=version, run_id=run_id))
        return
    esc = copy_escape
    bills = unique(lines.bill)
    bill_index = np.searchsorted(bills, lines.bill)
    heads = [f"\t{PENALTY_SERVICE}\t{month_text(b)}\t\\N\t" for b in bills.tolist()]
    this, prev = esc(str(month)), esc(str(month.shift(-1)))
    kinds = [f"\t{this}\t{this}\tpenalty\t{PENALTY_SERVICE}\t\\N\t\\N\t",
             f"\t{prev}\t{this}\trecalculation\t{PENALTY_SERVICE}\t\\N\t\\N\t"]
    zero = np.zeros(len(lines), I64)
    explain = lines.explain
    if any(c in "".join(explain) for c in "\\\t\n\r"):
        explain = [esc(e) for e in explain]
    copy_text(session, LedgerLine.__table__, LEDGER_COLUMNS, copy_rows([
        Int(lines.account), Pick(bill_index, heads), Int(lines.provider),
        Pick(lines.correction.astype(I64), kinds), Int(lines.amount),
        Pick(zero, [f"\t{esc(version)}\t"]), Text(explain), Pick(zero, [f"\t{esc(run_id)}\n"]),
    ]))


__all__ = [
    "PENALTY",
    "Columns",
    "Lines",
    "accrue_columns",
    "concat_lines",
    "correction_text",
    "debts_of",
    "empty_lines",
    "final_months_columns",
    "horizon_of",
    "lines_columns",
    "member",
    "month_of",
    "month_text",
    "net_days",
    "net_payments",
    "read_columns",
    "unique",
    "write_lines",
]
