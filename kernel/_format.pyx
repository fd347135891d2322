# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled number formatting of explain texts: the same text as ``columnar_explain.num`` and
``columnar_explain.rub`` (their pure-Python twins, which tests hold these to), for the
millions of lines of a monthly run.

Groups of thousands are separated by a no-break space, the decimal separator is a comma, a
negative number starts with the minus sign U+2212.
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

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


cdef int _sign(int64 v, char *out, int pos) noexcept:
    if v < 0:
        pos -= 3
        out[pos] = <char>0xE2
        out[pos + 1] = <char>0x88
        out[pos + 2] = <char>0x92
    return pos


cdef int _num_into(int64 micro, char *dest) except -1:
    """Write the text of ``num(micro)`` (UTF-8) at ``dest``; returns its length."""
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
    memcpy(dest, out + pos, end - pos)
    return end - pos


cdef int _rub_into(int64 kopecks, char *dest) except -1:
    """Write the text of ``rub(kopecks)`` (UTF-8) at ``dest``; returns its length."""
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
    memcpy(dest, out + pos, BUF - pos)
    return BUF - pos


cdef int _int_into(int64 v, char *dest) noexcept:
    """Write ``str(v)`` at ``dest``; returns its length."""
    cdef char out[BUF]
    cdef int pos = BUF
    cdef unsigned long long u = <unsigned long long>(-(v + 1)) + 1 if v < 0 \
        else <unsigned long long>v
    while True:
        pos -= 1
        out[pos] = <char>(48 + u % 10)
        u //= 10
        if u == 0:
            break
    if v < 0:
        pos -= 1
        out[pos] = 45
    memcpy(dest, out + pos, BUF - pos)
    return BUF - pos


def num(int64 micro):
    """``4900000`` → ``4,9``; ``1234000000`` → ``1 234``; ``-1500000`` → ``−1,5``."""
    cdef char out[BUF]
    cdef int n = _num_into(micro, out)
    return PyUnicode_DecodeUTF8(out, n, NULL)


def rub(int64 kopecks):
    """``107428`` → ``1 074,28 ₽`` (no-break space before the rouble sign)."""
    cdef char out[BUF]
    cdef int n = _rub_into(kopecks, out)
    return PyUnicode_DecodeUTF8(out, n, NULL)


DEF CONST = 0
DEF NUM = 1
DEF RUB = 2
DEF INT = 3


def join_texts(list pattern, list columns, Py_ssize_t n):
    """The ``n`` texts of ``pattern``, one per row: a list of ``(kind, payload)`` where kind
    ``"const"`` writes the str payload, and ``"num"``, ``"rub"``, ``"int"`` write
    ``num`` / ``rub`` / ``str`` of ``columns[payload][row]`` (int64 arrays of ≥ ``n`` rows).
    The twin is ``columnar_explain.join_texts_python``."""
    cdef Py_ssize_t k = len(pattern), j, i, size = 0, length
    cdef int *kinds = <int *>malloc((k + 1) * sizeof(int))
    cdef const char **consts = <const char **>malloc((k + 1) * sizeof(char *))
    cdef Py_ssize_t *lens = <Py_ssize_t *>malloc((k + 1) * sizeof(Py_ssize_t))
    cdef const int64 **cols = <const int64 **>malloc((k + 1) * sizeof(int64 *))
    cdef char *buf = NULL
    cdef char *w
    cdef const int64[::1] view
    cdef list keep = []
    cdef list out = [None] * n
    try:
        if kinds == NULL or consts == NULL or lens == NULL or cols == NULL:
            raise MemoryError()
        for j in range(k):
            kind, payload = pattern[j]
            if kind == "const":
                data = (<str>payload).encode()
                keep.append(data)
                kinds[j] = CONST
                consts[j] = PyBytes_AS_STRING(data)
                lens[j] = len(data)
                size += lens[j]
            else:
                kinds[j] = {"num": NUM, "rub": RUB, "int": INT}[kind]
                view = columns[payload]
                if view.shape[0] < n:
                    raise IndexError(f"column {payload}: {view.shape[0]} values < {n} rows")
                keep.append(view)
                cols[j] = &view[0] if view.shape[0] else NULL
                size += BUF
        buf = <char *>malloc(size + 1)
        if buf == NULL:
            raise MemoryError()
        for i in range(n):
            w = buf
            for j in range(k):
                if kinds[j] == CONST:
                    memcpy(w, consts[j], lens[j])
                    w += lens[j]
                elif kinds[j] == NUM:
                    w += _num_into(cols[j][i], w)
                elif kinds[j] == RUB:
                    w += _rub_into(cols[j][i], w)
                else:
                    w += _int_into(cols[j][i], w)
            out[i] = PyUnicode_DecodeUTF8(buf, w - buf, NULL)
        return out
    finally:
        free(kinds)
        free(consts)
        free(lens)
        free(cols)
        free(buf)
