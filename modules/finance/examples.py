"""Requests shown in the OpenAPI of the finance routes (kept equal to examples/*.json by a test).

Figures from REFERENCE §2–§3: a January-2026 debt of 3 000.00 with 1 000.00 paid on day 43
(penalty 55.27 on 20.05.2026: 13 + 60 days at 1/300 and 9 days at 1/130, all at the 9.5 % cap);
2 000.00 paid over 3 000.00 of charges → 1 000.00 / 266.67 / 400.00 / 333.33.
"""

from typing import Any

PENALTIES: dict[str, Any] = {
    "calc_date": "2026-05-20",
    "debts": [{"account": "1000000019", "period": "2026-01", "amount": "3000.00"}],
    "payments": [
        {"account": "1000000019", "date": "2026-03-25", "amount": "1000.00", "period": "2026-01"}
    ],
}

ALLOCATION: dict[str, Any] = {
    "payment": {"amount": "2000.00", "date": "2026-02-05", "period": "2026-01"},
    "open_lines": [
        {"period": "2026-01", "key": "maintenance", "amount": "1500.00"},
        {"period": "2026-01", "key": "cold_water", "amount": "400.00"},
        {"period": "2026-01", "key": "hot_water", "amount": "600.00"},
        {"period": "2026-01", "key": "electricity", "amount": "500.00"},
    ],
}

ALLOCATION_OLDEST_FIRST: dict[str, Any] = {
    "payment": {"amount": "1500.00"},
    "open_lines": [
        {"period": "2026-01", "key": "all", "amount": "1000.00"},
        {"period": "2026-02", "key": "all", "amount": "1200.00"},
        {"period": "2026-03", "key": "all", "amount": "1100.00"},
    ],
}

PENALTIES_EXAMPLES = {
    "partial_payment": {
        "summary": "Долг за январь 2026 с частичной оплатой",
        "description": "3 000,00 ₽ за 2026-01, 25.03.2026 оплачено 1 000,00 ₽; пени на "
                       "20.05.2026 = 55,27 ₽",
        "value": PENALTIES,
    },
}

ALLOCATION_EXAMPLES = {
    "proportional": {
        "summary": "2 000,00 ₽ по строкам ЕПД на 3 000,00 ₽",
        "description": "→ 1 000,00 / 266,67 / 400,00 / 333,33 (п. 118 ПП 354, метод "
                       "наибольших остатков)",
        "value": ALLOCATION,
    },
    "oldest_first": {
        "summary": "1 500,00 ₽ без периода: сначала самый ранний долг",
        "description": "→ январь 1 000,00, февраль 500,00",
        "value": ALLOCATION_OLDEST_FIRST,
    },
}
