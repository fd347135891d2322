"""COPY text of many rows: the compiled row joiner writes exactly the bytes of its Python twin."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.modules.db import copy_rows as cr

compiled = pytest.importorskip("zhkh.modules.db._copy")

INT64 = st.integers(min_value=-2**63, max_value=2**63 - 1)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def segments(draw):
    rows = draw(st.integers(min_value=0, max_value=30))
    out = []
    for kind in draw(st.lists(st.sampled_from(["int", "text", "pick"]), min_size=1,
                              max_size=6)):
        if kind == "int":
            out.append(cr.Int(np.array(draw(st.lists(INT64, min_size=rows, max_size=rows)),
                                       dtype=np.int64)))
        elif kind == "text":
            out.append(cr.Text(draw(st.lists(TEXT, min_size=rows, max_size=rows))))
        else:
            table = draw(st.lists(TEXT, min_size=1, max_size=5))
            picks = st.integers(min_value=0, max_value=len(table) - 1)
            out.append(cr.Pick(np.array(draw(st.lists(picks, min_size=rows, max_size=rows)),
                                        dtype=np.int64), table))
    return out, rows


@settings(max_examples=300, deadline=None)
@given(segments(), st.integers(min_value=1, max_value=7))
def test_compiled_rows_are_the_bytes_of_the_python_twin(drawn, per_chunk):
    segs, rows = drawn
    kinds, values, tables, _ = cr._spread(segs)
    for lo in range(0, rows, per_chunk):
        hi = min(lo + per_chunk, rows)
        assert compiled.join_rows(kinds, values, tables, lo, hi) == \
            cr.join_rows_python(kinds, values, tables, lo, hi)
    whole = b"".join(cr.copy_rows(segs, rows_per_chunk=per_chunk))
    assert whole == cr.join_rows_python(kinds, values, tables, 0, rows)


def test_a_ledger_like_row_reads_as_its_fields():
    chunks = list(cr.copy_rows([
        cr.Int(np.array([1000000019, -5])), cr.Pick(np.array([1, 0]), ["\tгаз\n", "\tвода\t"]),
        cr.Text(["8,333 м³ × 59,06 ₽", ""]), cr.Pick(np.array([0, 0]), ["\n"]),
    ], rows_per_chunk=1))
    assert chunks == ["1000000019\tвода\t8,333 м³ × 59,06 ₽\n".encode(), "-5\tгаз\n\n".encode()]


@pytest.mark.parametrize("join", [compiled.join_rows, cr.join_rows_python])
def test_an_index_outside_its_table_is_refused(join):
    with pytest.raises(IndexError):
        join(["pick"], [np.array([0, 2], dtype=np.int64)], [["a", "b"]], 0, 2)


def test_segments_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="segments of 2 and 1 rows"):
        list(cr.copy_rows([cr.Int(np.array([1, 2])), cr.Text(["x"])]))
