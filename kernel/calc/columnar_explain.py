"""Fast formatting of the explain text of columnar lines, equal to :func:`explain.formula`.

The constant parts of a formula (factor, coefficient, tariff, source, units) are formatted
once per row template; per line only the numbers of the base expression, the volume and the
amount are formatted, with integer arithmetic instead of Decimal: ``num`` and ``rub`` are the
compiled ``zhkh.kernel._format`` (a run formats tens of millions of numbers), held equal to the
pure-Python ``num_python`` / ``rub_python`` here. ``test_columnar`` proves the result equal to
``explain.formula`` on generated numbers.
"""

from __future__ import annotations

import os

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


try:
    from zhkh.kernel._format import num, rub
except ImportError:  # not built: the twins above give the same texts, four times slower
    if os.environ.get("ZHKH_REQUIRE_COMPILED") == "1":
        raise
    num, rub = num_python, rub_python


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


def texts(t: ExplainTemplate, norm: int, a: list[int], b: list[int], c: list[int],
          persons: list[int], volume: list[int], amount: list[int]) -> list[str]:
    """``t.text(t.base(…), volume, amount)`` of many lines of one template at once: the
    template's constant parts are joined once, each line is one f-string."""
    u, method = t.base_unit, t.method
    tail, show_volume = t.tail
    end = f" ({t.source})"
    mid = f"{t.middle} = " if show_volume else t.middle
    unit = f" {t.unit}{tail}" if show_volume else tail
    n, r = num, rub
    if not show_volume:  # area or fixed without a factor: no volume in the text
        base = {"area": " м²", "area_norm": " м²", "fixed": f" {u}"}[method]
        base += t.middle + tail
        return [f"{n(x)}{base}{r(m)}{end}" for x, m in zip(a, amount, strict=True)]
    match method:
        case "meter":
            return [f"({n(y)} − {n(x)}) {u}{mid}{n(v)}{unit}{r(m)}{end}" if y >= x else
                    f"({n(z)} − {n(x)} + {n(y)}) {u} (переход через ноль){mid}{n(v)}{unit}"
                    f"{r(m)}{end}"
                    for x, y, z, v, m in zip(a, b, c, volume, amount, strict=True)]
        case "average":
            return [f"{n(x)} {u} / {y} мес{mid}{n(v)}{unit}{r(m)}{end}"
                    for x, y, v, m in zip(a, b, volume, amount, strict=True)]
        case "norm":
            per = f" чел × {n(norm)} {u}{mid}"
            return [f"{p}{per}{n(v)}{unit}{r(m)}{end}"
                    for p, v, m in zip(persons, volume, amount, strict=True)]
        case "area" | "area_norm":
            return [f"{n(x)} м²{mid}{n(v)}{unit}{r(m)}{end}"
                    for x, v, m in zip(a, volume, amount, strict=True)]
        case "house_share":
            return [f"{n(x)} {u} × {n(y)} м² / {n(z)} м²{mid}{n(v)}{unit}{r(m)}{end}"
                    for x, y, z, v, m in zip(a, b, c, volume, amount, strict=True)]
        case "fixed":
            return [f"{n(x)} {u}{mid}{n(v)}{unit}{r(m)}{end}"
                    for x, v, m in zip(a, volume, amount, strict=True)]
    raise ValueError(method)
