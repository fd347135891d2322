"""Rule examples (``rules/tests/*.yaml``) are read with the rule files' strict YAML loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhkh.kernel.calc.examples import load_cases
from zhkh.kernel.rulebook import RulebookError

CASE = """\
cases:
  - name: Холодная вода по нормативу
    situation: &base
      period: "2026-03"
      accounts: [{number: "1", area: "40", services: [{service: cold_water, provider: v}]}]
    expect:
      - {service: cold_water, amount: "289.39"}
  - name: Тот же счёт в апреле
    situation:
      <<: *base
      period: "2026-04"
    expect:
      - {service: cold_water, amount: "289.39", date_from: 2026-04-01}
"""


def _folder(tmp_path: Path, text: str) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "water.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_duplicate_key_in_an_example_is_refused_naming_file_and_line(tmp_path):
    text = CASE.replace('      - {service: cold_water, amount: "289.39"}\n',
                        '      - {service: cold_water, amount: "289.39"}\n'
                        '    expect: []\n', 1)
    with pytest.raises(RulebookError) as caught:
        load_cases(_folder(tmp_path, text))
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("tests/water.yaml", 8)
    assert "ключ 'expect' повторяется (первый раз в строке 6)" in problem.message


def test_an_impossible_date_in_an_example_is_refused_naming_file_and_line(tmp_path):
    text = CASE.replace("date_from: 2026-04-01", "date_from: 2026-04-31")
    with pytest.raises(RulebookError) as caught:
        load_cases(_folder(tmp_path, text))
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("tests/water.yaml", 13)
    assert "2026-04-31 — нет такой даты" in problem.message


def test_a_merge_key_brings_the_base_and_a_key_beside_it_overrides(tmp_path):
    first, second = load_cases(_folder(tmp_path, CASE))
    assert first.situation["period"] == "2026-03"
    assert second.situation["period"] == "2026-04"
    assert second.situation["accounts"] == first.situation["accounts"]
    # dates and decimals read as JSON would give them: ISO strings, decimal strings
    assert second.expect == [{"service": "cold_water", "amount": "289.39",
                              "date_from": "2026-04-01"}]
