# cython: language_level=3
"""Compiled penalty kernel (ЖК РФ ст. 155 ч. 14): exact integer interval arithmetic.

Per account: payments (sorted by date) are applied to debts (sorted by period) — the
designated period first when ``designated`` is set, then the oldest open debt — and each paid
part and the unpaid rest add ``part × Σ(rate_bp × L/den × non-moratorium days)`` to a 128-bit
numerator per debt, read from prefix-sum tables over the day axis; the penalty is
⌊numerator / (L × 10 000)⌉ half up, once per debt. Python twin: penalties/reference.py.
"""

from libc.stdlib cimport free, malloc

cdef extern from *:
    ctypedef long long i128 "__int128"

ctypedef long long i64

cdef i64 BIG = 1 << 60
cdef i64 INT64_MAX = 9223372036854775807

cdef enum:
    OK = 0
    OVERFLOW = 1
    NO_RULE = 2


cdef inline i64 imax(i64 a, i64 b) nogil:
    return a if a > b else b


cdef inline i64 imin(i64 a, i64 b) nogil:
    return a if a < b else b


cdef struct Ctx:
    i64 t0
    i64 calc
    int n_scales
    int n_caps
    int rate_paid      # 0 payment date, 1 calculation date, 2 accrual day
    int rate_unpaid    # 1 calculation date, 2 accrual day
    int cap_on_day     # 1: cap by accrual day, 0: cap by rate date


cdef i64 part_weight(
    Ctx* cx, i64 due, i64 last, int mode, i64 rate_date, int cls,
    const i64[:] rate_bp, const i64[:] cap_bp,
    const i64[:, :] pm, const i64[:, :] pr, const i64[:, :, :] pk, const i64[:] cap_values,
    const i64[:] sc_since, const i64[:] sc_tier_ptr, const i64[:] t_from, const i64[:] t_mult,
    int* status,
) noexcept nogil:
    """Σ over days (due, last] of rate_bp × L/den × [not in moratorium] for one part."""
    cdef i64 w = 0, r = 0, c, lo, hi, x, y, m, wt, nxt
    cdef int s, t, k
    if last <= due:
        return 0
    if due + 1 < sc_since[0]:
        status[0] = NO_RULE
        return 0
    if mode != 2:
        r = rate_bp[rate_date - cx.t0]
        if r < 0:
            status[0] = NO_RULE
            return 0
        if not cx.cap_on_day:
            c = cap_bp[rate_date - cx.t0]
            if c >= 0 and c < r:
                r = c
    for s in range(cx.n_scales):
        nxt = sc_since[s + 1] - 1 if s + 1 < cx.n_scales else BIG
        lo = imax(due + 1, sc_since[s])
        hi = imin(last, nxt)
        if lo > hi:
            continue
        for t in range(sc_tier_ptr[s], sc_tier_ptr[s + 1]):
            x = imax(lo, due + t_from[t])
            y = hi if t + 1 == sc_tier_ptr[s + 1] else imin(hi, due + t_from[t + 1] - 1)
            if x > y:
                continue
            x -= cx.t0
            y -= cx.t0
            if mode == 2:
                wt = pr[cls, y + 1] - pr[cls, x]
            else:
                m = pm[cls, y + 1] - pm[cls, x]
                wt = r * m
                if cx.cap_on_day:
                    for k in range(cx.n_caps):
                        if r > cap_values[k]:
                            wt -= (r - cap_values[k]) * (pk[cls, k, y + 1] - pk[cls, k, x])
            w += t_mult[t] * wt
    return w


cdef void day_counts(
    Ctx* cx, i64 due, i64 last, int cls, const i64[:, :] pm,
    const i64[:] sc_since, const i64[:] sc_grace, const i64[:] sc_tier_ptr,
    const i64[:] t_from, const int[:] t_den_idx,
    i64 row, int[:] out_grace, int[:, :] out_tier, int[:] out_mor,
) noexcept nogil:
    cdef i64 lo, hi, x, y, m, nxt, grace = 0, mor = 0
    cdef int s, t
    for s in range(cx.n_scales):
        nxt = sc_since[s + 1] - 1 if s + 1 < cx.n_scales else BIG
        lo = imax(due + 1, sc_since[s])
        hi = imin(last, nxt)
        if lo > hi:
            continue
        grace += imax(0, imin(hi, due + sc_grace[s]) - lo + 1)
        for t in range(sc_tier_ptr[s], sc_tier_ptr[s + 1]):
            x = imax(lo, due + t_from[t])
            y = hi if t + 1 == sc_tier_ptr[s + 1] else imin(hi, due + t_from[t + 1] - 1)
            if x > y:
                continue
            m = pm[cls, y - cx.t0 + 1] - pm[cls, x - cx.t0]
            out_tier[row, t_den_idx[t]] += <int>m
            mor += y - x + 1 - m
    out_grace[row] = <int>grace
    out_mor[row] = <int>mor


