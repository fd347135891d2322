"""Assemble snapshots (``PaymentDocument``) of the three kinds from what ``sources`` read:
pure functions; the model checks the arithmetic when it is built, so a snapshot that would
print figures that do not add up never leaves here.

* monthly — the bill of a closed month: its lines, the money block of ``money.py``;
* corrected — the bill of an issued month again, with the recalculations of that month
  booked since, pointing at the document it replaces (whose money block it keeps: what was
  owed at its start, paid and fined does not change; only the charges do);
* debt notice — the unpaid bills by month and their penalties (finance's balance by key).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from zhkh.kernel.money import format_micro
from zhkh.kernel.period import Period
from zhkh.modules.documents import lines as table
from zhkh.modules.documents.money import AccountMoney, main_recipient
from zhkh.modules.documents.schemas import PaymentDocument
from zhkh.modules.documents.sources import AccountRow, Line

PENALTY_BASIS = "ч. 14 ст. 155 ЖК РФ"
NO_PAYER = "Собственник (наниматель) помещения"
NO_ADDRESS = "адрес не указан"


@dataclass(frozen=True, slots=True)
class Payee:
    """A provider with the bank details of its contract in force."""

    provider_id: int
    name: str
    inn: str
    kpp: str | None
    bank_name: str
    bik: str
    settlement_account: str
    correspondent_account: str

    @property
    def id(self) -> str:
        return recipient_id(self.provider_id)

    def requisites(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "inn": self.inn, "kpp": self.kpp,
                "bank_name": self.bank_name, "bik": self.bik,
                "settlement_account": self.settlement_account,
                "correspondent_account": self.correspondent_account}


@dataclass(frozen=True, slots=True)
class Heading:
    """What every kind shows at its top: number, dates, account, payer, premises, executor."""

    kind: str
    number: str
    period: str
    issue_date: date
    due_date: date
    account: AccountRow
    payer: str | None
    residents: int
    executor: dict[str, str]

    def fields(self) -> dict[str, Any]:
        a = self.account
        return {"kind": self.kind, "number": self.number, "account": a.number,
                "period": self.period, "issue_date": self.issue_date,
                "due_date": self.due_date, "payer": {"name": self.payer or NO_PAYER},
                "premises": {"address": address(a), "total_area": format_micro(a.area_micro),
                             "residents": self.residents},
                "executor": self.executor}


def recipient_id(provider_id: int) -> str:
    """The key of a provider's recipient in a snapshot."""
    return f"p{provider_id}"


def address(a: AccountRow) -> str:
    """The premises' address as printed: house, flat (room of a flat, premises)."""
    if a.premises_kind == "room" and a.parent_number:
        return f"{a.house_address}, кв. {a.parent_number}, комн. {a.premises_number}"
    word = "кв." if a.premises_kind != "nonresidential" else "пом."
    return f"{a.house_address}, {word} {a.premises_number}"


def executor(company: Any) -> dict[str, str]:
    """Section 1's executor from a management company row."""
    return {"name": company.name, "address": company.address or NO_ADDRESS,
            "phone": company.phone or "", "email": company.email or "",
            "website": company.website or "", "hours": ""}


def monthly(head: Heading, lines: list[Line], money: AccountMoney, payees: Mapping[int, Payee],
            titles: table.Titles, *, main_inn: str | None, paid_until: date,
            last_payment: date | None, meters: list[dict[str, Any]],
            house: list[dict[str, Any]]) -> PaymentDocument:
    """The monthly document (or the corrected one's base) of one account."""
    recipient_of = {p: recipient_id(p) for p in payees}
    charges, repair = table.charge_table(lines, titles, recipient_of)
    purses = {p: m for p, m in money.purses.items() if p in payees}
    main = main_recipient({recipient_id(p): (m.charged, payees[p].inn == main_inn)
                           for p, m in purses.items()}) if purses else None
    recipients, penalties = [], []
    for provider_id in sorted(purses, key=lambda p: _rank(p, charges, recipient_of)):
        purse, payee = purses[provider_id], payees[provider_id]
        opening, paid = purse.opening, purse.paid
        if payee.id == main:
            opening -= money.advance_old
            paid += money.advance_new
        recipients.append(_recipient(payee, opening, purse.charged, paid, purse.penalties,
                                     paid_until, last_payment))
        if purse.penalties:
            penalties.append({"recipient": payee.id, "kind": "Пени", "basis": PENALTY_BASIS,
                              "amount": purse.penalties})
    notes: tuple[str, ...] = ()
    if money.advance > 0:
        notes = (f"Аванс (переплата) на конец периода: {_rub(money.advance)} — будет зачтён "
                 "в оплату следующих начислений.",)
    return PaymentDocument.model_validate({
        **head.fields(), "recipients": recipients, "charges": charges,
        "capital_repair": repair, "meters": meters,
        "recalculations": table.recalculations(lines, titles), "penalties": penalties,
        "reference": {"house_volumes": house, "notes": notes},
        "total_to_pay": sum(r["to_pay"] for r in recipients)})


def _rank(provider_id: int, charges: list[dict[str, Any]], recipient_of: Mapping[int, str]
          ) -> tuple[int, int]:
    """Recipients in the order their first line appears in the table."""
    rid = recipient_of[provider_id]
    first = next((i for i, c in enumerate(charges) if c["recipient"] == rid), len(charges))
    return first, provider_id


