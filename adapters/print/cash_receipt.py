"""The payment confirmation of the cash desk (квитанция об оплате) as a one-page PDF.

Drawn with ReportLab straight onto a narrow page (a receipt printer's 80 mm roll, the page as
long as its lines), in PT Sans — the fonts the payment documents embed, never the machine's.
Deterministic (ReportLab's invariant mode): the same receipt prints the same bytes while the
account's balance (printed at the foot: what is left to pay now) stays the same.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from zhkh.adapters.print import fmt
from zhkh.kernel.money import to_kopecks
from zhkh.modules.cashdesk.service import Confirmation

FONTS = Path(__file__).parent / "fonts"
REGULAR, BOLD = "ZHKH-PTSans-Regular", "ZHKH-PTSans-Bold"  # the names pdf.py registers
WIDTH, MARGIN, LINE = 80 * mm, 4 * mm, 4.2 * mm
METHODS = {"cash": "наличными", "card": "банковской картой"}


def _fonts() -> None:
    for name, file in ((REGULAR, "PTSans-Regular.ttf"), (BOLD, "PTSans-Bold.ttf")):
        try:
            pdfmetrics.getFont(name)
        except KeyError:
            pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))


def _rub(text: str | None) -> str:
    return "" if text is None else f"{fmt.money(to_kopecks(text))} ₽"


def lines(c: Confirmation, titles: Mapping[str, str]) -> list[tuple[str, str, bool]]:
    """The confirmation as rows ``(left, right, bold)``: what the PDF prints, in order."""
    r, p = c.receipt, c.receipt.payment
    when = datetime.fromisoformat(r.created_at)
    refund = r.kind == "refund"
    rows = [("ВОЗВРАТ ОПЛАТЫ" if refund else "КВИТАНЦИЯ ОБ ОПЛАТЕ", f"№ {r.id}", True),
            ("Дата", f"{when:%d.%m.%Y %H:%M}", False),
            ("Касса", c.shift.desk, False), ("Смена", f"№ {c.shift.id}", False),
            ("Лицевой счёт", p.account, True), (c.address, "", False),
            ("", "", False),
            ("Сумма возврата" if refund else "Оплачено", _rub(r.amount.lstrip("-")), True),
            ("Способ", METHODS[r.method], False)]
    if r.tendered is not None:
        rows += [("Получено", _rub(r.tendered), False), ("Сдача", _rub(r.change), True)]
    if refund:
        rows.append(("Сторно оплаты", f"№ {p.reverses_id}", False))
        if p.reason:
            rows.append((f"Причина: {p.reason}", "", False))
    by_provider: dict[int | None, list[tuple[str, str]]] = {}
    for a in p.allocation:
        label = ("аванс" if a.kind == "advance" else
                 f"{titles.get(a.service or '', a.service or '')}"
                 + (f", {fmt.period(a.bill_period)}" if a.bill_period else ""))
        by_provider.setdefault(a.provider_id, []).append((label, _rub(a.amount)))
    if by_provider:
        rows += [("", "", False), ("Распределение", "", True)]
    for provider, parts in by_provider.items():
        rows.append((c.providers.get(provider, "") if provider else "Аванс", "", True))
        rows += [(f"  {label}", amount, False) for label, amount in parts]
    if r.balance is not None:
        rows += [("", "", False), ("Остаток к оплате" if to_kopecks(r.balance.balance) >= 0
                                   else "Аванс на счёте",
                                   _rub(r.balance.balance.lstrip("-")), True)]
    rows += [("", "", False), (f"Платёж № {p.id}, период {fmt.period(p.posted_period)}", "",
                               False), (f"Кассир: {c.shift.cashier}", "", False)]
    return rows


def render_confirmation(c: Confirmation, titles: Mapping[str, str]) -> bytes:
    """The confirmation's PDF (same receipt → same bytes)."""
    _fonts()
    rows = lines(c, titles)
    height = 2 * MARGIN + LINE * (len(rows) + 2)
    out = io.BytesIO()
    saved = rl_config.invariant
    rl_config.invariant = 1
    try:
        canvas = Canvas(out, pagesize=(WIDTH, height), pageCompression=1)
        canvas.setTitle(f"Квитанция об оплате № {c.receipt.id}")
        y = height - MARGIN - LINE
        for left, right, bold in rows:
            font = BOLD if bold else REGULAR
            size = 9.5 if bold else 8.5
            canvas.setFont(font, size)
            canvas.drawString(MARGIN, y, _fit(left, font, size, WIDTH - 2 * MARGIN
                                              - pdfmetrics.stringWidth(right, font, size)))
            if right:
                canvas.drawRightString(WIDTH - MARGIN, y, right)
            y -= LINE
        canvas.showPage()
        canvas.save()
    finally:
        rl_config.invariant = saved
    return out.getvalue()


def _fit(text: str, font: str, size: float, room: float) -> str:
    """``text`` cut with «…» to fit ``room`` points (an address longer than the roll)."""
    if pdfmetrics.stringWidth(text, font, size) <= room - 4:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > room - 4:
        text = text[:-1]
    return text + "…"
