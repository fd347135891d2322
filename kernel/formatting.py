"""Numbers of explain texts written fast: the compiled ``zhkh.kernel._format`` or its twin.

A monthly run writes tens of millions of numbers into explain texts. ``num`` and ``rub`` write
one number as ``money.format_decimal_ru`` / ``money.format_rub_ru`` do (integer arithmetic
instead of Decimal); ``join_texts`` writes the texts of many rows from one pattern of constant
pieces and numbers of columns (``calc/methods/base.Piece``). The compiled ones are chosen by
the one switch (``kernel/_compiled.py``); the pure-Python twins here are held equal to them and
to ``money`` by tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from zhkh.kernel._compiled import compiled
from zhkh.kernel.money import MICRO

NBSP = "\u00a0"


def num_python(micro: int) -> str:
    """Same text as ``money.format_decimal_ru``: ``4900000`` → ``4,9``, ``1234000000`` →
    ``1 234``."""
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


def join_texts_python(pattern: Sequence[tuple[str, Any]], columns: Sequence[np.ndarray],
                      n: int) -> list[str]:
    """The ``n`` texts of ``pattern`` (``("const", str)``, or ``("num" | "rub" | "int",
    column index)``), one per row; the twin of the compiled ``_format.join_texts``."""
    fmt: dict[str, Callable[[int], str]] = {"num": num_python, "rub": rub_python, "int": str}
    parts = [[text] * n if kind == "const" else [fmt[kind](v) for v in
                                                 columns[text][:n].tolist()]
             for kind, text in pattern]
    return ["".join(row) for row in zip(*parts, strict=True)] if parts else [""] * n


_format = compiled("zhkh.kernel._format", "тексты пояснений")
if _format is None:  # the twins above give the same texts, four times slower
    num, rub, join_texts = num_python, rub_python, join_texts_python
else:
    num, rub, join_texts = _format.num, _format.rub, _format.join_texts

__all__ = ["join_texts", "join_texts_python", "num", "num_python", "rub", "rub_python"]
