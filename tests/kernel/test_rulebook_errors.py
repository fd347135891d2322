"""Every kind of mistake in rule files is reported with file, line, rule id, field and a fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from zhkh.kernel.rulebook import Problem, RulebookError, load_rulebook
from zhkh.kernel.rulebook.kinds import KINDS, OPTIONAL_KINDS

SERVICES = """\
services:
  cold_water:
    title: ХВС
    unit: м³
"""
TARIFF = """\
tariffs:
  - id: cold_water.vodokanal
    title: ХВС
    source: иллюстративно
    service: cold_water
    unit: руб/м³
    values: {2025-07-01: "52.84"}
"""
METHOD = """\
methods:
  - id: cold_water.by_meter
    title: По прибору
    source: ф. 1
    when: {service: cold_water, meter: working}
    then: {method: meter}
"""


def write_rules(root: Path, **files: str) -> Path:
    """A minimal valid rules folder, with ``files`` (relative path → text) added or replaced."""
    base = {"services.yaml": SERVICES, "tariffs/cold_water.yaml": TARIFF,
            "methods/cold_water.yaml": METHOD}
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def problems(root: Path) -> tuple[Problem, ...]:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(root)
    return caught.value.problems


def only(root: Path) -> Problem:
    (problem,) = problems(root)
    return problem


def test_the_minimal_folder_is_valid(tmp_path):
    book = load_rulebook(write_rules(tmp_path))
    assert [r.id for r in book.tariffs] == ["cold_water.vodokanal"]


def test_a_repeated_yaml_key_is_reported_at_its_second_line(tmp_path):
    text = TARIFF.replace("    unit: руб/м³\n", "    unit: руб/м³\n    title: Ещё раз\n")
    p = only(write_rules(tmp_path, **{"tariffs/cold_water.yaml": text}))
    assert (p.file, p.line, p.rule_id, p.field) == (
        "tariffs/cold_water.yaml", 7, "cold_water.vodokanal", "title")
    assert "повторяется" in p.message and "строке 3" in p.message


def test_a_duplicate_id_across_kinds_names_the_first_place(tmp_path):
    norm = """\
    norms:
      - id: cold_water.vodokanal
        title: Норматив
        source: иллюстративно
        service: cold_water
        unit: м³/чел·мес
        values: {2017-06-01: "4.9"}
    """
    p = only(write_rules(tmp_path, **{"norms/cold_water.yaml": norm}))
    assert (p.file, p.line, p.rule_id, p.field) == (
        "norms/cold_water.yaml", 2, "cold_water.vodokanal", "id")
    assert "tariffs/cold_water.yaml:2" in p.message


def test_unordered_dates_point_at_the_out_of_order_date(tmp_path):
    text = TARIFF.replace('values: {2025-07-01: "52.84"}',
                          'values:\n      2026-01-01: "55.12"\n      2025-07-01: "52.84"')
    p = only(write_rules(tmp_path, **{"tariffs/cold_water.yaml": text}))
    assert (p.line, p.rule_id, p.field) == (9, "cold_water.vodokanal", "values.2025-07-01")
    assert "по возрастанию" in p.message


def test_a_non_decimal_value_renders_as_file_line_rule_field_message(tmp_path):
    text = TARIFF.replace('values: {2025-07-01: "52.84"}',
                          'values:\n      2025-07-01: "52.84"\n      2026-01-01: "abc"')
    p = only(write_rules(tmp_path, **{"tariffs/cold_water.yaml": text}))
    assert str(p) == ("tariffs/cold_water.yaml:9 [cold_water.vodokanal] values.2026-01-01: "
                      "не десятичное число: 'abc'")


def test_an_unknown_key_lists_the_allowed_ones(tmp_path):
    text = TARIFF.replace("    unit: руб/м³\n", "    unit: руб/м³\n    colour: red\n")
    p = only(write_rules(tmp_path, **{"tariffs/cold_water.yaml": text}))
    assert (p.line, p.rule_id, p.field) == (7, "cold_water.vodokanal", "colour")
    assert "неизвестный ключ" in p.message and "values" in p.message


def test_an_unknown_attribute_in_when_is_refused(tmp_path):
    text = METHOD.replace("meter: working", "metr: working")
    p = only(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert (p.file, p.line, p.rule_id, p.field) == (
        "methods/cold_water.yaml", 5, "cold_water.by_meter", "when.metr")
    assert "неизвестный атрибут 'metr'" in p.message


def test_a_value_outside_the_enum_lists_the_allowed_values(tmp_path):
    text = METHOD.replace("meter: working", "meter: broken")
    p = only(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert (p.line, p.rule_id, p.field) == (5, "cold_water.by_meter", "when.meter")
    assert "'broken'" in p.message and "absent, working, failed, expired" in p.message


def test_a_value_of_the_wrong_type_in_when_is_refused(tmp_path):
    text = METHOD.replace("meter: working", "months_without_readings: {lte: six}")
    p = only(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert p.field == "when.months_without_readings" and "целое" in p.message


def test_an_unknown_service_is_named_with_the_known_ones(tmp_path):
    text = TARIFF.replace("service: cold_water", "service: cold_watr")
    p = only(write_rules(tmp_path, **{"tariffs/cold_water.yaml": text}))
    assert (p.file, p.line, p.rule_id, p.field) == (
        "tariffs/cold_water.yaml", 5, "cold_water.vodokanal", "service")
    assert "'cold_watr'" in p.message and "cold_water" in p.message


def test_two_rules_with_identical_when_and_priority_are_ambiguous(tmp_path):
    text = METHOD + textwrap.indent(textwrap.dedent("""\
        - id: cold_water.by_norm
          title: По нормативу
          source: ф. 4
          when: {meter: working, service: cold_water}
          then: {method: norm}
        """), "  ")
    p = only(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert (p.line, p.rule_id, p.field) == (7, "cold_water.by_norm", "when")
    assert "cold_water.by_meter" in p.message and "priority" in p.message


def test_identical_when_with_different_priority_is_allowed(tmp_path):
    text = METHOD + textwrap.indent(textwrap.dedent("""\
        - id: cold_water.by_norm
          title: По нормативу
          source: ф. 4
          priority: 5
          when: {meter: working, service: cold_water}
          then: {method: norm}
        """), "  ")
    book = load_rulebook(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert book.by_id("cold_water.by_norm").priority == 5


def test_an_unknown_folder_is_refused(tmp_path):
    root = write_rules(tmp_path)
    (root / "extras").mkdir()
    p = only(root)
    assert p.file == "extras/" and "неизвестная папка" in p.message


def test_a_folder_of_a_kind_without_its_module_is_not_supported(tmp_path, monkeypatch):
    from zhkh.kernel.rulebook import loader

    without = {k: v for k, v in KINDS.items() if k != OPTIONAL_KINDS[0]}
    monkeypatch.setattr(loader, "KINDS", without)
    root = write_rules(tmp_path)
    (root / OPTIONAL_KINDS[0]).mkdir()
    p = only(root)
    assert p.file == f"{OPTIONAL_KINDS[0]}/" and "вид правил не поддерживается" in p.message


def test_a_stray_yaml_file_at_the_top_is_refused_and_tests_are_ignored(tmp_path):
    root = write_rules(tmp_path, **{"notes.yaml": "x: 1\n", "tests/case.yaml": "anything: [\n",
                                    "README.md": "# правила\n"})
    p = only(root)
    assert p.file == "notes.yaml" and "лишний файл" in p.message


def test_an_unknown_method_and_missing_parameters_are_reported(tmp_path):
    text = METHOD.replace("then: {method: meter}", "then: {method: guess}")
    p = only(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert (p.line, p.field) == (6, "then.method") and "'guess'" in p.message
    text = METHOD.replace("then: {method: meter}", "then: {method: average, min_months: 3}")
    found = {(q.field, q.line) for q in problems(write_rules(tmp_path, **{
        "methods/cold_water.yaml": text}))}
    assert found == {("then.history_months", 6), ("then.max_periods", 6)}


def test_a_coefficient_must_be_a_decimal_or_dated_decimals(tmp_path):
    text = METHOD.replace("then: {method: meter}",
                          "then: {method: norm, coefficient: {2017-01-01: one}}")
    p = only(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert p.field == "then.coefficient.2017-01-01" and "десятичное" in p.message


def test_average_limits_must_agree_with_the_condition(tmp_path):
    text = METHOD.replace(
        "when: {service: cold_water, meter: working}",
        "when: {service: cold_water, months_without_readings: {lte: 3}}").replace(
        "then: {method: meter}",
        "then: {method: average, min_months: 3, history_months: 6, max_periods: 6}")
    p = only(write_rules(tmp_path, **{"methods/cold_water.yaml": text}))
    assert p.field == "when.months_without_readings" and "max_periods" in p.message


def test_a_missing_required_field_is_named(tmp_path):
    text = TARIFF.replace("    source: иллюстративно\n", "")
    p = only(write_rules(tmp_path, **{"tariffs/cold_water.yaml": text}))
    assert (p.line, p.rule_id, p.field) == (2, "cold_water.vodokanal", "source")
    assert "обязательное" in p.message


def test_a_yaml_float_is_read_exactly_from_its_text(tmp_path):
    text = TARIFF.replace('"52.84"', "52.84")
    book = load_rulebook(write_rules(tmp_path, **{"tariffs/cold_water.yaml": text}))
    assert str(book.tariffs[0].values.steps[0][1]) == "52.84"


def test_a_service_without_a_tariff_or_method_is_reported_in_the_catalogue(tmp_path):
    services = SERVICES + "  gas:\n    title: Газ\n    unit: м³\n"
    found = {(p.file, p.rule_id, p.field) for p in problems(
        write_rules(tmp_path, **{"services.yaml": services}))}
    assert found == {("services.yaml", "gas", "tariffs"), ("services.yaml", "gas", "methods")}


def test_all_problems_of_one_load_are_collected(tmp_path):
    root = write_rules(tmp_path, **{
        "tariffs/cold_water.yaml": TARIFF.replace('"52.84"', '"x"'),
        "methods/cold_water.yaml": METHOD.replace("meter: working", "meter: broken"),
    })
    (root / "extras").mkdir()
    with pytest.raises(RulebookError) as caught:
        load_rulebook(root)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("extras/") and lines[1].startswith("methods/cold_water.yaml:5")
    assert lines[2].startswith("tariffs/cold_water.yaml:7")


def test_an_unknown_zone_or_component_is_refused_with_what_the_service_has(tmp_path):
    services = SERVICES + (
        "  hot_water:\n    title: ГВС\n    unit: м³\n"
        "    components:\n      water: {title: Теплоноситель, unit: м³}\n")
    hot = """\
    tariffs:
      - id: hot_water.water
        title: ГВС
        source: иллюстративно
        service: hot_water
        component: steam
        unit: руб/м³
        values: {2025-07-01: "52.84"}
    """
    method = METHOD.replace("meter: working", "zone: night")
    found = {(p.file, p.rule_id, p.field, p.message.split(";")[0]) for p in problems(write_rules(
        tmp_path, **{"services.yaml": services, "tariffs/hot_water.yaml": hot,
                     "methods/cold_water.yaml": method}))}
    assert found == {
        ("tariffs/hot_water.yaml", "hot_water.water", "component",
         "у услуги нет составляющей 'steam'"),
        ("methods/cold_water.yaml", "cold_water.by_meter", "when.zone",
         "у услуги нет зоны 'night'"),
    }


def test_a_control_character_is_a_problem_naming_file_and_line_not_a_crash(tmp_path):
    # found by fuzz/fuzz_rule_files.py: PyYAML's ReaderError escaped the loader
    root = write_rules(tmp_path, **{"methods/cold_water.yaml": METHOD.replace(
        "title: По прибору", "title: По\x01прибору")})
    problem = only(root)
    assert (problem.file, problem.line) == ("methods/cold_water.yaml", 3)
    assert "недопустимый символ #x0001" in problem.message
