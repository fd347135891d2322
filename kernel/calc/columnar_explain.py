"""Fast formatting of the explain text of columnar lines, equal to :func:`explain.formula`.

The constant parts of a formula (factor, coefficient, tariff, source, units) are formatted
once per row template; per line only the numbers of the base expression, the volume and the
amount are formatted, with integer arithmetic instead of Decimal. ``test_columnar`` proves the
result equal to ``explain.formula`` on generated numbers.
"""

from __future__ import annotations

from zhkh.kernel.calc.explain import num as decimal_num
from zhkh.kernel.money import MICRO

NBSP = "\u00a0"


def num(micro: int) -> str:
    """Same text as ``explain.num``: ``4900000`` → ``4,9``, ``1234000000`` → ``1 234``."""
    sign = "−" if micro < 0 else ""
    whole, frac = divmod(abs(micro), MICRO)
    text = f"{sign}{whole:,}".replace(",", NBSP)
    if frac:
        return f"{text},{frac:06d}".rstrip("0")
    return text


def rub(kopecks: int) -> str:
    """Same text as ``money.format_rub_ru``: ``107428`` → ``1 074,28 ₽``."""
    sign = "−" if kopecks < 0 else ""
    whole, kop = divmod(abs(kopecks), 100)
    return f"{sign}{whole:,}".replace(",", NBSP) + f",{kop:02d}{NBSP}₽"


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

    def text(self, base: str, volume: int, amount: int) -> str:
        """The whole formula given the base expression, the volume and the amount."""
        tail, show_volume = self.tail
        vol = f" = {num(volume)} {self.unit}" if show_volume else ""
        return f"{base}{self.middle}{vol}{tail}{rub(amount)} ({self.source})"


def derived_text(parts: list[int], base_unit: str, volume: int, unit: str, price: int,
                 amount: int, source: str) -> str:
    """The formula of a derived line (``по сумме объёмов``), as ``explain.formula`` gives it."""
    base = "(" + " + ".join(num(v) for v in parts) + f") {base_unit}"
    return (f"{base} = {num(volume)} {unit} × {decimal_num(price)} ₽/{unit} = {rub(amount)} "
            f"({source})")