def penalties_kernel(
    const i64[:] debt_ptr, const int[:] d_period, const i64[:] d_amount, const i64[:] d_due,
    const int[:] d_class,
    const i64[:] pay_ptr, const i64[:] p_date, const i64[:] p_amount, const int[:] p_period,
    i64 calc, i64 t0, int designated, int payment_day_accrues,
    int rate_paid, int rate_unpaid, int cap_on_day, i64 q,
    const i64[:] rate_bp, const i64[:] cap_bp,
    const i64[:, :] pm, const i64[:, :] pr, const i64[:, :, :] pk, const i64[:] cap_values,
    const i64[:] sc_since, const i64[:] sc_grace, const i64[:] sc_tier_ptr,
    const i64[:] t_from, const i64[:] t_mult, const int[:] t_den_idx,
    i64[:] out_penalty, int[:] out_grace, int[:, :] out_tier, int[:] out_mor,
    signed char[:] out_status, i64 max_debts,
):
    """Fill the output arrays (debt order as given); returns the number of rows with a status."""
    cdef Ctx cx
    cx.t0 = t0
    cx.calc = calc
    cx.n_scales = sc_since.shape[0]
    cx.n_caps = cap_values.shape[0]
    cx.rate_paid = rate_paid
    cx.rate_unpaid = rate_unpaid
    cx.cap_on_day = cap_on_day
    cdef i64 n_acc = debt_ptr.shape[0] - 1
    cdef i128* num = <i128*>malloc(sizeof(i128) * (max_debts + 1))
    cdef i64* left = <i64*>malloc(sizeof(i64) * (max_debts + 1))
    cdef i64* emax = <i64*>malloc(sizeof(i64) * (max_debts + 1))
    cdef i64 a, d0, n, j, pi, pd, rem, x, last, head, lo, hi, mid, w, rd
    cdef i128 pen
    cdef int st, bad = 0
    if num == NULL or left == NULL or emax == NULL:
        free(num); free(left); free(emax)
        raise MemoryError()
    with nogil:
        for a in range(n_acc):
            d0 = debt_ptr[a]
            n = debt_ptr[a + 1] - d0
            st = OK
            for j in range(n):
                left[j] = d_amount[d0 + j]
                num[j] = 0
                emax[j] = d_due[d0 + j]
            head = 0
            for pi in range(pay_ptr[a], pay_ptr[a + 1]):
                pd = p_date[pi]
                rem = p_amount[pi]
                if pd > calc or rem <= 0:
                    continue
                last = pd if payment_day_accrues else pd - 1
                rd = pd if rate_paid == 0 else calc
                j = -1
                if designated and p_period[pi] >= 0:
                    lo = 0
                    hi = n - 1
                    while lo <= hi:
                        mid = (lo + hi) // 2
                        if d_period[d0 + mid] < p_period[pi]:
                            lo = mid + 1
                        elif d_period[d0 + mid] > p_period[pi]:
                            hi = mid - 1
                        else:
                            j = mid
                            break
                while rem > 0:
                    if j < 0 or left[j] == 0:
                        while head < n and left[head] == 0:
                            head += 1
                        if head == n:
                            break
                        j = head
                    x = imin(rem, left[j])
                    left[j] -= x
                    rem -= x
                    w = part_weight(&cx, d_due[d0 + j], last, rate_paid, rd, d_class[d0 + j],
                                    rate_bp, cap_bp, pm, pr, pk, cap_values, sc_since,
                                    sc_tier_ptr, t_from, t_mult, &st)
                    num[j] += <i128>x * w
                    if last > emax[j]:
                        emax[j] = last
            for j in range(n):
                if left[j] > 0:
                    w = part_weight(&cx, d_due[d0 + j], calc, rate_unpaid, calc, d_class[d0 + j],
                                    rate_bp, cap_bp, pm, pr, pk, cap_values, sc_since,
                                    sc_tier_ptr, t_from, t_mult, &st)
                    num[j] += <i128>left[j] * w
                    emax[j] = calc
                pen = (2 * num[j] + q) // (2 * q)
                if st == OK and pen > INT64_MAX:
                    st = OVERFLOW
                out_status[d0 + j] = st
                if st != OK:
                    bad += 1
                    out_penalty[d0 + j] = 0
                    continue
                out_penalty[d0 + j] = <i64>pen
                day_counts(&cx, d_due[d0 + j], emax[j], d_class[d0 + j], pm, sc_since,
                           sc_grace, sc_tier_ptr, t_from, t_den_idx, d0 + j,
                           out_grace, out_tier, out_mor)
    free(num)
    free(left)
    free(emax)
    return bad
