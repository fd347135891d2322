"""Russian explain formulas of charge lines, with the numbers that produced the amount.

``base [× factor] [× d/D дн.] = volume × [coefficient ×] tariff = amount (source)``: the base
expression is the method's pattern (``methods/*.base``); factor, coefficient, tariff, units and
source are constants of the row template; the numbers of each line are filled in from its
columns (``methods.base``: A, B, C, PERSONS, VOLUME, AMOUNT, DAYS, DAYS_OF, PARTS …) by the
compiled ``join_texts``. Both paths write every explain here, from the same pattern, so the
line can be recomputed by hand from the numbers the kernel used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache

import numpy as np

from zhkh.kernel.calc.methods import METHOD_LIST, METHODS, Method, method_codes
from zhkh.kernel.calc.methods.base import AMOUNT, DAYS, DAYS_OF, VOLUME, Constants, Pattern
from zhkh.kernel.calc.template import RowTemplate
from zhkh.kernel.formatting import join_texts, rub
from zhkh.kernel.formatting import num as num_text
from zhkh.kernel.money import MICRO, format_decimal_ru


def num(micro: int) -> str:
    """A fixed-point (1e-6) number in Russian notation: ``4900000`` → ``4,9``."""
    return format_decimal_ru(micro)


def pattern(t: RowTemplate, variant: int, partial: bool) -> Pattern:
    """The formula of a line of ``t`` as constant pieces and numbers of the line's columns;
    ``variant`` of the method's base (:meth:`Method.variants`); ``partial``: the line covers
    ``DAYS`` of ``DAYS_OF`` days (``× d/D дн.``)."""
    return _pattern(t.method, variant, partial, t.base_unit, t.unit, t.factor, t.factor_den,
                    t.factor_unit, t.season_months, t.norm, t.norm_den, t.coef, t.price,
                    t.source)


def factor_text(factor: int, factor_den: int) -> str:
    """A factor ``factor / factor_den`` (the denominator a power of ten) in Russian notation,
    every published decimal kept: ``20612345 / 10**9`` → ``0,020612345``."""
    if factor_den == MICRO:
        return num(factor)
    places = len(str(factor_den)) - 1
    return format_decimal_ru(Decimal(factor).scaleb(-places).normalize()
                             if factor else Decimal(0))


@lru_cache(maxsize=4096)
def _pattern(method_name: str, variant: int, partial: bool, base_unit: str, unit: str,
             factor: int, factor_den: int, factor_unit: str, season_months: int, norm: int,
             norm_den: int, coef: int, price: int, source: str) -> Pattern:
    method = METHODS[method_name]
    pieces = list(method.base(Constants(factor=factor, factor_den=factor_den,
                                        factor_unit=factor_unit, norm=norm, norm_den=norm_den),
                              base_unit, variant))
    scaled = factor != factor_den or season_months
    if factor != factor_den:
        pieces.append(("const", f" × {factor_text(factor, factor_den)} {factor_unit}"))
    if season_months:  # ф. 2(1): months of the heating season in the year / 12
        pieces.append(("const", f" × {season_months}/12 (мес. отопительного периода / 12)"))
    if partial:
        pieces += [("const", " × "), ("int", DAYS), ("const", "/"), ("int", DAYS_OF),
                   ("const", " дн.")]
    if not (method.plain and not scaled and not partial):
        pieces += [("const", " = "), ("num", VOLUME), ("const", f" {unit}")]
    if coef != MICRO:
        pieces.append(("const", f" × {num(coef)}"))
    pieces += [("const", f" × {num(price)} ₽/{unit} = "), ("rub", AMOUNT),
               ("const", f" ({source})")]
    return _merged(pieces)


def _merged(pieces: Pattern) -> Pattern:
    """Adjacent constant pieces as one."""
    out: Pattern = []
    for kind, payload in pieces:
        if kind == "const" and out and out[-1][0] == "const":
            out[-1] = ("const", f"{out[-1][1]}{payload}")
        elif kind != "const" or payload:
            out.append((kind, payload))
    return out


def texts(templates: Sequence[RowTemplate], tmpl: np.ndarray, columns: Sequence[np.ndarray],
          partial: np.ndarray) -> list[str]:
    """The explain of every row: row i is of template ``templates[tmpl[i]]``, its numbers are
    ``columns[k][i]`` (int64, the order of ``methods.base``), ``partial[i]`` when it covers
    part of the month. Rows of one template, variant and part are written at once."""
    n = len(tmpl)
    if not n:
        return []
    columns = [np.asarray(col, dtype=np.int64) for col in columns]
    variant = np.zeros(n, dtype=np.int64)
    codes = method_codes(templates, tmpl)
    for code in np.flatnonzero(np.bincount(codes)).tolist():
        method = METHOD_LIST[code]
        if type(method).variants is not Method.variants:
            rows = np.flatnonzero(codes == code)
            found = method.variants(columns, rows)
            if found is not None:
                variant[rows] = found
    span = int(variant.max(initial=0)) + 1
    key = (tmpl.astype(np.int64) * span + variant) * 2 + partial.astype(np.int64)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_key[1:] != sorted_key[:-1])))
    ends = np.append(starts[1:], n)
    out = np.empty(n, dtype=object)
    values: list[list[int]] | None = None
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        rows = order[lo:hi]
        first = int(rows[0])
        p = pattern(templates[int(tmpl[first])], int(variant[first]), bool(partial[first]))
        if hi - lo > FEW:
            out[rows] = join_texts(p, [np.ascontiguousarray(col[rows]) for col in columns],
                                   hi - lo)
            continue
        values = values or [col.tolist() for col in columns]
        for i in rows.tolist():
            out[i] = _text(p, values, i)
    return out.tolist()


def _text(p: Pattern, values: list[list[int]], i: int) -> str:
    """The text of row ``i`` alone: what ``join_texts`` writes for it."""
    return "".join(payload if isinstance(payload, str) else _WRITE[kind](values[payload][i])
                   for kind, payload in p)


FEW = 4
"""Up to this many rows of a pattern are written one by one (cheaper than a compiled call)."""
_WRITE: dict[str, Callable[[int], str]] = {"num": num_text, "rub": rub, "int": str}
