"""Example snapshots of the demo town for tests, the benchmark and the pictures in ``docs/``.

A flat of 54.3 m² with three residents in г. Демоград, October 2026: cold and hot water and
two-zone electricity by individual meters, wastewater, heating by the house meter,
maintenance, common-property lines, a recalculation of an earlier month, a debt with
penalties, and two recipients with different settlement accounts (the management company
and the regional capital repair fund). Every amount is computed here (volume × tariff, half
up at the kopeck) so the snapshot adds up the way the model checks; ``variant`` shifts
readings, debt and account number so a batch of documents is all different.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from zhkh.kernel.money import to_kopecks
from zhkh.modules.documents.schemas import PaymentDocument
from zhkh.modules.registry.account_number import luhn_digit

UK_ACCOUNT, FUND_ACCOUNT = "40702810938000012345", "40604810100000077777"
UK = {"id": "uk", "name": "ООО «УК Наш дом»", "inn": "7701234560", "kpp": "770101001",
      "bank_name": "ПАО СБЕРБАНК", "bik": "044525225", "settlement_account": UK_ACCOUNT,
      "correspondent_account": "30101810400000000225"}
FUND = {"id": "fund", "name": "НО «Фонд капитального ремонта Демоградской области»",
        "inn": "7709876545", "kpp": "770901001", "bank_name": "АО «АЛЬФА-БАНК»",
        "bik": "044525593", "settlement_account": FUND_ACCOUNT,
        "correspondent_account": "30101810200000000593"}
EXECUTOR = {"name": "ООО «УК Наш дом»", "address": "г. Демоград, ул. Мира, д. 3, офис 1",
            "phone": "+7 (495) 123-45-67", "email": "info@uk-nashdom.example",
            "website": "uk-nashdom.example", "hours": "пн–пт 9:00–18:00"}
AREA, RATE_REPAIR = "54.3", "19.86"


def account_number(variant: int) -> str:
    """The demo account of ``variant``: nine digits and the Luhn check digit."""
    body = f"{100000001 + variant:09d}"
    return body + luhn_digit(body)


def example_document(kind: str = "monthly", variant: int = 0, *,
                     cold_water_by_norm: bool = False) -> PaymentDocument:
    """A consistent snapshot of ``kind`` (``monthly``, ``corrected``, ``debt_notice``).

    ``cold_water_by_norm`` replaces the cold-water meter by the norm × 1.5 (no meter where
    one can be installed), so the coefficient and its excess are shown.
    """
    account = account_number(variant)
    if kind == "debt_notice":
        return _debt_notice(account, variant)
    period = "2026-10" if kind == "monthly" else "2026-09"
    charges, meters = _charges(variant, cold_water_by_norm)
    repair = _capital_repair()
    penalties: list[dict[str, Any]] = [
        {"recipient": "uk", "kind": "Пени", "basis": "ч. 14 ст. 155 ЖК РФ",
         "period_for": "2026-07", "amount": 1234 + variant % 50},
        {"recipient": "uk", "kind": "Пени", "basis": "ч. 14 ст. 155 ЖК РФ",
         "period_for": "2026-08", "amount": 321},
    ]
    uk_charged = sum(c["total"] for c in charges)
    debt = 234567 + 1000 * (variant % 40)
    uk = _recipient(UK, charged=uk_charged, opening=debt, paid=200000,
                    penalties=sum(p["amount"] for p in penalties), last=date(2026, 10, 12))
    fund = _recipient(FUND, charged=repair["total"], opening=repair["total"],
                      paid=repair["total"], penalties=0, last=date(2026, 10, 12))
    data = {
        "kind": kind, "number": f"{period}-{account}", "account": account, "period": period,
        "issue_date": date(2026, 11, 1) if kind == "monthly" else date(2026, 11, 2),
        "due_date": date(2026, 11, 15),
        "payer": {"name": "Иванова Мария Петровна"},
        "premises": {"address": f"г. Демоград, ул. Садовая, д. 12, кв. {45 + variant % 200}",
                     "total_area": AREA, "living_area": "38.1", "heated_area": AREA,
                     "residents": 3},
        "executor": EXECUTOR, "recipients": [uk, fund], "charges": charges,
        "capital_repair": repair, "meters": meters,
        "recalculations": [{"service": "Холодное водоснабжение", "period_for": "2026-08",
                            "reason": "Показания ИПУ переданы после закрытия месяца: было по "
                                      "среднему 4,100 м³, стало 3,020 м³",
                            "amount": _money("-1.080", "55.12")}],
        "penalties": penalties, "reference": _reference(),
        "total_to_pay": uk["to_pay"] + fund["to_pay"],
    }
    if kind == "corrected":
        data["number"] += "-1"
        data["correction"] = {"replaces": f"{period}-{account}",
                              "replaces_issue_date": date(2026, 10, 1),
                              "reason": "Перерасчёт за сентябрь 2026: исправлены показания "
                                        "ИПУ холодной воды"}
    return PaymentDocument.model_validate(data)


def _charges(variant: int, cold_by_norm: bool) -> tuple[list[dict], list[dict]]:
    cold_prev, cold_cur = Decimal("123.456"), Decimal("126.670") + Decimal(variant % 7) / 10
    hot_prev, hot_cur = Decimal("87.210"), Decimal("89.315") + Decimal(variant % 5) / 10
    day_prev, night_prev = 15230, 7410
    day, night = 142 + variant % 30, 61 + variant % 11
    cold, hot = cold_cur - cold_prev, hot_cur - hot_prev
    lines = [
        _line("Содержание жилого помещения", "м²", "площадь", AREA, "32.40"),
        _cold_water(cold, cold_by_norm),
        _line("Горячее водоснабжение", "м³", "ИПУ", str(hot), "245.17",
              quality=to_kopecks("35.12")),
        _line("Водоотведение", "м³", "ИПУ", str(cold + hot), "44.73"),
        _line("Отопление", "Гкал", "ОДПУ", "1.2843", "2891.35"),
        _line("Электроснабжение, день", "кВт·ч", "ИПУ", str(day), "7.98"),
        _line("Электроснабжение, ночь", "кВт·ч", "ИПУ", str(night), "3.72"),
        _line("Обращение с ТКО", "чел.", "норматив", "3", "158.34"),
        _common("Холодная вода на СОИ", "м³", "0.118", "55.12"),
        _common("Горячая вода на СОИ", "м³", "0.061", "245.17"),
        _common("Электроэнергия на СОИ", "кВт·ч", "3.41", "7.98"),
    ]
    meters = [
        _meter("Холодное водоснабжение", "ХВ-204117", "", cold_prev, cold_cur),
        _meter("Горячее водоснабжение", "ГВ-204118", "", hot_prev, hot_cur),
        _meter("Электроснабжение", "Э-5512093", "день", day_prev, day_prev + day),
        _meter("Электроснабжение", "Э-5512093", "ночь", night_prev, night_prev + night),
    ]
    if cold_by_norm:
        meters = meters[1:]
    return lines, meters


def _cold_water(volume: Decimal, by_norm: bool) -> dict:
    recalculation = _money("-1.080", "55.12")
    if not by_norm:
        return _line("Холодное водоснабжение", "м³", "ИПУ", str(volume), "55.12",
                     recalculation=recalculation)
    line = _line("Холодное водоснабжение", "м³", "норматив", "14.7", "55.12", coefficient="1.5",
                 recalculation=recalculation)
    return {**line, "excess": line["charged_individual"] - _money("14.7", "55.12")}


def _line(service: str, unit: str, method: str, volume: str, tariff: str, *,
          coefficient: str = "1", recalculation: int = 0, quality: int = 0) -> dict:
    charged = to_kopecks(Decimal(volume) * Decimal(tariff) * Decimal(coefficient))
    return {"recipient": "uk", "service": service, "unit": unit, "method_individual": method,
            "volume_individual": volume, "tariff": tariff, "charged_individual": charged,
            "coefficient": coefficient, "recalculation": recalculation,
            "quality_reduction": quality, "total": charged + recalculation - quality}


def _common(service: str, unit: str, volume: str, tariff: str) -> dict:
    charged = _money(volume, tariff)
    return {"recipient": "uk", "service": service, "unit": unit, "method_common": "норматив",
            "volume_common": volume, "tariff": tariff, "charged_common": charged,
            "total": charged}


def _meter(service: str, meter: str, zone: str, previous, current) -> dict:
    return {"service": service, "meter": meter, "zone": zone, "previous": str(previous),
            "current": str(current), "volume": str(current - previous),
            "verified_until": date(2031, 5, 20)}


def _capital_repair() -> dict:
    charged = _money(AREA, RATE_REPAIR)
    return {"recipient": "fund", "rate": RATE_REPAIR, "area": AREA, "charged": charged,
            "total": charged}


def _recipient(base: dict, *, charged: int, opening: int, paid: int, penalties: int,
               last: date) -> dict:
    to_pay = max(0, opening + charged - paid + penalties)
    return {**base, "charged": charged, "opening_balance": opening, "paid": paid,
            "paid_until": date(2026, 10, 31), "last_payment_date": last,
            "penalties": penalties, "to_pay": to_pay}


def _reference() -> dict:
    return {
        "norms": [{"service": "Холодное водоснабжение", "unit": "м³/чел.", "individual": "4.9",
                   "common": "0.0271"},
                  {"service": "Горячее водоснабжение", "unit": "м³/чел.", "individual": "3.5",
                   "common": "0.014"},
                  {"service": "Электроснабжение", "unit": "кВт·ч/чел.", "individual": "71",
                   "common": "0.628"}],
        "house_volumes": [{"service": "Холодное водоснабжение", "unit": "м³",
                           "house_meter": "1912.440", "individual": "1840.118",
                           "common": "72.322"},
                          {"service": "Отопление", "unit": "Гкал", "house_meter": "284.5120"}],
        "notes": ["Показания приборов учёта передавайте с 20 по 25 число месяца."],
    }


def _debt_notice(account: str, variant: int) -> PaymentDocument:
    debts: list[dict[str, Any]] = [
        {"period": p, "charged": c, "paid": paid, "debt": c - paid, "penalties": pen}
        for p, c, paid, pen in (("2026-06", 845612, 0, 15210 + variant % 90),
                                ("2026-07", 812034, 300000, 6822),
                                ("2026-08", 790511, 0, 2140))]
    debt = sum(d["debt"] for d in debts)
    penalties: list[dict[str, Any]] = [
        {"recipient": "uk", "kind": "Пени", "basis": "ч. 14 ст. 155 ЖК РФ",
         "period_for": d["period"], "amount": d["penalties"]} for d in debts]
    uk = _recipient(UK, charged=0, opening=debt, paid=0,
                    penalties=sum(p["amount"] for p in penalties), last=date(2026, 7, 20))
    return PaymentDocument.model_validate({
        "kind": "debt_notice", "number": f"У-2026-10-{account}", "account": account,
        "period": "2026-10", "issue_date": date(2026, 11, 3), "due_date": date(2026, 11, 30),
        "payer": {"name": "Иванова Мария Петровна"},
        "premises": {"address": "г. Демоград, ул. Садовая, д. 12, кв. 45", "total_area": AREA,
                     "living_area": "38.1", "heated_area": AREA, "residents": 3},
        "executor": EXECUTOR, "recipients": [uk], "penalties": penalties, "debts": debts,
        "total_to_pay": uk["to_pay"],
    })


def _money(volume: str, tariff: str) -> int:
    return to_kopecks(Decimal(volume) * Decimal(tariff))
