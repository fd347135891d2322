"""Pydantic's validation errors in Russian: one message per error ``type``, with the values of
the error's ``ctx`` put in (``string_too_short`` → «не короче 3 символов»).

pydantic-core writes its messages in English only and offers no translation hook, but every
error carries a stable ``type`` and its ``ctx``: this table is keyed by them (every type
pydantic-core 2 knows — a test checks the table against ``list_all_errors()``). A type missing
here (a newer pydantic) gets a generic Russian message, never the English one. ``value_error``
and ``assertion_error`` carry the text our own validators raise (Russian): it is kept when it
has Cyrillic in it; an English text of a library becomes the generic message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

GENERIC = "недопустимое значение"

_CYRILLIC = re.compile("[А-Яа-яЁё]")


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form of a noun after ``n``: 1 символ, 2 символа, 5 символов."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _count(n: Any, one: str, few: str, many: str) -> str:
    try:
        number = int(n)
    except (TypeError, ValueError):
        return f"{n} {many}"
    return f"{number} {plural(number, one, few, many)}"


def _own_text(ctx: Mapping[str, Any]) -> str:
    text = str(ctx.get("error", "")).strip()
    return text if _CYRILLIC.search(text) else GENERIC


_DATE = "ожидается дата ГГГГ-ММ-ДД"
_DATETIME = "ожидаются дата и время (ГГГГ-ММ-ДДTЧЧ:ММ:СС)"
_TIME = "ожидается время ЧЧ:ММ[:СС]"
_INT = "ожидается целое число"
_NUMBER = "ожидается число"
_DECIMAL = "ожидается десятичное число (например 1234.56)"
_BOOL = "ожидается логическое значение (true или false)"
_STRING = "ожидается строка"
_OBJECT = "ожидается объект"

MESSAGES: dict[str, Any] = {
    "no_such_attribute": "нет такого поля",
    "json_invalid": "тело запроса — не JSON",
    "json_type": "ожидается текст JSON",
    "needs_python_object": GENERIC,
    "recursion_loop": "циклическая ссылка в данных",
    "recursion_depth_exceeded": "слишком глубокая вложенность данных",
    "missing": "обязательное поле не указано",
    "frozen_field": "поле нельзя изменить",
    "frozen_instance": "объект нельзя изменить",
    "extra_forbidden": "лишнее поле",
    "invalid_key": "ключи должны быть строками",
    "get_attribute_error": GENERIC,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
    "dataclass_exact_type": _OBJECT,
    "named_tuple_type": "ожидается список или объект",
    "default_factory_not_called": "значение по умолчанию не вычислено: в других полях ошибки",
    "none_required": "значение не должно быть указано (null)",
    "greater_than": "должно быть больше {gt}",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than": "должно быть меньше {lt}",
    "less_than_equal": "должно быть не больше {le}",
    "multiple_of": "должно быть кратно {multiple_of}",
    "finite_number": "ожидается конечное число",
    "too_short": lambda c: "нужно не меньше " + _count(c.get("min_length"), "элемента",
                                                      "элементов", "элементов")
                           + f", а дано {c.get('actual_length')}",
    "too_long": lambda c: "можно не больше " + _count(c.get("max_length"), "элемента",
                                                     "элементов", "элементов")
                          + f", а дано {c.get('actual_length')}",
    "iterable_type": "ожидается список",
    "iteration_error": "не удалось перебрать элементы",
    "string_type": _STRING,
    "string_unicode": "ожидается строка в UTF-8",
    "string_too_short": lambda c: "не короче " + _count(c.get("min_length"), "символа",
                                                       "символов", "символов"),
    "string_too_long": lambda c: "не длиннее " + _count(c.get("max_length"), "символа",
                                                       "символов", "символов"),
    "string_pattern_mismatch": "значение не подходит по формату (шаблон {pattern})",
    "string_not_ascii": "допустимы только латинские буквы, цифры и знаки ASCII",
    "enum": "допустимые значения: {expected}",
    "dict_type": _OBJECT,
    "frozen_dict_type": _OBJECT,
    "ordered_dict_type": _OBJECT,
    "counter_type": _OBJECT,
    "mapping_type": _OBJECT,
    "list_type": "ожидается список",
    "deque_type": "ожидается список",
    "tuple_type": "ожидается список",
    "set_type": "ожидается список без повторов",
    "set_item_not_hashable": "элементы множества должны быть простыми значениями",
    "bool_type": _BOOL,
    "bool_parsing": _BOOL,
    "int_type": _INT,
    "int_parsing": _INT,
    "int_parsing_size": "слишком большое целое число",
    "int_from_float": "ожидается целое число, без дробной части",
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "bytes_type": "ожидаются двоичные данные",
    "bytes_too_short": lambda c: "не короче " + _count(c.get("min_length"), "байта", "байтов",
                                                      "байтов"),
    "bytes_too_long": lambda c: "не длиннее " + _count(c.get("max_length"), "байта", "байтов",
                                                      "байтов"),
    "bytes_invalid_encoding": "данные не в кодировке {encoding}",
    "value_error": _own_text,
    "assertion_error": _own_text,
    "literal_error": "допустимые значения: {expected}",
    "missing_sentinel_error": GENERIC,
    "ellipsis_error": GENERIC,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "ожидается дата без времени",
    "date_past": "дата должна быть в прошлом",
    "date_future": "дата должна быть в будущем",
    "time_type": _TIME,
    "time_parsing": _TIME,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_past": "момент должен быть в прошлом",
    "datetime_future": "момент должен быть в будущем",
    "timezone_naive": "время без часового пояса",
    "timezone_aware": "время с часовым поясом",
    "timezone_offset": "ожидается смещение часового пояса {tz_expected}, а дано {tz_actual}",
    "time_delta_type": "ожидается продолжительность",
    "time_delta_parsing": "ожидается продолжительность",
    "frozen_set_type": "ожидается список без повторов",
    "is_instance_of": GENERIC,
    "is_subclass_of": GENERIC,
    "callable_type": GENERIC,
    "union_tag_invalid": "вид «{tag}» (поле {discriminator}) неизвестен; допустимые: "
                         "{expected_tags}",
    "union_tag_not_found": "не указан вид объекта (поле {discriminator})",
    "arguments_type": "ожидается список или объект",
    "missing_argument": "обязательное поле не указано",
    "unexpected_keyword_argument": "лишнее поле",
    "missing_keyword_only_argument": "обязательное поле не указано",
    "unexpected_positional_argument": "лишнее значение",
    "missing_positional_only_argument": "обязательное значение не указано",
    "multiple_argument_values": "значение указано дважды",
    "url_type": "ожидается адрес (URL)",
    "url_parsing": "ожидается адрес (URL)",
    "url_syntax_violation": "адрес (URL) записан с ошибкой",
    "url_too_long": lambda c: "адрес (URL) не длиннее " + _count(
        c.get("max_length"), "символа", "символов", "символов"),
    "url_scheme": "адрес должен начинаться с {expected_schemes}",
    "uuid_type": "ожидается UUID",
    "uuid_parsing": "ожидается UUID",
    "uuid_version": "ожидается UUID версии {expected_version}",
    "decimal_type": _DECIMAL,
    "decimal_parsing": _DECIMAL,
    "decimal_max_digits": lambda c: "не больше " + _count(c.get("max_digits"), "цифры",
                                                         "цифр", "цифр") + " всего",
    "decimal_max_places": lambda c: "не больше " + _count(
        c.get("decimal_places"), "знака", "знаков", "знаков") + " после запятой",
    "decimal_whole_digits": lambda c: "не больше " + _count(c.get("whole_digits"), "цифры",
                                                           "цифр", "цифр") + " до запятой",
    "fraction_type": "ожидается дробь (например 1/2)",
    "fraction_parsing": "ожидается дробь (например 1/2)",
    "complex_type": _NUMBER,
    "complex_str_parsing": _NUMBER,
}


def _value(value: Any) -> str:
    """A ``ctx`` value as put in a message: pydantic joins the choices with «or»."""
    return str(value).replace("' or '", "' или '").replace(" or ", " или ")


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def russian_message(error: Mapping[str, Any]) -> str:
    """The Russian text of one pydantic error (``{"type", "ctx", "msg", …}``): from the table
    by ``type`` with the ``ctx`` values put in; an unknown type gives the generic message.
    Never English (a ``value_error`` of a library in English becomes the generic message)."""
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    template = MESSAGES.get(str(error.get("type", "")), GENERIC)
    if callable(template):
        return str(template(ctx))
    try:
        return template.format_map(_Blank({k: _value(v) for k, v in ctx.items()}))
    except (ValueError, IndexError):
        return template
