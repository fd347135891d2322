"""The penalty state: the inputs of each account's open bills as of the start of a month, so
the month's penalty phase reads neither 36 months of history nor the bills already settled.

The phase of month ``M`` (:mod:`penalties`) computes from :class:`~penalty_columns.Columns`:
charges per bill × provider, principal paid per bill × day, penalties booked per bill, all of
bills before ``M``. Everything in them that was booked before ``M`` (ledger lines with
``period_booked < M``, allocation rows with ``period_booked < M``) no longer changes while
``M`` is open: closed months are closed. That part, restricted to the bills whose penalty can
still change, is the *state as of M* (a ``penalty_states`` row per account, ``as_of = M``,
its inputs packed). The phase then adds only the allocation rows booked in ``M`` and gets
the same columns the full read gives — less the bills that cannot produce a line:

* a bill without a positive charge (nobody to owe a penalty to);
* a bill owing nothing (debt ≤ 0) for which nothing was booked (its penalty is 0 forever);
* a bill paid off by the last day of ``M − 1`` (every payment dated by then) whose penalty on
  that day equals what was booked for it: with the paid part's rate taken on the payment day
  (or each accrual day), its penalty never changes again, so every later month books nothing.

The state as of ``M`` is got from the state as of ``M − 1`` by adding the bookings of ``M − 1``
(its bill's charges, the penalty lines it booked, the allocation rows it booked) and pruning
again (:func:`advance`), or from the ledger directly (:func:`rebuild_state`); both give the same
rows (tested). An account whose past changed in ``M`` (``changed_accounts``), one without a
state of the previous or this month, or one whose month's bookings name a bill the state had
dropped (a storno of an old payment, say) is computed by the full read instead, and its state
rebuilt from the ledger. Not used when a paid debt's rate is the calculation date's: a paid
bill's penalty then moves with the rate, nothing is settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import (
    String,
    bindparam,
    case,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Session

from zhkh.kernel.penalties import PenaltyPolicy
from zhkh.kernel.period import Period
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.db.bulk import copy_escape, copy_text, insert_rows
from zhkh.modules.db.repository import among_value, ids_params, range_params, within_range
from zhkh.modules.finance.models import Allocation, PenaltyState
from zhkh.modules.finance.penalty_columns import (
    I64,
    PENALTY,
    Columns,
    K,
    _at,
    _fetch,
    _key_sql,
    _month_sql,
    _ordinal_sql,
    _reads,
    accrue_columns,
    debts_of,
    member,
    month_of,
    net_payments,
    unique,
)

CHARGE, PAID, BOOKED = 0, 1, 2
"""The kind of a packed input (``PenaltyState.data``): a charge of provider ``sub``,
principal paid on day ``sub``, penalties booked (``sub`` 0)."""

LAST = "9999-12"


def usable(policy: PenaltyPolicy) -> bool:
    """Whether the state can be used under ``policy``: not when a paid debt's rate is the
    calculation date's (nothing is ever settled then)."""
    return policy.rate_for_paid != "calculation_date"


# --- columns ---------------------------------------------------------------------------------

def empty_columns() -> Columns:
    """Columns of nothing."""
    z = np.zeros(0, I64)
    return Columns(z, z, z, z, z, z, z, z, set())


