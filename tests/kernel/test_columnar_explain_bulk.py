"""The bulk explain formatter gives exactly the text of the per-line one (and so of
``explain.formula``, which ``test_columnar`` ties it to); its compiled joiner writes exactly
the texts of its Python twin."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.calc.columnar_explain import ExplainTemplate, join_texts_python, texts

METHODS = ("meter", "average", "norm", "area", "area_norm", "house_share", "fixed")
line = st.tuples(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12),
                 st.integers(0, 12), st.integers(0, 10**12), st.integers(-10**12, 10**12))


@settings(max_examples=60)
@given(st.sampled_from(METHODS), st.sampled_from([1_000_000, 1_500_000]),
       st.sampled_from([1_000_000, 4_850_000, 20_540]), st.integers(1, 10**9),
       st.lists(line, max_size=12))
def test_the_texts_of_a_template_equal_its_line_by_line_text(method, coef, factor, price,
                                                              rows):
    t = ExplainTemplate(method=method, base_unit="м³", factor=factor, factor_unit="Гкал/м³",
                        unit="Гкал", coef=coef, price=price, source="ПП РФ № 354, п. 42")
    norm = 4_850_000
    a, b, c, persons, volume, amount = (list(col) for col in zip(*rows, strict=True)) \
        if rows else ([], [], [], [], [], [])
    expected = [t.text(t.base(ai, bi, ci, pi, norm), vi, mi)
                for ai, bi, ci, pi, vi, mi in rows]
    assert texts(t, norm, a, b, c, persons, volume, amount) == expected


piece = st.one_of(st.tuples(st.just("const"), st.text(max_size=8)),
                  st.tuples(st.sampled_from(["num", "rub", "int"]), st.integers(0, 2)))


@settings(max_examples=200)
@given(st.lists(piece, max_size=8),
       st.lists(st.tuples(*[st.integers(-2**63 + 1, 2**63 - 1)] * 3), max_size=6))
def test_compiled_texts_are_those_of_the_python_twin(pattern, rows):
    compiled = pytest.importorskip("zhkh.kernel._format")
    columns = [np.array(col, dtype=np.int64) for col in zip(*rows, strict=True)] if rows \
        else [np.zeros(0, dtype=np.int64)] * 3
    assert compiled.join_texts(pattern, columns, len(rows)) == \
        join_texts_python(pattern, columns, len(rows))
