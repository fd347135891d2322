"""Fast formatting of the explain text of columnar lines, equal to :func:`explain.formula`.

The constant parts of a formula (factor, coefficient, tariff, source, units) are formatted
once per row template; per line only the numbers of the base expression, the volume and the
amount are formatted, with integer arithmetic instead of Decimal: ``num`` and ``rub`` are the
compiled ``zhkh.kernel._format`` (a run formats tens of millions of numbers), held equal to the
pure-Python ``num_python`` / ``rub_python`` here. ``test_columnar`` proves the result equal to
``explain.formula`` on generated numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zhkh.kernel._compiled import compiled
from zhkh.kernel.calc.explain import num as decimal_num
from zhkh.kernel.money import MICRO

NBSP = "\u00a0"


def num_python(micro: int) -> str:
    """Same text as ``explain.num``: ``4900000`` → ``4,9``, ``1234000000`` → ``1 234``."""
    if micro < 0:
        return "−" + num_python(-micro)
    whole, frac = divmod(micro, MICRO)
    text = str(whole) if whole < 1000 else f"{whole:,}".replace(",", NBSP)
    if frac:
        return f"{text},{frac:06d}".rstrip("0")
    return text


def rub_python(kopecks: int) -> str:
    """Same text as ``money.format_rub_ru``: ``107428`` → ``1 074,28 ₽``."""
    if kopecks < 0:
        return "−" + rub_python(-kopecks)
    whole, kop = divmod(kopecks, 100)
    text = str(whole) if whole < 1000 else f"{whole:,}".replace(",", NBSP)
    return f"{text},{kop:02d}{NBSP}₽"


def join_texts_python(pattern: list[tuple[str, Any]], columns: list[np.ndarray],
                      n: int) -> list[str]:
    """The ``n`` texts of ``pattern`` (``("const", str)``, or ``("num" | "rub" | "int",
    column index)``), one per row; the twin of the compiled ``_format.join_texts``."""
    fmt = {"num": num_python, "rub": rub_python, "int": str}
    parts = [[text] * n if kind == "const" else [fmt[kind](v) for v in
                                                 columns[text][:n].tolist()]
             for kind, text in pattern]
    return ["".join(row) for row in zip(*parts, strict=True)] if parts else [""] * n


_format = compiled("zhkh.kernel._format", "тексты пояснений")
if _format is None:  # the twins above give the same texts, four times slower
    num, rub, join_texts = num_python, rub_python, join_texts_python
else:
    num, rub, join_texts = _format.num, _format.rub, _format.join_texts


class ExplainTemplate:
    """The formula of one row template; :meth:`text` fills in the numbers of one line."""

    __slots__ = ("base_unit", "method", "middle", "source", "tail", "unit")

    def __init__(self, *, method: str, base_unit: str, factor: int, factor_unit: str,
                 unit: str, coef: int, price: int, source: str):
        self.method, self.unit, self.base_unit, self.source = method, unit, base_unit, source
        self.middle = f" × {decimal_num(factor)} {factor_unit}" if factor != MICRO else ""
        simple = method in ("area", "fixed") and not self.middle
        show_volume = not simple
        coef_text = f" × {decimal_num(coef)}" if coef != MICRO else ""
        self.tail = (coef_text + f" × {decimal_num(price)} ₽/{unit} = ", show_volume)

    def base(self, a: int, b: int, c: int, persons: int, norm: int) -> str:
        """The base expression (``explain.base_expression``) of one line."""
        u = self.base_unit
        match self.method:
            case "meter":
                if b >= a:
                    return f"({num(b)} − {num(a)}) {u}"
                return f"({num(c)} − {num(a)} + {num(b)}) {u} (переход через ноль)"
            case "average":
                return f"{num(a)} {u} / {b} мес"
            case "norm":
                return f"{persons} чел × {num(norm)} {u}"
            case "area" | "area_norm":
                return f"{num(a)} м²"
            case "house_share":
                return f"{num(a)} {u} × {num(b)} м² / {num(c)} м²"
            case "fixed":
                return f"{num(a)} {u}"
        raise ValueError(self.method)

    def text(self, base: str, volume: int, amount: int,
             share: tuple[int, int] | None = None) -> str:
        """The whole formula given the base expression, the volume and the amount; ``share``
        (days, days in month) of a row covering part of the month adds ``× d/D дн.``."""
        tail, show_volume = self.tail
        days = f" × {share[0]}/{share[1]} дн." if share and share[0] != share[1] else ""
        vol = f" = {num(volume)} {self.unit}" if show_volume or days else ""
        return f"{base}{self.middle}{days}{vol}{tail}{rub(amount)} ({self.source})"


def derived_text(parts: list[int], base_unit: str, volume: int, unit: str, price: int,
                 amount: int, source: str) -> str:
    """The formula of a derived line (``по сумме объёмов``), as ``explain.formula`` gives it."""
    base = "(" + " + ".join(num(v) for v in parts) + f") {base_unit}"
    return (f"{base} = {num(volume)} {unit} × {decimal_num(price)} ₽/{unit} = {rub(amount)} "
            f"({source})")


A, B, C, PERSONS, VOLUME, AMOUNT = range(6)
"""Indexes of the columns :func:`texts` passes to a pattern."""


def _pattern(t: ExplainTemplate, norm: int, rollover: bool = False) -> list[tuple[str, Any]]:
    """The text of a line of ``t`` as constant pieces and numbers of the line's columns —
    ``t.text(t.base(…), volume, amount)`` of a whole-month line; ``rollover``: the meter
    form of a counter that passed zero."""
    u, method = t.base_unit, t.method
    tail, show_volume = t.tail
    end = ("const", f" ({t.source})")
    if not show_volume:  # area or fixed without a factor: no volume in the text
        base = {"area": " м²", "area_norm": " м²", "fixed": f" {u}"}[method]
        return [("num", A), ("const", base + t.middle + tail), ("rub", AMOUNT), end]
    mid = f"{t.middle} = "
    volume = [("num", VOLUME), ("const", f" {t.unit}{tail}"), ("rub", AMOUNT), end]
    match method:
        case "meter" if rollover:
            base = [("const", "("), ("num", C), ("const", " − "), ("num", A),
                    ("const", " + "), ("num", B), ("const", f") {u} (переход через ноль){mid}")]
        case "meter":
            base = [("const", "("), ("num", B), ("const", " − "), ("num", A),
                    ("const", f") {u}{mid}")]
        case "average":
            base = [("num", A), ("const", f" {u} / "), ("int", B), ("const", f" мес{mid}")]
        case "norm":
            base = [("int", PERSONS), ("const", f" чел × {num(norm)} {u}{mid}")]
        case "area" | "area_norm":
            base = [("num", A), ("const", f" м²{mid}")]
        case "house_share":
            base = [("num", A), ("const", f" {u} × "), ("num", B), ("const", " м² / "),
                    ("num", C), ("const", f" м²{mid}")]
        case "fixed":
            base = [("num", A), ("const", f" {u}{mid}")]
        case _:
            raise ValueError(method)
    return base + volume


def texts(t: ExplainTemplate, norm: int, a: Any, b: Any, c: Any, persons: Any, volume: Any,
          amount: Any) -> list[str]:
    """``t.text(t.base(…), volume, amount)`` of many lines of one template at once (columns
    as int64 arrays or lists): the template's constant parts are encoded once, the numbers of
    each line written by compiled code (:func:`join_texts`)."""
    columns = [np.ascontiguousarray(x, dtype=np.int64)
               for x in (a, b, c, persons, volume, amount)]
    n = len(columns[AMOUNT])
    passed = columns[B] < columns[A]  # a meter's counter went through zero
    if t.method != "meter" or not passed.any():
        return join_texts(_pattern(t, norm), columns, n)
    out = np.empty(n, dtype=object)
    for mask, rollover in ((~passed, False), (passed, True)):
        rows = np.flatnonzero(mask)
        out[rows] = join_texts(_pattern(t, norm, rollover), [col[rows] for col in columns],
                               len(rows))
    return out.tolist()
