# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled number formatting of explain texts: the same text as ``columnar_explain.num`` and
``columnar_explain.rub`` (their pure-Python twins, which tests hold these to), for the
millions of lines of a monthly run.

Groups of thousands are separated by a no-break space, the decimal separator is a comma, a
negative number starts with the minus sign U+2212.
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8

cdef extern from *:
    ctypedef long long int64 "long long"

DEF BUF = 80
cdef int64 MIN64 = -9223372036854775807 - 1


cdef int _whole(int64 v, char *out, int pos) noexcept:
    """Write the digits of ``v`` >= 0 ending just before ``out[pos]``, grouped by three with
    a no-break space (UTF-8 C2 A0) when ``v`` >= 1000; returns the first position written."""
    cdef int digits = 0
    cdef bint grouped = v >= 1000
    if v == 0:
        pos -= 1
        out[pos] = 48
        return pos
    while v > 0:
        if grouped and digits and digits % 3 == 0:
            pos -= 2
            out[pos] = <char>0xC2
            out[pos + 1] = <char>0xA0
        pos -= 1
        out[pos] = <char>(48 + v % 10)
        v //= 10
        digits += 1
    return pos


cdef object _decode(char *out, int start, int end):
    return PyUnicode_DecodeUTF8(out + start, end - start, NULL)


cdef int _sign(int64 v, char *out, int pos) noexcept:
    if v < 0:
        pos -= 3
        out[pos] = <char>0xE2
        out[pos + 1] = <char>0x88
        out[pos + 2] = <char>0x92
    return pos


def num(int64 micro):
    """``4900000`` → ``4,9``; ``1234000000`` → ``1 234``; ``-1500000`` → ``−1,5``."""
    cdef char out[BUF]
    cdef int end = BUF, pos = BUF, i
    if micro == MIN64:
        raise OverflowError(micro)
    cdef int64 v = -micro if micro < 0 else micro
    cdef int64 frac = v % 1000000
    if frac:
        for i in range(BUF - 1, BUF - 7, -1):
            out[i] = <char>(48 + frac % 10)
            frac //= 10
        while out[end - 1] == 48:
            end -= 1
        pos = BUF - 7
        out[pos] = 44  # ','
    pos = _whole(v // 1000000, out, pos)
    pos = _sign(micro, out, pos)
    return _decode(out, pos, end)


def rub(int64 kopecks):
    """``107428`` → ``1 074,28 ₽`` (no-break space before the rouble sign)."""
    cdef char out[BUF]
    cdef int pos = BUF - 5
    if kopecks == MIN64:
        raise OverflowError(kopecks)
    cdef int64 v = -kopecks if kopecks < 0 else kopecks
    # tail: ",KK" + NBSP + "₽" (E2 82 BD)
    out[BUF - 5] = <char>0xC2
    out[BUF - 4] = <char>0xA0
    out[BUF - 3] = <char>0xE2
    out[BUF - 2] = <char>0x82
    out[BUF - 1] = <char>0xBD
    pos -= 1
    out[pos] = <char>(48 + v % 10)
    pos -= 1
    out[pos] = <char>(48 + (v // 10) % 10)
    pos -= 1
    out[pos] = 44
    pos = _whole(v // 100, out, pos)
    pos = _sign(kopecks, out, pos)
    return _decode(out, pos, BUF)