def _recipient(payee: Payee, opening: int, charged: int, paid: int, penalties: int,
               paid_until: date, last_payment: date | None) -> dict[str, Any]:
    return {**payee.requisites(), "charged": charged, "opening_balance": opening, "paid": paid,
            "paid_until": paid_until, "last_payment_date": last_payment,
            "penalties": penalties,
            "to_pay": max(0, opening + charged - paid + penalties)}


def corrected(head: Heading, previous: PaymentDocument, lines: list[Line],
              payees: Mapping[int, Payee], titles: table.Titles, *, reason: str,
              meters: list[dict[str, Any]]) -> PaymentDocument:
    """The corrected document of ``previous``'s month: the month's lines and the
    recalculations of it booked since (``lines``), the money block of ``previous`` with the
    charges recounted; ``None`` is never returned — an unchanged table is the caller's
    refusal to make."""
    recipient_of = {p: recipient_id(p) for p in payees}
    charges, repair = table.charge_table(lines, titles, recipient_of)
    charged: dict[str, int] = defaultdict(int)
    for row in charges:
        charged[row["recipient"]] += row["total"]
    if repair is not None:
        charged[repair["recipient"]] += repair["total"]
    known = {r.id: r for r in previous.recipients}
    recipients = []
    for rid in [*known, *sorted(set(charged) - set(known))]:
        old = known.get(rid)
        payee = payees.get(int(rid[1:]))
        base = old.model_dump() if old is not None else {
            **payee.requisites(), "opening_balance": 0, "paid": 0, "penalties": 0,  # type: ignore[union-attr]
            "paid_until": previous.recipients[0].paid_until, "last_payment_date": None}
        money = base["opening_balance"] + charged.get(rid, 0) - base["paid"] + base["penalties"]
        recipients.append({**base, "charged": charged.get(rid, 0), "to_pay": max(0, money)})
    fields = head.fields()
    fields.update(payer=previous.payer.model_dump(), premises=previous.premises.model_dump(),
                  executor=previous.executor.model_dump())
    return PaymentDocument.model_validate({
        **fields, "recipients": recipients, "charges": charges, "capital_repair": repair,
        "meters": meters or [m.model_dump() for m in previous.meters],
        "recalculations": table.recalculations(lines, titles),
        "penalties": [p.model_dump() for p in previous.penalties],
        "reference": previous.reference.model_dump(),
        "correction": {"replaces": previous.number, "replaces_issue_date": previous.issue_date,
                       "reason": reason},
        "total_to_pay": sum(r["to_pay"] for r in recipients)})


def correction_reason(period: str, later: Iterable[Line]) -> str:
    """«Перерасчёт за октябрь 2026: <reasons>» (at most 500 characters)."""
    month = Period.parse(period)
    causes: list[str] = []
    for line in later:
        text = table.cause(line.explain)
        if text not in causes:
            causes.append(text)
    reason = f"Перерасчёт за {MONTHS[month.month - 1]} {month.year}: " + "; ".join(causes)
    return reason if len(reason) <= 500 else reason[:499] + "…"


MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
          "октябрь", "ноябрь", "декабрь")


@dataclass(frozen=True, slots=True)
class BillDebt:
    """What stays unpaid of one provider's keys of one bill month (kopecks)."""

    provider_id: int
    period: str
    charged: int
    paid: int
    penalty_open: int


def debt_notice(head: Heading, debts: list[BillDebt], payees: Mapping[int, Payee], *,
                paid_until: date, last_payment: date | None) -> PaymentDocument:
    """The debt notice: the unpaid months (principal charged, paid, debt, open penalties)
    and per recipient the debt and penalties to pay."""
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    owed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for d in debts:
        m = months[d.period]
        m[0] += d.charged
        m[1] += d.paid
        m[2] += d.penalty_open
        owed[d.provider_id][0] += d.charged - d.paid
        owed[d.provider_id][1] += d.penalty_open
    rows = []
    for period, (charged, paid, fines) in sorted(months.items()):
        if charged - paid <= 0 and fines <= 0:
            continue
        paid = min(paid, charged) if charged - paid < 0 else paid
        rows.append({"period": period, "charged": charged, "paid": paid,
                     "debt": charged - paid, "penalties": max(fines, 0)})
    recipients, penalties = [], []
    for provider_id, (principal, fines) in sorted(owed.items()):
        if principal <= 0 and fines <= 0:
            continue
        if fines < 0:
            principal, fines = principal + fines, 0
        payee = payees[provider_id]
        recipients.append(_recipient(payee, principal, 0, 0, fines, paid_until, last_payment))
        if fines:
            penalties.append({"recipient": payee.id, "kind": "Пени", "basis": PENALTY_BASIS,
                              "amount": fines})
    return PaymentDocument.model_validate({
        **head.fields(), "recipients": recipients, "penalties": penalties, "debts": rows,
        "total_to_pay": sum(r["to_pay"] for r in recipients)})


def _rub(kopecks: int) -> str:
    rub, kop = divmod(abs(kopecks), 100)
    return f"{rub:,}".replace(",", "\u00a0") + f",{kop:02d} ₽"
