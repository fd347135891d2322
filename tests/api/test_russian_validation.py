"""Validation errors answer in Russian with the field path kept: pydantic's English
(«Field required», «Input should be a valid string», «Value error, …») never reaches a
caller."""

from __future__ import annotations

import re

import pytest
from pydantic_core._pydantic_core import list_all_errors

from zhkh.modules.validation_messages import GENERIC, MESSAGES, plural, russian_message

# a word of two or more Latin letters; ctx values (patterns, choices) are checked apart
# (JSON's literals and the names of formats are not English words)
LATIN_WORD = re.compile(r"\b(?!(?:true|false|null|JSON|URL|UUID|ASCII|UTF)\b)[A-Za-z]{2,}\b")
CTX = {"gt": 0, "ge": 1, "lt": 5, "le": 9, "multiple_of": 2, "min_length": 3, "max_length": 21,
       "actual_length": 1, "pattern": "^x$", "expected": "'a' or 'b'", "error": "some error",
       "encoding": "utf-8", "tz_expected": 0, "tz_actual": 3, "tag": "t",
       "discriminator": "вид", "expected_tags": "'a', 'b'", "expected_schemes": "'https'",
       "expected_version": 4, "max_digits": 12, "decimal_places": 2, "whole_digits": 10,
       "class_name": "AccountCreate", "field_type": "List", "class": "X", "method_name": "m",
       "attribute": "a", "encoding_error": "bad"}


def test_every_error_type_of_pydantic_core_has_a_russian_message():
    types = {e["type"] for e in list_all_errors()}
    assert types - MESSAGES.keys() == set()


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_no_message_has_an_english_word(kind):
    text = russian_message({"type": kind, "ctx": CTX, "msg": "Input should be English"})
    for value in ("^x$", "'a' или 'b'", "'a', 'b'", "'https'", "utf-8"):
        text = text.replace(value, "")
    assert re.search("[а-яё]", text), text
    assert not LATIN_WORD.search(text), text


def test_the_context_is_put_in_with_russian_plurals():
    assert russian_message({"type": "string_too_short", "ctx": {"min_length": 1}}) == \
        "не короче 1 символа"
    assert russian_message({"type": "string_too_long", "ctx": {"max_length": 500}}) == \
        "не длиннее 500 символов"
    assert russian_message({"type": "greater_than_equal", "ctx": {"ge": 0}}) == \
        "должно быть не меньше 0"
    assert russian_message({"type": "literal_error", "ctx": {"expected": "'cash' or 'card'"}}
                           ) == "допустимые значения: 'cash' или 'card'"
    assert [plural(n, "день", "дня", "дней") for n in (1, 2, 5, 11, 21, 22, 112)] == [
        "день", "дня", "дней", "дней", "день", "дня", "дней"]


def test_our_validators_keep_their_russian_text_and_a_library_english_one_is_replaced():
    assert russian_message({"type": "value_error", "ctx": {"error": ValueError(
        "контрольная цифра не сходится")}}) == "контрольная цифра не сходится"
    assert russian_message({"type": "value_error", "ctx": {"error": "Invalid isoformat"}}) \
        == GENERIC
    assert russian_message({"type": "a_type_of_a_future_pydantic", "msg": "Nope"}) == GENERIC


def _fields(response):
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    assert "Input" not in body["message"] and "Value error" not in body["message"]
    return {f["path"]: f["message"] for f in body["fields"]}


def test_the_api_answers_a_bad_account_in_russian_with_the_paths(api, world):
    fields = _fields(api.post("/v1/accounts", {
        "number": "12345678", "premises_id": "пятая", "opened_on": "31.12.2020",
        "services": [{"service": 5}], "colour": "red"}))
    number = fields.pop("number")
    assert re.search("[а-яё]", number) and not LATIN_WORD.search(number), number
    assert fields == {
        "premises_id": "ожидается целое число",
        "opened_on": "ожидается дата ГГГГ-ММ-ДД",
        "services.0.service": "ожидается строка",
        "services.0.provider": "обязательное поле не указано",
        "services.0.date_from": "обязательное поле не указано",
        "colour": "лишнее поле",
    }
    for message in fields.values():
        assert not LATIN_WORD.search(message), message


def test_the_api_answers_a_too_short_address_and_a_bad_query_in_russian(api):
    fields = _fields(api.post("/v1/houses", {"address": ""}))
    assert fields == {"address": "не короче 1 символа"}
    response = api.client.post("/v1/houses", content="{не json".encode(),
                               headers={**api.headers("admin"),
                                        "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"][0]["message"] == "тело запроса — не JSON"
    for message in {f["message"] for f in response.json()["error"]["fields"]}:
        assert not LATIN_WORD.search(message), message
