"""The charge kernel specification: plan rows computed one at a time on ``decimal.Decimal``.

This is the independent twin of the compiled kernel (``_kernel.pyx``), written from the
contract in ``docs/DESIGN.md`` ("Charge kernel contract (plan rows)"). It is slow on purpose
and obvious on purpose: where the two disagree, this module is right.

Precedence of statuses for one row (the contract leaves it open, this fixes it):

1. ``BAD_INPUT`` — ``dec`` outside the decision table, an unknown method, ``share_den <= 0``,
   ``share_num < 0`` or a factor denominator ``d_fden <= 0``, then the method's own checks
   (AVERAGE with ``b <= 0``, SHARE with ``c <= 0``);
2. ``READING_DECREASE`` — METER whose current reading is below the previous one and is not
   a rollover of a register with capacity ``c``;
3. ``OVERFLOW`` — the first of base, vol1, volume, plain, amount outside int64.

A row with a non-zero status has zeros in ``volume``, ``amount`` and ``plain``.
"""

from __future__ import annotations

from collections.abc import Sized
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

from zhkh.kernel.money import INT64_MAX, INT64_MIN

if TYPE_CHECKING:  # numpy is not needed to run the twin: any indexable of ints will do
    import numpy as np
    import numpy.typing as npt

METER, AVERAGE, QUANTITY, SHARE = 1, 2, 3, 4
OK, OVERFLOW, READING_DECREASE, BAD_INPUT = 0, 1, 2, 3

# Products of three int64 values have at most 57 digits; quotients by divisors below 2**63
# that are not exact half-integers lie at least 1/2**64 away from the tie, far above the
# 10**-40 resolution left by 100 significant digits, so one rounding step stays exact.
_PRECISION = 100
_ONE = Decimal(1)
_MICRO = Decimal(10) ** 6
_PLAIN_SCALE = Decimal(10) ** 10  # volume (1e-6) × price (1e-6 rub) → kopecks
_AMOUNT_SCALE = Decimal(10) ** 16  # … × coefficient (1e-6)


class _Refused(Exception):
    """A row that cannot be computed; carries its status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _half_up(value: Decimal) -> int:
    """``value`` rounded half away from zero to an integer (Decimal ROUND_HALF_UP)."""
    return int(value.quantize(_ONE, rounding=ROUND_HALF_UP))


def _int64(value: int) -> int:
    """``value`` itself, or OVERFLOW when it does not fit a signed 64-bit integer."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise _Refused(OVERFLOW)
    return value


def _base(method: int, a: int, b: int, c: int) -> int:
    """The method's base quantity (fixed point 1e-6) from the row inputs a, b, c."""
    da, db, dc = Decimal(a), Decimal(b), Decimal(c)
    if method == METER:
        if db >= da:
            return _int64(int(db - da))
        if dc > 0 and 0 <= da < dc and 0 <= db < dc:
            return _int64(int(dc - da + db))
        raise _Refused(READING_DECREASE)
    if method == AVERAGE:
        if db <= 0:
            raise _Refused(BAD_INPUT)
        return _int64(_half_up(da / db))
    if method == QUANTITY:
        return _int64(a)
    if method == SHARE:
        if dc <= 0:
            raise _Refused(BAD_INPUT)
        return _int64(_half_up(da * db / dc))
    raise _Refused(BAD_INPUT)


def compute_row(
    method: int, factor: int, price: int, coef: int,
    a: int, b: int, c: int, share_num: int, share_den: int, fden: int = 10**6,
) -> tuple[int, int, int, int]:
    """One plan row → ``(status, volume, amount, plain)``; outputs are 0 unless status is OK.

    The factor is ``factor / fden`` (fixed point 1e-6 by default)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        try:
            if share_den <= 0 or share_num < 0 or fden <= 0:
                raise _Refused(BAD_INPUT)
            base = _base(method, a, b, c)
            vol1 = _int64(_half_up(Decimal(base) * Decimal(factor) / Decimal(fden)))
            volume = _int64(_half_up(Decimal(vol1) * Decimal(share_num) / Decimal(share_den)))
            cost = Decimal(volume) * Decimal(price)
            plain = _int64(_half_up(cost / _PLAIN_SCALE))
            amount = _int64(_half_up(cost * Decimal(coef) / _AMOUNT_SCALE))
        except _Refused as refused:
            return refused.status, 0, 0, 0
    return OK, volume, amount, plain


def _check_lengths(rows: dict[str, Sized], table: dict[str, Sized]) -> int:
    """Length of the row arrays; ValueError naming the first array of a different length."""
    for group in (rows, table):
        names = list(group)
        size = len(group[names[0]])
        for name in names[1:]:
            if len(group[name]) != size:
                raise ValueError(
                    f"array {name!r} has length {len(group[name])}, expected {size} "
                    f"(the length of {names[0]!r})"
                )
    return len(rows["dec"])


def compute(
    dec: npt.NDArray[np.int32],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    c: npt.NDArray[np.int64],
    share_num: npt.NDArray[np.int32],
    share_den: npt.NDArray[np.int32],
    d_method: npt.NDArray[np.int8],
    d_factor: npt.NDArray[np.int64],
    d_price: npt.NDArray[np.int64],
    d_coef: npt.NDArray[np.int64],
    volume: npt.NDArray[np.int64],
    amount: npt.NDArray[np.int64],
    plain: npt.NDArray[np.int64],
    status: npt.NDArray[np.int8],
    d_fden: npt.NDArray[np.int64] | None = None,
) -> int:
    """Compute every plan row into ``volume, amount, plain, status``; return the non-OK count.

    ``d_fden`` is the denominator of each decision's factor (the factor is
    ``d_factor / d_fden``; None: 10**6 for every decision, the fixed point 1e-6).

    Same signature and results as the compiled ``zhkh.kernel._kernel.compute``. Never raises
    for data (bad rows get a status); raises ValueError only when array lengths differ.
    """
    table: dict[str, Sized] = {"d_method": d_method, "d_factor": d_factor, "d_price": d_price,
                               "d_coef": d_coef}
    if d_fden is not None:
        table["d_fden"] = d_fden
    n = _check_lengths(
        {"dec": dec, "a": a, "b": b, "c": c, "share_num": share_num, "share_den": share_den,
         "volume": volume, "amount": amount, "plain": plain, "status": status},
        table,
    )
    size = len(d_method)
    failed = 0
    for i in range(n):
        k = int(dec[i])
        if 0 <= k < size:
            result = compute_row(
                int(d_method[k]), int(d_factor[k]), int(d_price[k]), int(d_coef[k]),
                int(a[i]), int(b[i]), int(c[i]), int(share_num[i]), int(share_den[i]),
                10**6 if d_fden is None else int(d_fden[k]),
            )
        else:
            result = (BAD_INPUT, 0, 0, 0)
        status[i], volume[i], amount[i], plain[i] = result
        failed += result[0] != OK
    return failed


# --- common property (СОИ): the house's volume for common needs -------------------------------

SOURCE_METER, SOURCE_AVERAGE, SOURCE_NORM = 0, 1, 2
"""Where the house's volume came from: its meter, the average of its previous months
(п. 59(1)), or none (the volume is the norm × common area)."""
OUTCOME_DIFFERENCE, OUTCOME_CAPPED, OUTCOME_ZERO, OUTCOME_NEGATIVE = 0, 1, 2, 3
"""What the difference house − individual became: itself, the cap, 0 (it was negative), or
kept negative (the regional reading that redistributes it)."""
CAP_LIFTED, NEGATIVE_KEPT, AVERAGE_FALLBACK = 1, 2, 4
"""Flags of a house × resource: the house's decision lifts the cap; a negative difference is
kept; a missing house volume falls back to the average of the house meter's history."""
_UNKNOWN = INT64_MIN


