"""Every pydantic error in a rule file becomes a Russian message, a dotted field path as
written in the YAML and its line: each message pinned, and no English one ever comes back."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from zhkh.kernel.rulebook.fields import issue
from zhkh.kernel.rulebook.validation import label, normalize_path, problems_from
from zhkh.kernel.rulebook.yamlio import load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Meter(_Strict):
    method: Literal["meter"]
    zones: StrictInt = 1


class Average(_Strict):
    method: Literal["average"]
    min_months: Annotated[StrictInt, Field(ge=1)]
    fallback: Literal["norm", "zero"] = "norm"


class Rule(_Strict):
    id: Annotated[StrictStr, Field(min_length=1, pattern=r"^[a-z0-9_.]+$")]
    title: StrictStr
    active: StrictBool = True
    days: Annotated[StrictInt, Field(le=31)] = 1
    then: Annotated[Meter | Average, Field(discriminator="method")]
    items: Annotated[list[StrictStr], Field(max_length=3)] = []
    pair: tuple[StrictInt, StrictInt] = (0, 0)
    since: date | None = None
    sub: Meter | None = None


GOOD = """\
id: cold_water.by_meter
title: По прибору
then: {method: meter}
"""


def problems(text: str):
    raw, issues = load_yaml(textwrap.dedent(text))
    assert not issues
    with pytest.raises(ValidationError) as caught:
        Rule.model_validate(raw)
    return problems_from(caught.value, file="methods/x.yaml", raw=raw, rule_id="r.1", model=Rule)


def one(text: str):
    (problem,) = problems(text)
    assert problem.file == "methods/x.yaml" and problem.rule_id == "r.1"
    return problem.field, problem.line, problem.message


def test_the_good_rule_is_valid():
    raw, _ = load_yaml(GOOD)
    assert Rule.model_validate(raw).then.method == "meter"


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("title: По прибору", "title: 12"),
     ("title", 2, "ожидается строка, получено 12")),
    (GOOD + "days: x\n", ("days", 4, "ожидается целое число, получено 'x'")),
    (GOOD + "days: 1.5\n", ("days", 4, "ожидается целое число, получено 1.5")),
    (GOOD + "days: '1.5'\n", ("days", 4, "ожидается целое число, получено '1.5'")),
    (GOOD + "active: 1\n", ("active", 4, "ожидается true или false, получено 1")),
    (GOOD.replace("id: cold_water.by_meter", "id: ''"), ("id", 1, "не может быть пустым")),
    (GOOD.replace("id: cold_water.by_meter", "id: Cold"),
     ("id", 1, "'Cold': допустимы строчные латинские буквы, цифры и «_» (например cold_water)")),
    (GOOD.replace("{method: meter}", "{method: average, min_months: 0}"),
     ("then.min_months", 3, "должно быть не меньше 1")),
    (GOOD.replace("{method: meter}", "{method: average, min_months: 2, fallback: one}"),
     ("then.fallback", 3, "недопустимое значение 'one'; допустимы: 'norm' or 'zero'")),
    (GOOD.replace("then: {method: meter}", "then: 5"),
     ("then", 3, "ожидается словарь «ключ: значение»")),
    (GOOD + "sub: [1]\n", ("sub", 4, "ожидается словарь «ключ: значение»")),
    (GOOD + "items: x\n", ("items", 4, "ожидается список")),
    (GOOD + "pair: x\n", ("pair", 4, "ожидается список")),
    (GOOD.replace("{method: meter}", "{method: norm}"),
     ("then.method", 3, "недопустимое значение 'norm'; допустимы: 'meter', 'average'")),
    (GOOD.replace("{method: meter}", "{zones: 2}"),
     ("then.method", 3, "не задан ключ 'method'")),
    (GOOD.replace("title: По прибору\n", ""),
     ("title", 1, "не задано обязательное поле title: добавьте его")),
    (GOOD + "colour: red\n",
     ("colour", 4, "неизвестный ключ 'colour'; допустимы: id, title, active, days, then, items, "
                   "pair, since, sub")),
    (GOOD.replace("{method: meter}", "{method: average, min_months: 2, zone: 1}"),
     ("then.zone", 3, "неизвестный ключ 'zone'; допустимы: method, min_months, fallback")),
    (GOOD + "sub: {method: meter, x: 1}\n",
     ("sub.x", 4, "неизвестный ключ 'x'; допустимы: method, zones")),
    (GOOD + "items: [a, 2]\n", ("items.1", 4, "ожидается строка, получено 2")),
])
def test_each_kind_of_error_has_its_russian_message_and_the_field_as_written(text, expected):
    assert one(text) == expected


def test_a_kind_without_its_own_message_still_gets_a_russian_one_naming_the_value():
    field, line, message = one(GOOD + "days: 40\n")
    assert (field, line) == ("days", 4)
    assert message == "должно быть не больше 31, получено 40"
    assert one(GOOD + "since: 2026-13-01\n")[2] == \
        "ожидается дата ГГГГ-ММ-ДД, получено '2026-13-01'"
    assert one(GOOD + "items: [a, b, c, d]\n")[2] == "слишком много элементов: не больше 3"


def test_an_error_kind_outside_the_table_names_the_value_and_the_code_in_russian():
    class Odd(_Strict):
        x: float

    raw, _ = load_yaml("x: [1]\n")
    with pytest.raises(ValidationError) as caught:
        Odd.model_validate(raw)
    (p,) = problems_from(caught.value, file="f.yaml", raw=raw, rule_id=None, model=Odd)
    assert p.message == "недопустимое значение [1] (float_type)"


ENGLISH = re.compile(r"\b(Input|should|Field|required|Extra|inputs|permitted|valid|"
                     r"greater|less|than|equal|Value|error)\b")


@pytest.mark.parametrize("extra", [
    "days: 40\n", "days: x\n", "since: 2026-13-01\n", "since: 5\n", "pair: [1, 2, 3]\n",
    "pair: [1, x]\n", "items: [[1]]\n", "sub: {method: meter, zones: x}\n", "active: yes2\n",
    "colour: 1\n", "items: [a, b, c, d]\n", "sub: {method: x}\n",
])
def test_no_message_is_ever_pydantics_english(extra):
    for problem in problems(GOOD + extra):
        assert not ENGLISH.search(problem.message), problem
        assert re.search("[а-яё]", problem.message), problem


def test_a_value_error_raised_by_a_validator_keeps_its_own_russian_text():
    class WithCheck(_Strict):
        n: StrictInt

        def model_post_init(self, _):
            if self.n < 0:
                raise ValueError("n не может быть отрицательным")

    raw, _ = load_yaml("n: -1\n")
    with pytest.raises(ValidationError) as caught:
        WithCheck.model_validate(raw)
    (p,) = problems_from(caught.value, file="f.yaml", raw=raw, rule_id=None, model=WithCheck)
    assert "n не может быть отрицательным" in p.message and "Value error" not in p.message


def test_an_error_with_several_issues_becomes_several_problems_under_its_field():
    from pydantic import PlainValidator

    def two(_value):
        raise issue([(("a",), "первая беда"), (("b", 0), "вторая беда")])

    class Many(_Strict):
        block: Annotated[dict, PlainValidator(two)]

    raw, _ = load_yaml("block:\n  a: 1\n  b: [2]\n")
    with pytest.raises(ValidationError) as caught:
        Many.model_validate(raw)
    found = problems_from(caught.value, file="f.yaml", raw=raw, rule_id="m", model=Many)
    assert [(p.field, p.line, p.message) for p in found] == [
        ("block.a", 2, "первая беда"), ("block.b.0", 3, "вторая беда")]


def test_a_path_follows_mappings_lists_and_drops_union_tags():
    raw = {"then": {"method": "average", "min_months": 0}, "values": {date(2026, 1, 1): "x"},
           "list": [{"a": 1}]}
    assert normalize_path(raw, ["then", "average", "min_months"]) == ["then", "min_months"]
    assert normalize_path(raw, ["values", 0]) == ["values", date(2026, 1, 1)]
    assert normalize_path(raw, ["list", 0, "a"]) == ["list", 0, "a"]
    assert normalize_path(raw, ["list", 5, "a"]) == ["list", 5, "a"]
    assert normalize_path(raw, ["missing", "x"]) == ["missing", "x"]
    assert normalize_path(raw, ["values", 3]) == ["values", 3]
    assert label(["values", date(2026, 1, 1), 2]) == "values.2026-01-01.2"
    assert label([]) is None


class Lax(BaseModel):
    """Lax (coercing) fields give the error kinds strict ones never do."""

    model_config = ConfigDict(extra="forbid")
    n: int = 0
    g: Annotated[int, Field(gt=0)] = 1
    lt: Annotated[int, Field(lt=10)] = 1
    d: date | None = None
    xs: Annotated[list[int], Field(min_length=2)] = [1, 2]
    m: dict[str, int] = {}


def lax(raw: dict) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as caught:
        Lax.model_validate(raw)
    return [(p.field, p.message) for p in
            problems_from(caught.value, file="f.yaml", raw=raw, rule_id=None, model=Lax)]


@pytest.mark.parametrize(("raw", "expected"), [
    ({"n": "x"}, ("n", "ожидается целое число, получено 'x'")),
    ({"n": 1.5}, ("n", "ожидается целое число, получено 1.5")),
    ({"g": 0}, ("g", "должно быть больше 0")),
    ({"lt": 10}, ("lt", "должно быть меньше 10, получено 10")),
    ({"d": "x"}, ("d", "ожидается дата ГГГГ-ММ-ДД, получено 'x'")),
    ({"d": [1]}, ("d", "ожидается дата ГГГГ-ММ-ДД, получено [1]")),
    ({"xs": [1]}, ("xs", "слишком мало элементов: не меньше 2")),
    ({"m": [1]}, ("m", "ожидается словарь «ключ: значение»")),
])
def test_coercion_errors_have_their_russian_messages(raw, expected):
    assert lax(raw) == [expected]


def test_a_date_given_as_bytes_is_a_date_parsing_error_in_russian():
    (found,) = lax({"d": b"2026-99-99"})
    assert found[1].startswith("ожидается дата ГГГГ-ММ-ДД, получено")


def test_a_parsing_error_outside_the_table_never_shows_its_english_context():
    from datetime import datetime

    class When(BaseModel):
        at: datetime

    raw = {"at": "x"}
    with pytest.raises(ValidationError) as caught:
        When.model_validate(raw)
    (p,) = problems_from(caught.value, file="f.yaml", raw=raw, rule_id=None, model=When)
    assert p.message.startswith("недопустимое значение 'x' (datetime_")
    assert "input" not in p.message


class Plain(_Strict):
    name: StrictStr = ""


class Inner(_Strict):
    deep: Meter
    label: StrictStr = ""


class Outer(_Strict):
    id: StrictStr = "x"
    inner: Inner | None = None
    u: Plain | Meter | None = None
    subs: list[Annotated[Meter, "a tagged item"]] = []
    keyed: Inner | None = None


def outer(raw: dict) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate(raw)
    return [(p.field, p.message) for p in
            problems_from(caught.value, file="f.yaml", raw=raw, rule_id=None, model=Outer)]


def test_an_unknown_key_two_levels_down_lists_the_keys_of_its_own_block():
    assert outer({"inner": {"deep": {"method": "meter", "x": 1}}}) == [
        ("inner.deep.x", "неизвестный ключ 'x'; допустимы: method, zones")]


def test_an_unknown_key_in_a_list_item_lists_the_item_s_keys():
    assert outer({"subs": [{"method": "meter", "y": 1}]}) == [
        ("subs.0.y", "неизвестный ключ 'y'; допустимы: method, zones")]


def test_the_id_of_a_nested_block_is_not_offered_but_the_rule_s_own_id_is():
    assert outer({"colour": 1})[0][1].startswith("неизвестный ключ 'colour'; допустимы: id, ")

    class WithId(_Strict):
        id: StrictStr = ""
        a: StrictInt = 0

    class Holder(_Strict):
        block: WithId

    raw = {"block": {"b": 1}}
    with pytest.raises(ValidationError) as caught:
        Holder.model_validate(raw)
    (p,) = problems_from(caught.value, file="f.yaml", raw=raw, rule_id=None, model=Holder)
    assert p.message == "неизвестный ключ 'b'; допустимы: a"


@pytest.mark.parametrize("method", ["meter", "norm"])
def test_an_untagged_union_is_reported_without_a_crash_whatever_its_members(method):
    found = outer({"u": {"method": method, "x": 1}})
    assert found and all(f.startswith("u.") for f, _ in found)
    assert all(re.search("[а-яё]", m) for _, m in found)


def test_a_path_past_the_end_of_a_list_or_mapping_is_kept_as_given():
    raw = {"list": [{"method": "average", "n": 1}], "values": {date(2026, 1, 1): "x"}}
    assert normalize_path(raw, ["list", 1, "a"]) == ["list", 1, "a"]
    assert normalize_path(raw, ["list", -1, "a"]) == ["list", -1, "a"]
    assert normalize_path(raw, ["values", 1]) == ["values", 1]
    assert normalize_path(raw, ["values", -1]) == ["values", -1]
    assert normalize_path(raw, ["list", 0, "average", "n"]) == ["list", 0, "n"]
