# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled COPY text of many rows at once: the same bytes as ``copy_rows.join_rows_python``
(its pure-Python twin, which tests hold this to), for the millions of ledger lines of a
monthly run. See ``zhkh.modules.db.copy_rows`` for the segments.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.list cimport PyList_GET_ITEM
from cpython.ref cimport PyObject
from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

cdef extern from *:
    ctypedef long long int64 "long long"

cdef enum Kind:
    INT = 0
    TEXT = 1
    PICK = 2


cdef struct Segment:
    int kind
    const int64 *values      # INT: the numbers; PICK: indexes into the table
    Py_ssize_t n_table
    const char **table       # PICK: the table's entries (UTF-8)
    Py_ssize_t *table_len
    PyObject *texts          # TEXT: a list of str (kept alive by the caller's ``keep``)


cdef int _digits(int64 v) noexcept:
    cdef int n = 1
    cdef unsigned long long u
    if v < 0:
        n += 1
        u = <unsigned long long>(-(v + 1)) + 1
    else:
        u = <unsigned long long>v
    while u >= 10:
        u //= 10
        n += 1
    return n


cdef char *_write_int(int64 v, char *out) noexcept:
    cdef int n = _digits(v)
    cdef unsigned long long u
    cdef char *end = out + n
    if v < 0:
        out[0] = 45
        u = <unsigned long long>(-(v + 1)) + 1
    else:
        u = <unsigned long long>v
    cdef char *p = end
    while True:
        p -= 1
        p[0] = <char>(48 + u % 10)
        u //= 10
        if u == 0:
            break
    return end


def join_rows(list kinds, list values, list tables, Py_ssize_t lo, Py_ssize_t hi):
    """Rows ``lo`` … ``hi - 1`` as one ``bytes``: for each row, the segments in order.

    ``kinds[s]`` is ``"int"`` (``values[s]``: int64 array), ``"text"`` (``values[s]``: list of
    str, already escaped) or ``"pick"`` (``values[s]``: int64 array of indexes into
    ``tables[s]``, a list of str). Indexes out of their table raise ``IndexError``."""
    cdef Py_ssize_t n_seg = len(kinds), s, i, j, k, size, length
    cdef Segment *segs = <Segment *>malloc(n_seg * sizeof(Segment))
    cdef const char *utf8
    cdef const int64[::1] view
    cdef list keep = []
    cdef object texts
    cdef object result
    cdef char *out
    if segs == NULL:
        raise MemoryError()
    for s in range(n_seg):
        segs[s].table = NULL
        segs[s].table_len = NULL
    try:
        for s in range(n_seg):
            kind = kinds[s]
            if kind == "int" or kind == "pick":
                view = values[s]
                if view.shape[0] < hi:
                    raise IndexError(f"segment {s}: {view.shape[0]} values < {hi} rows")
                keep.append(view)
                segs[s].values = &view[0] if view.shape[0] else NULL
                segs[s].kind = INT if kind == "int" else PICK
                if kind == "pick":
                    table = [t.encode() for t in tables[s]]
                    keep.append(table)
                    segs[s].n_table = len(table)
                    segs[s].table = <const char **>malloc(len(table) * sizeof(char *) + 1)
                    segs[s].table_len = <Py_ssize_t *>malloc(
                        len(table) * sizeof(Py_ssize_t) + 1)
                    if segs[s].table == NULL or segs[s].table_len == NULL:
                        raise MemoryError()
                    for k in range(len(table)):
                        segs[s].table[k] = PyBytes_AS_STRING(table[k])
                        segs[s].table_len[k] = len(table[k])
            elif kind == "text":
                texts = values[s] if type(values[s]) is list else list(values[s])
                if len(texts) < hi:
                    raise IndexError(f"segment {s}: {len(texts)} texts < {hi} rows")
                keep.append(texts)
                segs[s].texts = <PyObject *>texts
                segs[s].kind = TEXT
            else:
                raise ValueError(f"segment {s}: unknown kind {kind!r}")
        size = 0
        for s in range(n_seg):
            if segs[s].kind == INT:
                for i in range(lo, hi):
                    size += _digits(segs[s].values[i])
            elif segs[s].kind == PICK:
                for i in range(lo, hi):
                    k = segs[s].values[i]
                    if k < 0 or k >= segs[s].n_table:
                        raise IndexError(f"segment {s}, row {i}: index {k} out of the table")
                    size += segs[s].table_len[k]
            else:
                for i in range(lo, hi):
                    PyUnicode_AsUTF8AndSize(<object>PyList_GET_ITEM(<object>segs[s].texts, i),
                                            &length)
                    size += length
        result = PyBytes_FromStringAndSize(NULL, size)
        out = PyBytes_AS_STRING(result)
        for i in range(lo, hi):
            for s in range(n_seg):
                if segs[s].kind == INT:
                    out = _write_int(segs[s].values[i], out)
                elif segs[s].kind == PICK:
                    k = segs[s].values[i]
                    memcpy(out, segs[s].table[k], segs[s].table_len[k])
                    out += segs[s].table_len[k]
                else:
                    utf8 = PyUnicode_AsUTF8AndSize(
                        <object>PyList_GET_ITEM(<object>segs[s].texts, i), &length)
                    memcpy(out, utf8, length)
                    out += length
        return result
    finally:
        for s in range(n_seg):
            free(segs[s].table)
            free(segs[s].table_len)
        free(segs)
