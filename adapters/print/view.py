"""What a layout can print: a document snapshot as flat, already formatted Russian strings.

Layout templates name these fields (``{total_to_pay}``); tables and ``repeat`` blocks read
lists of rows (``charges``, ``meters``, ``recipients`` …) whose fields are listed below each
builder. Numbers are formatted here, once, the way Russians write them (``fmt.py``); a
zero amount in a table is an empty cell. Flags for ``when:`` are non-empty strings.
"""

from __future__ import annotations

from typing import Any

from zhkh.adapters.print import fmt
from zhkh.adapters.print.qr import document_payments
from zhkh.modules.documents.schemas import PaymentDocument, Recipient

TITLES = {"monthly": "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ",
          "corrected": "ИСПРАВЛЕННЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ",
          "debt_notice": "УВЕДОМЛЕНИЕ О ЗАДОЛЖЕННОСТИ"}
FLAG = "да"


def document_view(doc: PaymentDocument) -> dict[str, Any]:
    """Every field the shipped layout uses, for one document."""
    premises, executor = doc.premises, doc.executor
    view: dict[str, Any] = {
        "title": TITLES[doc.kind], "number": doc.number, "account": doc.account,
        "period": fmt.period(doc.period), "issue_date": fmt.day(doc.issue_date),
        "due_date": fmt.day(doc.due_date), "due_date_words": fmt.day_words(doc.due_date),
        "payer": doc.payer.name, "address": premises.address,
        "total_area": fmt.decimal(premises.total_area),
        "living_area": fmt.decimal(premises.living_area) or "—",
        "heated_area": fmt.decimal(premises.heated_area) or "—",
        "residents": str(premises.residents),
        "executor": executor.name, "executor_address": executor.address,
        "executor_phone": executor.phone, "executor_email": executor.email,
        "executor_website": executor.website, "executor_hours": executor.hours,
        "executor_contacts": " · ".join(c for c in (executor.email, executor.website) if c),
        "total_to_pay": fmt.money(doc.total_to_pay),
        "is_corrected": FLAG if doc.kind == "corrected" else "",
        "is_bill": FLAG if doc.kind != "debt_notice" else "",
        "correction": _correction(doc),
        "recipients": _recipients(doc),
        "recipients_total": _recipients_total(doc),
        "meters": [_meter(m) for m in doc.meters],
        "recalculations": [{"service": r.service, "period_for": fmt.period(r.period_for),
                            "reason": r.reason, "amount": fmt.money(r.amount)}
                           for r in doc.recalculations],
        "penalties": [{"kind": p.kind, "basis": p.basis, "amount": fmt.money(p.amount),
                       "period_for": fmt.period(p.period_for) if p.period_for else "",
                       "recipient": _name(doc, p.recipient)} for p in doc.penalties],
        "norms": [{"service": n.service, "unit": n.unit, "individual": fmt.decimal(n.individual),
                   "common": fmt.decimal(n.common)} for n in doc.reference.norms],
        "house_volumes": [{"service": v.service, "unit": v.unit,
                           "house_meter": fmt.decimal(v.house_meter),
                           "individual": fmt.decimal(v.individual),
                           "common": fmt.decimal(v.common)} for v in doc.reference.house_volumes],
        "notes": " ".join(doc.reference.notes),
    }
    view.update(_charges(doc))
    view.update(_debts(doc))
    for key in ("meters", "recalculations", "penalties", "norms", "house_volumes"):
        view[f"has_{key}"] = FLAG if view[key] else ""
    view["penalties_total"] = fmt.money(sum(p.amount for p in doc.penalties))
    return view


def _correction(doc: PaymentDocument) -> str:
    c = doc.correction
    if c is None:
        return ""
    return f"Взамен документа № {c.replaces} от {fmt.day(c.replaces_issue_date)}. {c.reason}"


def _recipients(doc: PaymentDocument) -> list[dict[str, str]]:
    """Fields: name, inn_kpp, bank_line, account_line, charged, opening_label, opening,
    opening_signed (a debt +, an advance −), paid_label, paid, last_payment, penalties,
    to_pay, qr (payload or ""), qr_note."""
    payments = {p.recipients[0]: p for p in document_payments(doc)}
    shared = {r for p in payments.values() for r in p.recipients[1:]}
    rows = []
    for r in doc.recipients:
        payment = payments.get(r.id)
        rows.append({
            "name": r.name, "inn_kpp": f"ИНН {r.inn}" + (f", КПП {r.kpp}" if r.kpp else ""),
            "bank_line": f"{r.bank_name}, БИК {r.bik}",
            "account_line": f"р/с {r.settlement_account}, к/с {r.correspondent_account}",
            "charged": fmt.money(r.charged), **_opening(r),
            "opening_signed": fmt.money(r.opening_balance),
            "paid_label": f"Оплачено (учтены платежи до {fmt.day(r.paid_until)})",
            "paid": fmt.money(r.paid),
            "last_payment": fmt.day(r.last_payment_date) or "—",
            "penalties": fmt.money(r.penalties), "to_pay": fmt.money(r.to_pay),
            "qr": payment.payload if payment else "",
            "qr_note": _qr_note(payment, shared, r),
        })
    return rows


