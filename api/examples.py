"""Example situations shown in the OpenAPI (kept equal to examples/*.json by a test)."""

from typing import Any

METERED_FLAT: dict[str, Any] = {
    "period": "2026-10",
    "house": {
        "id": "Ленина 1",
        "house_type": "apartment_building",
        "heat_meter": False,
        "heating_payment": "season",
        "heating_season": True,
    },
    "accounts": [
        {
            "number": "1000000019",
            "area": "54.30",
            "rooms": 2,
            "amenities": "full",
            "residents": [
                {"person": "Иванов И. И.", "from": "2015-03-01"},
                {"person": "Иванова А. П.", "from": "2015-03-01"},
            ],
            "services": [
                {
                    "service": "cold_water",
                    "provider": "vodokanal",
                    "meters": [
                        {
                            "id": "ХВ-001",
                            "capacity": "100000",
                            "verified_until": "2031-05-01",
                            "readings": [
                                {"date": "2026-09-24", "value": "123.456"},
                                {"date": "2026-10-24", "value": "131.789"},
                            ],
                        }
                    ],
                },
                {
                    "service": "hot_water",
                    "provider": "teploset",
                    "meters": [
                        {
                            "id": "ГВ-001",
                            "capacity": "100000",
                            "verified_until": "2031-05-01",
                            "readings": [
                                {"date": "2026-09-24", "value": "45.100"},
                                {"date": "2026-10-24", "value": "48.300"},
                            ],
                        }
                    ],
                },
                {"service": "wastewater", "provider": "vodokanal"},
                {
                    "service": "electricity",
                    "provider": "energosbyt",
                    "meters": [
                        {
                            "id": "ЭЭ-001",
                            "capacity": "100000",
                            "verified_until": "2034-01-01",
                            "readings": [
                                {"date": "2026-09-25", "value": "15220", "zone": "single"},
                                {"date": "2026-10-25", "value": "15398", "zone": "single"},
                            ],
                        }
                    ],
                },
                {"service": "heating", "provider": "teploset"},
                {"service": "maintenance", "provider": "uk_primer"},
                {"service": "capital_repair", "provider": "fond_kr"},
                {"service": "solid_waste", "provider": "regoperator"},
                {"service": "intercom", "provider": "uk_primer"},
            ],
        }
    ],
}

NORM_WITH_COEFFICIENT: dict[str, Any] = {
    "period": "2026-10",
    "house": {"id": "Мира 7", "heating_season": True},
    "accounts": [
        {
            "number": "1000000027",
            "area": "62.00",
            "amenities": "full",
            "residents": [
                {"person": "Петров П. П.", "from": "2010-01-01"},
                {"person": "Петрова Е. В.", "from": "2010-01-01"},
                {"person": "Петров С. П.", "from": "2018-09-01"},
            ],
            "services": [
                {"service": "cold_water", "provider": "vodokanal", "meter_installable": True},
                {"service": "hot_water", "provider": "teploset", "meter_installable": True},
                {"service": "wastewater", "provider": "vodokanal"},
                {"service": "solid_waste", "provider": "regoperator"},
            ],
        }
    ],
}

SITUATION_EXAMPLES = {
    "metered_flat": {
        "summary": "Квартира с приборами учёта",
        "description": "Копия examples/metered_flat.json",
        "value": METERED_FLAT,
    },
    "norm_with_coefficient": {
        "summary": "Без приборов, норматив ×1,5",
        "description": "Копия examples/norm_with_coefficient.json",
        "value": NORM_WITH_COEFFICIENT,
    },
}
