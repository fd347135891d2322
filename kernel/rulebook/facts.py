"""The facts catalogue: the attributes a rule's ``when:`` may name.

A signature (one account × service in a period) is a flat dict of these attributes. A rule
naming an attribute that is not here, comparing it with a value of the wrong type, or using a
value outside its list, is refused at load time. The calculation must fill the attributes the
shipped rules use; an attribute it leaves out simply makes the tests on it false.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from zhkh.kernel.rulebook.conditions import Condition, Op, Test


class FactType(StrEnum):
    ENUM = "enum"
    INT = "int"
    BOOL = "bool"
    STR = "str"


@dataclass(frozen=True, slots=True)
class Fact:
    """One documented attribute: its type, allowed values (enum) or bounds (int), meaning."""

    name: str
    type: FactType
    description: str
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


def _enum(name: str, values: str, description: str) -> Fact:
    return Fact(name, FactType.ENUM, description, tuple(values.split()))


def _int(name: str, description: str, minimum: int | None = 0, maximum: int | None = None) -> Fact:
    return Fact(name, FactType.INT, description, minimum=minimum, maximum=maximum)


_FACTS = (
    Fact("service", FactType.STR, "Услуга — идентификатор из rules/services.yaml (cold_water …)"),
    Fact("component", FactType.STR,
         "Составляющая услуги из services.yaml (у ГВС: water — теплоноситель, heat — подогрев)"),
    _enum("zone", "single day night peak half_peak",
          "Зона суток электроэнергии (приказ ФСТ №1473-э): single — однотарифный учёт, "
          "day/night — две зоны, peak/half_peak/night — три зоны"),
    Fact("provider", FactType.STR, "Поставщик (РСО, региональный оператор), код из картотеки"),
    _enum("meter", "absent working failed expired",
          "Индивидуальный прибор учёта: нет; исправен; вышел из строя или утрачен; "
          "истёк межповерочный интервал (п. 81(12) ПП №354)"),
    _enum("readings", "present missing", "Показания за период: переданы; не переданы"),
    _enum("shared_meter", "absent present missing",
          "Общеквартирный прибор учёта коммунальной квартиры (комната): нет; есть, показания за "
          "период переданы; есть, показаний нет"),
    _int("months_without_readings",
         "Сколько расчётных периодов подряд, включая текущий, нет пригодных показаний "
         "(для неисправного или просроченного прибора — считая с месяца события)"),
    _int("history_months",
         "За сколько месяцев есть показания исправного прибора для расчёта среднего (п. 59)"),
    Fact("meter_installable", FactType.BOOL,
         "Обязанность и техническая возможность установить прибор учёта "
         "(false — есть акт об отсутствии технической возможности)"),
    _int("meter_access_refusals",
         "Число задокументированных недопусков для установки или проверки прибора "
         "электроэнергии (после 01.07.2020 прибор ставит гарантирующий поставщик)"),
    _int("zones", "Число тарифных зон прибора электроэнергии", minimum=1, maximum=3),
    _enum("house_type", "apartment_building private",
          "Тип дома: многоквартирный; жилой дом (домовладение)"),
    Fact("house_heat_meter", FactType.BOOL,
         "Есть ли в доме общедомовой прибор учёта тепловой энергии (ОДПУ)"),
    _enum("heating_payment", "season evenly",
          "Способ оплаты отопления, выбранный субъектом РФ: в отопительный период; "
          "равномерно в течение года"),
    Fact("heating_season", FactType.BOOL, "Расчётный период входит в отопительный период"),
    _int("heating_season_months",
         "Число месяцев отопительного периода (в том числе неполных) в календарном году "
         "расчётного периода — по календарю facts/ (коэффициент ф. 2(1): месяцы / 12)",
         minimum=1, maximum=12),
    _enum("premises_kind", "flat room nonresidential",
          "Помещение: квартира; комната в коммунальной квартире; нежилое помещение"),
    _enum("amenities", "full no_bath no_hot_water",
          "Степень благоустройства для нормативов воды и газа: full — ХВС, ГВС, ванна; "
          "no_bath — ХВС, ГВС, без ванны (душ); no_hot_water — без централизованного ГВС "
          "(водонагреватель)"),
)

FACTS: Mapping[str, Fact] = MappingProxyType({f.name: f for f in _FACTS})
"""Every attribute a condition may name, by name."""

_ORDER_OPS = (Op.LT, Op.LTE, Op.GT, Op.GTE)


def describe() -> list[dict[str, Any]]:
    """The catalogue as JSON-ready dicts (name, type, description, values, minimum, maximum)."""
    return [
        {"name": f.name, "type": f.type.value, "description": f.description,
         "values": list(f.values), "minimum": f.minimum, "maximum": f.maximum}
        for f in _FACTS
    ]


def check_condition(condition: Condition) -> list[tuple[str, str]]:
    """Problems of a parsed condition against the catalogue, as (attribute, Russian message)."""
    issues: list[tuple[str, str]] = []
    for test in condition:
        fact = FACTS.get(test.attr)
        if fact is None:
            issues.append((test.attr, f"неизвестный атрибут {test.attr!r}; допустимы: "
                                      f"{', '.join(FACTS)} (см. kernel/rulebook/facts.py)"))
            continue
        message = _check_test(fact, test)
        if message:
            issues.append((test.attr, message))
    return issues


def _check_test(fact: Fact, test: Test) -> str | None:
    if test.op in (Op.PRESENT, Op.ABSENT):
        return None
    if test.op in _ORDER_OPS and fact.type is not FactType.INT:
        return (f"сравнение {test.op.value} допустимо только для целых атрибутов, "
                f"а {fact.name} — {_TYPE_RU[fact.type]}")
    values = test.value if isinstance(test.value, tuple) else (test.value,)
    for value in values:
        message = _check_value(fact, value)
        if message:
            return message
    return None


def _check_value(fact: Fact, value: Any) -> str | None:
    expected = _TYPE_RU[fact.type]
    if fact.type is FactType.BOOL:
        return None if isinstance(value, bool) else f"ожидается true или false, получено {value!r}"
    if fact.type is FactType.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"ожидается {expected}, получено {value!r}"
        if (fact.minimum is not None and value < fact.minimum) or (
                fact.maximum is not None and value > fact.maximum):
            return f"значение {value} вне допустимого диапазона {_bounds(fact)}"
        return None
    if not isinstance(value, str):
        return f"ожидается {expected}, получено {value!r} (возьмите значение в кавычки?)"
    if fact.type is FactType.ENUM and value not in fact.values:
        return f"недопустимое значение {value!r}; допустимы: {', '.join(fact.values)}"
    return None


def _bounds(fact: Fact) -> str:
    low = "" if fact.minimum is None else str(fact.minimum)
    high = "" if fact.maximum is None else str(fact.maximum)
    return f"{low}..{high}"


_TYPE_RU = {
    FactType.ENUM: "одно из значений списка",
    FactType.INT: "целое число",
    FactType.BOOL: "логическое значение",
    FactType.STR: "строка",
}