def _sum2(key: np.ndarray, sub: np.ndarray, amount: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows summed per (key, sub), sorted by key then sub."""
    if not key.size:
        return key, sub, amount
    order = np.lexsort((sub, key))
    k, s, a = key[order], sub[order], amount[order]
    first = np.flatnonzero(np.r_[True, (k[1:] != k[:-1]) | (s[1:] != s[:-1])])
    return k[first], s[first], np.add.reduceat(a, first)


def _sum1(key: np.ndarray, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k, _, a = _sum2(key, np.zeros(key.size, I64), amount)
    return k, a


def merge(*parts: Columns) -> Columns:
    """The columns of ``parts`` together, amounts of equal (key, provider), (key, day) and key
    summed (what one grouped read of all their rows gives)."""
    c = _sum2(*(np.concatenate(x) for x in zip(*((p.c_key, p.c_provider, p.c_amount)
                                                 for p in parts), strict=True)))
    p_ = _sum2(*(np.concatenate(x) for x in zip(*((p.p_key, p.p_day, p.p_amount)
                                                  for p in parts), strict=True)))
    b = _sum1(*(np.concatenate(x) for x in zip(*((p.b_key, p.b_amount) for p in parts),
                                                strict=True)))
    return Columns(*c, *p_, *b, set())


def subset(cols: Columns, accounts: np.ndarray, *, keep: bool = True) -> Columns:
    """The rows of ``cols`` of ``accounts`` (``keep=False``: of the other accounts)."""
    def pick(key: np.ndarray) -> np.ndarray:
        return np.isin(key // K, accounts) == keep
    c, p, b = pick(cols.c_key), pick(cols.p_key), pick(cols.b_key)
    return Columns(cols.c_key[c], cols.c_provider[c], cols.c_amount[c], cols.p_key[p],
                   cols.p_day[p], cols.p_amount[p], cols.b_key[b], cols.b_amount[b], set())


def _keys(cols: Columns) -> np.ndarray:
    return unique(np.concatenate([cols.c_key, cols.p_key, cols.b_key]))


def prune(cols: Columns, policy: PenaltyPolicy, as_of: Period) -> Columns:
    """``cols`` (everything booked before ``as_of``) without the bills that can produce no
    penalty line in ``as_of`` or later (see the module's docstring)."""
    keys = _keys(cols)
    if not keys.size:
        return cols
    calc = as_of.shift(-1).last_day
    debts = debts_of(cols)
    positive = np.zeros(keys.size, bool)
    positive[np.searchsorted(keys, cols.c_key[cols.c_amount > 0])] = True
    debt = _at(keys, debts.key, debts.debt)
    booked = _at(keys, cols.b_key, cols.b_amount)
    net = net_payments(cols)
    paid = np.zeros(keys.size, I64)
    np.add.at(paid, np.searchsorted(keys, net.key), net.amount)
    latest = np.full(keys.size, -1, I64)
    np.maximum.at(latest, np.searchsorted(keys, cols.p_key), cols.p_day)
    drop = ~positive | ((debt <= 0) & (booked == 0))
    settled = positive & (debt > 0) & (paid >= debt) & (latest <= calc.toordinal())
    if settled.any():
        now = accrue_columns(debts, net, policy, calc, keys[settled])
        settled[settled] = _at(keys[settled], now.keys, now.penalty) == booked[settled]
        drop |= settled
    if not drop.any():
        return cols
    gone = keys[drop]

    def kept(key: np.ndarray) -> np.ndarray:
        return ~member(key, gone)
    c, p, b = kept(cols.c_key), kept(cols.p_key), kept(cols.b_key)
    return Columns(cols.c_key[c], cols.c_provider[c], cols.c_amount[c], cols.p_key[p],
                   cols.p_day[p], cols.p_amount[p], cols.b_key[b], cols.b_amount[b], set())


# --- reads and writes ------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _statements(dialect: str) -> dict[str, Any]:
    """The state's statements: reads by the range of a batch's ids (``ids_lo``, ``ids_hi``;
    the caller keeps the rows of its ids), the delete by the ids themselves (``ids``); other
    parameters as named in each."""
    lines, alloc, state = LedgerLine, Allocation, PenaltyState
    month = bindparam("month", type_=String)
    key = bindparam("key", type_=String)

    def paid(*where: Any) -> Any:
        return (select(_key_sql(alloc.account_id, alloc.bill_period),
                       _ordinal_sql(alloc.paid_on, dialect), func.sum(alloc.amount_kopecks))
                .where(within_range(alloc.account_id), alloc.kind == "principal", *where)
                .group_by(alloc.account_id, alloc.bill_period, alloc.paid_on))
    return {
        # every line the month booked for a range of accounts (a penalty line with its bill's
        # month index, others -1): the BRIN of (period_booked, account_id) gives the month's
        # pages of those accounts, not the accounts' index through all their months
        "month_lines": select(
            lines.account_id, lines.provider_id,
            case((lines.service == PENALTY, _month_sql(lines.component)), else_=-1),
            lines.amount_kopecks).where(within_range(lines.account_id),
                                        lines.period_booked == month),
        # allocation rows booked in months lo..hi to bills before ``key``
        "paid": paid(alloc.period_booked >= bindparam("lo", type_=String),
                     alloc.period_booked <= bindparam("hi", type_=String),
                     alloc.bill_period < key),
        # rows booked before ``month`` to the bill of ``month`` (paid ahead)
        "paid_ahead": paid(alloc.bill_period == month, alloc.period_booked < month),
        # for the rebuild: rows booked before ``key`` to bills before it
        "paid_before": paid(alloc.bill_period < key, alloc.period_booked < key),
        "state": select(state.account_id, state.as_of, state.version, state.data).where(
            within_range(state.account_id)),
        "drop_state": delete(state).where(among_value(state.account_id, dialect)),
    }


def _paid_columns(p: np.ndarray) -> Columns:
    z = np.zeros(0, I64)
    k, d, a = _sum2(p[:, 0], p[:, 1], p[:, 2])
    return Columns(z, z, z, k, d, a, z, z, set())


WIDTH = 4
"""Integers per packed input: bill, kind, sub, kopecks (see ``PenaltyState.data``)."""


def _read(session: Session, account_ids: Sequence[int]
          ) -> tuple[dict[int, tuple[str, str]], Columns]:
    """The stored states of ``account_ids``: per account its month and rules version, and
    all their inputs as columns."""
    conn = session.connection()
    result = conn.execute(_statements(conn.dialect.name)["state"], range_params(account_ids))
    try:
        wanted = set(account_ids)
        rows = [r for r in result.cursor.fetchall() if r[0] in wanted]
    finally:
        result.close()
    heads = {a: (as_of, version) for a, as_of, version, _ in rows}
    data = [bytes(r[3]) for r in rows]
    packed = np.frombuffer(b"".join(data), dtype="<i8").astype(I64).reshape(-1, WIDTH)
    account = np.repeat(np.array([r[0] for r in rows], I64),
                        np.array([len(d) for d in data], I64) // (8 * WIDTH))
    bill, kind, sub, amount = packed.T
    key = account * K + bill
    c, p, b = kind == CHARGE, kind == PAID, kind == BOOKED
    return heads, merge(Columns(key[c], sub[c], amount[c], key[p], sub[p], amount[p], key[b],
                                amount[b], set()))


def read_heads(session: Session, account_ids: Sequence[int], version: str) -> dict[int, str]:
    """Per account of ``account_ids`` with a state of rules ``version``: the month it is as
    of."""
    heads, _ = _read(session, account_ids)
    return {a: as_of for a, (as_of, v) in heads.items() if v == version}


def read_state(session: Session, account_ids: Sequence[int]) -> Columns:
    """The stored state of ``account_ids`` as columns."""
    return _read(session, account_ids)[1]


def _of(rows: np.ndarray, account_ids: Sequence[int], *, keyed: bool = True) -> np.ndarray:
    """The rows of a read by the range of ``account_ids`` that are of those accounts (column
    0: a key, or with ``keyed=False`` the account)."""
    ids = unique(np.asarray(account_ids, I64))
    if ids.size and ids[-1] - ids[0] + 1 == ids.size:  # no account skipped: all are theirs
        return rows
    return rows[member(rows[:, 0] // K if keyed else rows[:, 0], ids)]


def month_bookings(session: Session, account_ids: Sequence[int], month: Period) -> Columns:
    """What ``month`` booked for ``account_ids`` that the state as of the month after takes
    in: the charges of its bill, the penalty lines it booked, the allocation rows it booked
    to bills up to its own, and rows booked earlier to its own bill."""
    conn = session.connection()
    st = _statements(conn.dialect.name)
    this, nxt = str(month), str(month.shift(1))
    params = {**range_params(account_ids), "month": this, "key": nxt, "lo": this, "hi": this}
    lines = _of(_fetch(conn, st["month_lines"], 4, params), account_ids, keyed=False)
    p = _of(np.concatenate([_fetch(conn, st["paid"], 3, params),
                            _fetch(conn, st["paid_ahead"], 3, params)]), account_ids)
    penalty = lines[:, 2] >= 0
    c, b = lines[~penalty], lines[penalty]
    ck, cp, ca = _sum2(c[:, 0] * K + month_of(this), c[:, 1], c[:, 3])
    bk, ba = _sum1(b[:, 0] * K + b[:, 2], b[:, 3])
    paid = _paid_columns(p)
    return Columns(ck, cp, ca, paid.p_key, paid.p_day, paid.p_amount, bk, ba, set())


def paid_in(session: Session, account_ids: Sequence[int], month: Period) -> Columns:
    """Principal booked in ``month`` (or later) to bills before it, of ``account_ids``."""
    conn = session.connection()
    p = _fetch(conn, _statements(conn.dialect.name)["paid"], 3,
               {**range_params(account_ids), "key": str(month), "lo": str(month), "hi": LAST})
    return _paid_columns(_of(p, account_ids))


def ledger_columns(session: Session, account_ids: Sequence[int], month: Period) -> Columns:
    """Everything booked before ``month`` for ``account_ids`` as columns (no pruning): what
    the state as of ``month`` is made of."""
    conn = session.connection()
    dialect = conn.dialect.name
    charges, _, booked = _reads(dialect, False)
    params = {"ids": list(account_ids), "key": str(month)}
    c = _fetch(conn, charges, 3, params)
    b = _fetch(conn, booked, 2, params)
    p = _of(_fetch(conn, _statements(dialect)["paid_before"], 3,
                   {**params, **range_params(account_ids)}), account_ids)
    paid = _paid_columns(p)
    ck, cp, ca = _sum2(c[:, 0], c[:, 1], c[:, 2])
    bk, ba = _sum1(b[:, 0], b[:, 1])
    return Columns(ck, cp, ca, paid.p_key, paid.p_day, paid.p_amount, bk, ba, set())


def _packed(cols: Columns, ids: list[int]) -> list[bytes]:
    """The inputs of each account of ``ids`` (sorted) in ``cols``, packed."""
    key = np.concatenate([cols.c_key, cols.p_key, cols.b_key])
    rows = np.empty((key.size, WIDTH), "<i8")
    rows[:, 0] = key % K
    rows[:, 1] = np.repeat([CHARGE, PAID, BOOKED],
                           [cols.c_key.size, cols.p_key.size, cols.b_key.size])
    rows[:, 2] = np.concatenate([cols.c_provider, cols.p_day, np.zeros(cols.b_key.size, I64)])
    rows[:, 3] = np.concatenate([cols.c_amount, cols.p_amount, cols.b_amount])
    account = key // K
    order = np.argsort(account, kind="stable")
    data = rows[order].tobytes()
    bounds = np.searchsorted(account[order], np.array(ids, I64), side="left") * 8 * WIDTH
    ends = np.searchsorted(account[order], np.array(ids, I64), side="right") * 8 * WIDTH
    return [data[s:e] for s, e in zip(bounds.tolist(), ends.tolist(), strict=True)]


def write_state(session: Session, account_ids: Sequence[int], cols: Columns, as_of: Period,
                *, version: str) -> None:
    """Replace the state of ``account_ids`` by ``cols`` as of ``as_of`` (an account without
    inputs in ``cols`` gets an empty state: nothing of it can produce a penalty)."""
    conn = session.connection()
    ids = sorted(set(account_ids))
    if not ids:
        return
    conn.execute(_statements(conn.dialect.name)["drop_state"], ids_params(conn, ids))
    packed = _packed(cols, ids)
    month = str(as_of)
    columns = ("account_id", "as_of", "version", "data")
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        head = f"\t{copy_escape(month)}\t{copy_escape(version)}\t\\\\x"
        copy_text(session, PenaltyState.__table__, columns,
                  ["".join(f"{a}{head}{d.hex()}\n" for a, d in zip(ids, packed, strict=True))])
        return
    insert_rows(session, PenaltyState.__table__, columns,
                ((a, month, version, d) for a, d in zip(ids, packed, strict=True)))


def drop_state(session: Session, account_ids: Sequence[int]) -> None:
    """Forget the state of ``account_ids`` (they are read whole until rebuilt)."""
    conn = session.connection()
    conn.execute(_statements(conn.dialect.name)["drop_state"], ids_params(conn, account_ids))


# --- the phase's use -------------------------------------------------------------------------

def rebuild_state(session: Session, account_ids: Sequence[int], month: Period,
                  policy: PenaltyPolicy, *, version: str) -> Columns:
    """Build the state of ``account_ids`` as of ``month`` from the ledger and the allocation
    rows (whatever was stored before is replaced); returns it. Equals the state the phase
    keeps month by month."""
    session.flush()
    cols = prune(ledger_columns(session, account_ids, month), policy, month)
    write_state(session, account_ids, cols, month, version=version)
    return cols


def advance(session: Session, old: Columns, account_ids: Sequence[int], month: Period,
            policy: PenaltyPolicy) -> tuple[Columns, set[int]]:
    """The state as of ``month`` of ``account_ids`` from their state ``old`` as of the month
    before; also the accounts whose month's bookings name a bill ``old`` had dropped (their
    state must be rebuilt; they are left out of the answer)."""
    prev = month.shift(-1)
    new = month_bookings(session, account_ids, prev)
    known = unique(np.concatenate([_keys(old),
                                   np.array(account_ids, I64) * K + month_of(str(prev))]))
    strange = np.concatenate([new.p_key[~member(new.p_key, known)],
                              new.b_key[~member(new.b_key, known)]])
    broken = set((strange // K).tolist())
    merged = merge(old, new)
    if broken:
        merged = subset(merged, np.array(sorted(broken), I64), keep=False)
    return prune(merged, policy, month), broken


def state_columns(session: Session, account_ids: Sequence[int], month: Period,
                  policy: PenaltyPolicy, *, version: str, changed: set[int]
                  ) -> tuple[Columns, list[int]]:
    """The penalty inputs of ``month`` (as the full read gives them, less bills that produce
    no line) for the accounts of ``account_ids`` that the state serves, the state moved to
    ``month`` where it was as of the month before; and the accounts it does not serve (to be
    read whole and rebuilt), in the order given."""
    session.flush()
    found, state = _read(session, account_ids)
    heads = {a: as_of for a, (as_of, v) in found.items() if v == version}
    this, prev = str(month), str(month.shift(-1))
    ready = [a for a in account_ids if heads.get(a) == this and a not in changed]
    moving = [a for a in account_ids if heads.get(a) == prev and a not in changed]
    if not ready and not moving:
        return empty_columns(), list(account_ids)
    parts = []
    if ready:
        parts.append(subset(state, np.array(ready, I64)))
    broken: set[int] = set()
    if moving:
        moved, broken = advance(session, subset(state, np.array(moving, I64)), moving, month,
                                policy)
        kept = [a for a in moving if a not in broken]
        write_state(session, kept, moved, month, version=version)
        if broken:
            drop_state(session, sorted(broken))
        parts.append(moved)
    served = [a for a in ready + moving if a not in broken]
    cols = merge(*parts) if parts else empty_columns()
    paid = paid_in(session, served, month)
    # a payment to a bill the state dropped: that account is read whole
    strange = paid.p_key[~member(paid.p_key, _keys(cols))]
    if strange.size:
        broken |= set((strange // K).tolist())
        out = np.array(sorted(broken), I64)
        cols, paid = subset(cols, out, keep=False), subset(paid, out, keep=False)
    cols = merge(cols, paid)
    served_set = set(served) - broken
    return cols, [a for a in account_ids if a not in served_set]


__all__ = ["advance", "drop_state", "empty_columns", "ledger_columns",
           "merge",
           "month_bookings", "paid_in", "prune", "read_heads", "read_state", "rebuild_state",
           "state_columns", "subset", "usable", "write_state"]
