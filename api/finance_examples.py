"""Request bodies shown in the OpenAPI of the finance routes (payments, parties, contracts,
transfers). Requisites are real-shaped and pass their check digits: ИНН 7736050003, БИК
044525225 with its correspondent account, a settlement account whose key agrees with the БИК.
"""

from typing import Any

BIK = "044525225"
CORR_ACCOUNT = "30101810400000000225"
SETTLEMENT_ACCOUNT = "40702810938000012345"


def _one(summary: str, value: dict[str, Any], description: str = "") -> dict[str, Any]:
    example: dict[str, Any] = {"summary": summary, "value": value}
    if description:
        example["description"] = description
    return example


PAYMENT = {
    "portal": _one("Оплата с портала за октябрь", {
        "account": "1000000019", "paid_on": "2026-11-05", "amount": "1500.00",
        "channel": "portal", "operation_id": "P-2026-000123", "period": "2026-10"},
        "Сумма — строка с двумя знаками после запятой; число с плавающей точкой отклоняется"),
    "by_service": _one("Оплата отдельных услуг", {
        "account": "1000000019", "paid_on": "2026-11-05", "amount": "400.00",
        "services": ["cold_water"], "reason": "оплата по квитанции ХВС"}),
}

REVERSE = {
    "wrong_account": _one("Сторно: оплата не на тот счёт", {
        "reason": "ошибка в номере лицевого счёта, заявление плательщика от 06.11.2026"}),
}

MATCH = {
    "found": _one("Невыясненный платёж найден", {
        "account": "1000000019", "reason": "плательщик подтвердил счёт по телефону"}),
}

COMPANY = {
    "company": _one("Управляющая организация", {
        "name": "ООО «УК Центральная»", "inn": "7736050003", "kpp": "773601001",
        "ogrn": "1027700132195", "address": "г. Москва, ул. Ленина, 1",
        "phone": "+7 495 000-00-00"}),
}

PROVIDER = {
    "provider": _one("Ресурсоснабжающая организация", {
        "code": "vodokanal", "name": "АО «Водоканал»", "inn": "7702070139",
        "kpp": "770201001"}),
}

TERMS = {
    "daily": _one("Ежедневное перечисление, вознаграждение 1,5 %", {
        "date_from": "2026-01-01", "bank_name": "ПАО Сбербанк", "bik": BIK,
        "settlement_account": SETTLEMENT_ACCOUNT, "corr_account": CORR_ACCOUNT,
        "fee_kind": "percent", "fee": "1.5", "transfer_rule": "daily"}),
    "days": _one("Перечисление 10 и 25 числа, 5 ₽ за платёж", {
        "date_from": "2026-07-01", "bank_name": "ПАО Сбербанк", "bik": BIK,
        "settlement_account": SETTLEMENT_ACCOUNT, "corr_account": CORR_ACCOUNT,
        "fee_kind": "fixed", "fee": "5.00", "transfer_rule": "days",
        "transfer_days": [10, 25], "reason": "дополнительное соглашение № 2"}),
}

CONTRACT = {
    "house": _one("Договор на ХВС и водоотведение одного дома", {
        "provider_id": 1, "number": "ВК-17/2026", "signed_on": "2025-12-20",
        "date_from": "2026-01-01",
        "scope": [{"house_id": 1, "service": "cold_water"},
                  {"house_id": 1, "service": "wastewater"}],
        "terms": TERMS["daily"]["value"]}),
    "company": _one("Договор на все дома управляющей организации", {
        "provider_id": 1, "management_company_id": 1, "number": "ВК-18/2026",
        "date_from": "2026-01-01", "scope": [{"service": "cold_water"}],
        "terms": TERMS["daily"]["value"]}),
}

TRANSFER = {
    "sent": _one("Перечисление за неделю отправлено", {
        "provider_id": 1, "date_from": "2026-11-01", "date_to": "2026-11-07",
        "reference": "п/п № 1345"}),
}