def _recipients_total(doc: PaymentDocument) -> dict[str, str]:
    """The footer of the recipients' summary table: the sums of its columns."""
    rs = doc.recipients
    return {"name": "Итого", "charged": fmt.money(sum(r.charged for r in rs)),
            "opening": fmt.money(sum(r.opening_balance for r in rs)),
            "opening_signed": fmt.money(sum(r.opening_balance for r in rs)),
            "paid": fmt.money(sum(r.paid for r in rs)),
            "penalties": fmt.money(sum(r.penalties for r in rs)),
            "to_pay": fmt.money(doc.total_to_pay)}


def _opening(r: Recipient) -> dict[str, str]:
    if r.opening_balance < 0:
        return {"opening_label": "Аванс на начало периода",
                "opening": fmt.money(-r.opening_balance)}
    return {"opening_label": "Задолженность на начало периода",
            "opening": fmt.money(r.opening_balance)}


def _qr_note(payment, shared: set[str], r: Recipient) -> str:
    if r.id in shared:
        return "Оплачивается по общему QR-коду выше"
    if payment is None:
        return ""
    if len(payment.recipients) > 1:
        return f"QR-код на общую сумму {fmt.money(payment.sum_kopecks)} ₽"
    return "QR-код для оплаты" if payment.sum_kopecks else "QR-код: сумму введите сами"


def _meter(m) -> dict[str, str]:
    return {"service": m.service + (f", {m.zone}" if m.zone else ""), "meter": m.meter,
            "previous": fmt.decimal(m.previous), "current": fmt.decimal(m.current),
            "volume": fmt.decimal(m.volume), "verified_until": fmt.day(m.verified_until)}


def _charges(doc: PaymentDocument) -> dict[str, Any]:
    rows = []
    for c in doc.charges:
        rows.append({
            "service": c.service, "unit": c.unit,
            "method": " / ".join(m for m in (c.method_individual, c.method_common) if m),
            "volume_individual": fmt.decimal(c.volume_individual),
            "volume_common": fmt.decimal(c.volume_common), "tariff": fmt.decimal(c.tariff),
            "charged_individual": fmt.money_or_blank(c.charged_individual),
            "charged_common": fmt.money_or_blank(c.charged_common),
            "coefficient": "" if c.coefficient in (None, "1") else fmt.decimal(c.coefficient),
            "excess": fmt.money_or_blank(c.excess),
            "recalculation": fmt.money_or_blank(c.recalculation),
            "benefits": fmt.money_or_blank(c.benefits),
            "quality_reduction": fmt.money_or_blank(c.quality_reduction),
            "total": fmt.money(c.total)})
    sums = {key: sum(getattr(c, key) for c in doc.charges)
            for key in ("charged_individual", "charged_common", "excess", "recalculation",
                        "benefits", "quality_reduction", "total")}
    footer = {key: "" for key in rows[0]} if rows else {}
    footer.update({key: fmt.money_or_blank(v) for key, v in sums.items()},
                  service="Итого", total=fmt.money(sums["total"]))
    repair = doc.capital_repair
    return {"charges": rows, "charges_total": footer, "has_charges": FLAG if rows else "",
            "has_capital_repair": FLAG if repair else "",
            "capital_repair": "" if repair is None else (
                f"Взнос {fmt.decimal(repair.rate)} ₽ за м² × {fmt.decimal(repair.area)} м² = "
                f"{fmt.money(repair.charged)} ₽; перерасчёт {fmt.money(repair.recalculation)} ₽; "
                f"льготы {fmt.money(repair.benefits)} ₽; к оплате {fmt.money(repair.total)} ₽ "
                f"(получатель — {_name(doc, repair.recipient)})")}


def _debts(doc: PaymentDocument) -> dict[str, Any]:
    rows = [{"period": fmt.period(d.period), "charged": fmt.money(d.charged),
             "paid": fmt.money(d.paid), "debt": fmt.money(d.debt),
             "penalties": fmt.money(d.penalties)} for d in doc.debts]
    total = {"period": "Итого", "charged": fmt.money(sum(d.charged for d in doc.debts)),
             "paid": fmt.money(sum(d.paid for d in doc.debts)),
             "debt": fmt.money(sum(d.debt for d in doc.debts)),
             "penalties": fmt.money(sum(d.penalties for d in doc.debts))}
    return {"debts": rows, "debts_total": total,
            "debt_total": total["debt"], "debt_penalties": total["penalties"]}


def _name(doc: PaymentDocument, recipient_id: str) -> str:
    return next(r.name for r in doc.recipients if r.id == recipient_id)
