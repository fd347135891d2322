"""Rulebook versions, inline overrides, dated values and the strict YAML reader."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhkh.kernel.rulebook import RulebookError, load_rulebook, rulebook_from_overrides
from zhkh.kernel.rulebook.fields import parse_dated
from zhkh.kernel.rulebook.yamlio import load_yaml
from zhkh.rules import RULES_DIR


@pytest.fixture()
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    return target


def test_the_version_is_stable_for_the_same_files(rules_copy):
    assert load_rulebook(rules_copy).version == load_rulebook(RULES_DIR).version


def test_the_version_changes_when_a_rule_file_changes(rules_copy):
    before = load_rulebook(rules_copy).version
    path = rules_copy / "tariffs" / "gas.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"9.74"', '"9.75"'),
                    encoding="utf-8")
    assert load_rulebook(rules_copy).version != before


def test_the_version_ignores_the_readme_and_examples(rules_copy):
    before = load_rulebook(rules_copy).version
    (rules_copy / "README.md").write_text("другой текст\n", encoding="utf-8")
    (rules_copy / "tests").mkdir(exist_ok=True)
    (rules_copy / "tests" / "new_case.yaml").write_text("x: 1\n", encoding="utf-8")
    assert load_rulebook(rules_copy).version == before


def test_an_override_puts_one_value_in_force_at_every_date():
    book = load_rulebook(RULES_DIR)
    changed = rulebook_from_overrides(book, tariffs={"cold_water.vodokanal": Decimal("50")},
                                      norms={"cold_water.norm.full": "5.1"})
    tariff = changed.by_id("cold_water.vodokanal")
    assert tariff.values.at(date(2020, 1, 1)) == tariff.values.at(date(2030, 1, 1)) == 50
    assert changed.by_id("cold_water.norm.full").values.at(date(2026, 1, 1)) == Decimal("5.1")
    assert tariff.file == "tariffs/water.yaml" and tariff.line
    assert book.by_id("cold_water.vodokanal").values.at(date(2026, 1, 1)) == Decimal("53.74")
    assert changed.by_id("gas.gorgaz") is book.by_id("gas.gorgaz")
    assert changed.version.startswith(book.version + "+") and changed.version != book.version


def test_the_same_overrides_give_the_same_version_and_none_give_the_same_book():
    book = load_rulebook(RULES_DIR)
    first = rulebook_from_overrides(book, tariffs={"gas.gorgaz": "9.1"})
    second = rulebook_from_overrides(book, tariffs={"gas.gorgaz": Decimal("9.10")})
    assert first.version == second.version
    assert rulebook_from_overrides(book) is book


def test_an_override_of_an_unknown_or_wrong_kind_id_is_refused_by_name():
    book = load_rulebook(RULES_DIR)
    with pytest.raises(RulebookError) as caught:
        rulebook_from_overrides(book, tariffs={"no.such": "1", "cold_water.norm.full": "2"},
                                norms={"gas.norm.stove": "abc"})
    found = {(p.rule_id, p.field) for p in caught.value.problems}
    assert found == {("no.such", "tariffs.no.such"),
                     ("cold_water.norm.full", "tariffs.cold_water.norm.full"),
                     ("gas.norm.stove", "norms.gas.norm.stove")}


def test_rules_of_an_unsupported_kind_cannot_be_asked_for():
    book = load_rulebook(RULES_DIR)
    with pytest.raises(KeyError):
        book.rules("horoscopes")
    with pytest.raises(KeyError, match=r"no\.such"):
        book.by_id("no.such")


steps_strategy = st.lists(
    st.tuples(st.dates(date(2000, 1, 1), date(2040, 12, 31)),
              st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False)),
    min_size=1, max_size=8, unique_by=lambda s: s[0],
).map(sorted)


@given(steps_strategy, st.dates(date(1999, 1, 1), date(2041, 12, 31)))
def test_the_value_on_a_day_is_the_last_step_on_or_before_it(steps, day):
    values = parse_dated({d: str(v) for d, v in steps})
    earlier = [v for d, v in steps if d <= day]
    assert values.at(day) == (earlier[-1] if earlier else None)


@given(steps_strategy)
def test_each_effective_date_splits_old_and_new_values(steps):
    values = parse_dated({d: str(v) for d, v in steps})
    for i, (day, value) in enumerate(steps):
        assert values.at(day) == value
        before = values.at(day - timedelta(days=1))
        assert before == (steps[i - 1][1] if i else None)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=6, allow_nan=False))
def test_a_yaml_float_is_the_exact_decimal_of_its_text(number):
    text = format(number, "f")
    if "." not in text:
        text += ".0"
    data, issues = load_yaml(f"value: {text}\n")
    assert issues == [] and data["value"] == Decimal(text)
    assert isinstance(data["value"], Decimal)
