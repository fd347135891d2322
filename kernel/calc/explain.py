"""Russian explain formulas for charge lines, with the numbers that produced the amount."""

from __future__ import annotations

from zhkh.kernel.money import MICRO, format_decimal_ru, format_rub_ru


def num(micro: int) -> str:
    """A fixed-point (1e-6) number in Russian notation: ``4900000`` → ``4,9``."""
    return format_decimal_ru(micro)


def base_expression(method: str, inputs: dict[str, int], unit: str) -> str:
    """The part of the formula that yields the base quantity, e.g. ``(131,789 − 123,456) м³``."""
    match method:
        case "meter":
            prev, cur, cap = inputs["a"], inputs["b"], inputs["c"]
            if cur >= prev:
                return f"({num(cur)} − {num(prev)}) {unit}"
            return f"({num(cap)} − {num(prev)} + {num(cur)}) {unit} (переход через ноль)"
        case "average":
            return f"{num(inputs['a'])} {unit} / {inputs['b']} мес"
        case "norm":
            return f"{inputs['persons']} чел × {num(inputs['norm'])} {unit}"
        case "area" | "area_norm":
            return f"{num(inputs['a'])} м²"
        case "house_share":
            return f"{num(inputs['a'])} {unit} × {num(inputs['b'])} м² / {num(inputs['c'])} м²"
        case "fixed":
            return f"{num(inputs['a'])} {unit}"
        case "derived":
            return "(" + " + ".join(num(v) for v in inputs["parts"]) + f") {unit}"
    raise ValueError(method)


def formula(
    *,
    method: str,
    inputs: dict[str, int],
    base_unit: str,
    factor: int,
    factor_unit: str,
    share: tuple[int, int],
    volume: int,
    unit: str,
    coef: int,
    price: int,
    amount: int,
    source: str,
) -> str:
    """``base [× factor] [× d/D дн.] = volume × [coefficient ×] tariff = amount (source)``.

    Every number is the one the kernel used, so the line can be recomputed by hand.
    """
    parts = [base_expression(method, inputs, base_unit)]
    if factor != MICRO:
        parts.append(f"{num(factor)} {factor_unit}")
    share_num, share_den = share
    if share_num != share_den:
        parts.append(f"{share_num}/{share_den} дн.")
    text = " × ".join(parts)
    simple = method in ("area", "fixed") and len(parts) == 1
    if not simple:
        text += f" = {num(volume)} {unit}"
    if coef != MICRO:
        text += f" × {num(coef)}"
    text += f" × {num(price)} ₽/{unit} = {format_rub_ru(amount)}"
    return f"{text} ({source})"