def common_row(house: int, hist_sum: int, hist_n: int, individual: int, norm: int, area: int,
               flags: int) -> tuple[int, int, int, int, int, int]:
    """One house × resource → ``(status, volume, used, cap, source, outcome)`` (zeros unless
    OK); ``used`` is the house volume taken (the meter's or the average; 0 by norm).

    cap = ⌊norm × common area / 10⁶⌉; a house volume ``INT64_MIN`` (unknown) is the average
    ⌊hist_sum / hist_n⌉ when ``AVERAGE_FALLBACK`` and ``hist_n > 0``, else the volume is the
    cap (source NORM). diff = house − individual; diff < 0 → 0 (or diff with
    ``NEGATIVE_KEPT``); diff > cap without ``CAP_LIFTED`` → cap.
    """
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        try:
            if area < 0 or norm < 0 or hist_n < 0:
                raise _Refused(BAD_INPUT)
            cap = _int64(_half_up(Decimal(norm) * Decimal(area) / _MICRO))
            if house == _UNKNOWN:
                if flags & AVERAGE_FALLBACK and hist_n > 0:
                    h, source = _half_up(Decimal(hist_sum) / Decimal(hist_n)), SOURCE_AVERAGE
                else:
                    return OK, cap, 0, cap, SOURCE_NORM, OUTCOME_DIFFERENCE
            else:
                h, source = house, SOURCE_METER
            diff = _int64(h - individual)
        except _Refused as refused:
            return refused.status, 0, 0, 0, 0, 0
    if diff < 0:
        if flags & NEGATIVE_KEPT:
            return OK, diff, h, cap, source, OUTCOME_NEGATIVE
        return OK, 0, h, cap, source, OUTCOME_ZERO
    if not flags & CAP_LIFTED and diff > cap:
        return OK, cap, h, cap, source, OUTCOME_CAPPED
    return OK, diff, h, cap, source, OUTCOME_DIFFERENCE


def common_volumes(
    house: npt.NDArray[np.int64],
    hist_sum: npt.NDArray[np.int64],
    hist_n: npt.NDArray[np.int64],
    individual: npt.NDArray[np.int64],
    norm: npt.NDArray[np.int64],
    area: npt.NDArray[np.int64],
    flags: npt.NDArray[np.int8],
    volume: npt.NDArray[np.int64],
    used: npt.NDArray[np.int64],
    cap: npt.NDArray[np.int64],
    source: npt.NDArray[np.int8],
    outcome: npt.NDArray[np.int8],
    status: npt.NDArray[np.int8],
) -> int:
    """Every house × resource through :func:`common_row` into the output arrays; returns the
    non-OK count. ValueError only when array lengths differ."""
    arrays: dict[str, Sized] = {
              "house": house, "hist_sum": hist_sum, "hist_n": hist_n, "individual": individual,
              "norm": norm, "area": area, "flags": flags, "volume": volume, "used": used,
              "cap": cap, "source": source, "outcome": outcome, "status": status}
    _check_lengths({"dec": house, **arrays}, {"house": house})
    n = len(house)
    failed = 0
    for i in range(n):
        st, vol, took, limit, src, out = common_row(
            int(house[i]), int(hist_sum[i]), int(hist_n[i]), int(individual[i]), int(norm[i]),
            int(area[i]), int(flags[i]))
        status[i], volume[i], used[i], cap[i], source[i], outcome[i] = (st, vol, took, limit,
                                                                        src, out)
        failed += st != OK
    return failed
