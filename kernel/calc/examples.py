"""Methodologists' examples (``rules/tests/*.yaml``): a situation and the lines it must give.

A file holds ``cases:``, each with a sentence ``name``, a ``situation`` (the same shape as
``POST /v1/calculate``) and either ``expect:`` — a list of line selectors with the exact values
they must have — or ``expect_error:`` with the error ``code`` (and optionally account/service).
Penalty and allocation cases are described in ``examples_finance.py``.
A selector's keys among account, service, component, zone, date_from, kind pick the lines;
amounts of the picked lines are summed; ``amount``, ``volume``, ``method``, ``rule_ids`` (subset),
``tariff`` and ``coefficient`` must match exactly — zero tolerance on money.

Files are read with the rule files' strict YAML loader (``rulebook.yamlio``): a repeated key,
a YAML syntax error or an impossible date is a :class:`RulebookError` naming the file and line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.examples_finance import check_allocation, check_penalties
from zhkh.kernel.calc.result import CalculationResult, Line
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.rulebook import Rulebook, RulebookError, load_rulebook, rulebook_from_overrides
from zhkh.kernel.rulebook.errors import Problem
from zhkh.kernel.rulebook.yamlio import Located, LocatedList, YamlIssue, line_of, load_yaml

SELECT_KEYS = ("account", "service", "component", "zone", "date_from", "kind")
FINANCE_KEYS = ("penalties", "expect_penalties", "allocate", "expect_allocation")
CHECK_KEYS = ("amount", "volume", "method", "rule_ids", "tariff", "coefficient", "excess", "lines",
              "explain")


@dataclass
class Case:
    """One example as written in the file."""

    file: str
    name: str
    situation: dict[str, Any]
    expect: list[dict[str, Any]] = field(default_factory=list)
    expect_error: dict[str, Any] | None = None
    expect_total: str | None = None
    finance: dict[str, Any] = field(default_factory=dict)
    """``penalties``/``expect_penalties`` or ``allocate``/``expect_allocation`` cases."""


@dataclass
class Outcome:
    """Result of running one example: passed, or the list of differences in Russian."""

    file: str
    name: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def load_cases(rules_dir: Path) -> list[Case]:
    """Every case of every ``tests/*.yaml`` under the rules folder, in file order.

    Raises :class:`RulebookError` listing every repeated key, syntax error and impossible date
    of the example files, each with its file and line.
    """
    cases: list[Case] = []
    problems: list[Problem] = []
    for path in sorted((Path(rules_dir) / "tests").glob("*.yaml")):
        rel = path.relative_to(rules_dir).as_posix()
        data, issues = load_yaml(path.read_text(encoding="utf-8"))
        issues += _bad_dates(data, ())
        problems += [Problem(file=rel, line=i.line, message=i.message) for i in issues]
        for i, raw in enumerate((data or {}).get("cases", [])):
            name = raw.get("name") or f"пример №{i + 1}"
            situation = _plain(raw.get("situation", {}))
            finance = {k: _plain(raw[k]) for k in FINANCE_KEYS if k in raw}
            cases.append(
                Case(rel, name, situation, _plain(raw.get("expect", []) or []),
                     _plain(raw.get("expect_error")), _plain(raw.get("expect_total")), finance)
            )
    if problems:
        raise RulebookError(problems)
    return cases


_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _bad_dates(data: Any, path: tuple[Any, ...]) -> list[YamlIssue]:
    """Keys and values written as dates that are no date (``2026-02-30``): the strict loader
    leaves them as text, so an example would otherwise fail far from its line."""
    found: list[YamlIssue] = []
    items = data.items() if isinstance(data, Located) else enumerate(data) \
        if isinstance(data, LocatedList) else ()
    for key, value in items:
        for text in (key, value):
            if isinstance(text, str) and _DATE_LIKE.fullmatch(text) and not _is_date(text):
                found.append(YamlIssue((*path, key), line_of(data, [key]),
                                       f"{text} — нет такой даты (ГГГГ-ММ-ДД)"))
        found += _bad_dates(value, (*path, key))
    return found


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return False
    return True


def _plain(value: Any) -> Any:
    """YAML values as JSON would give them (dates and decimals become strings)."""
    return json.loads(json.dumps(value, default=str))


def run_case(case: Case, rulebook: Rulebook, engines: dict[str, Any]) -> Outcome:
    """Calculate the case's situation and compare with what it expects."""
    if case.finance:
        return Outcome(case.file, case.name, _run_finance(case, rulebook))
    try:
        situation = Situation.model_validate(case.situation)
        rb = rulebook
        if situation.overrides.tariffs or situation.overrides.norms:
            rb = rulebook_from_overrides(
                rulebook, dict(situation.overrides.tariffs), dict(situation.overrides.norms)
            )
        engine = engines.get(rb.version) or engines.setdefault(rb.version, engine_for(rb))
        result = calculate(situation, rb, engine)
    except CalculationError as exc:
        return Outcome(case.file, case.name, _compare_error(case, exc))
    except ValueError as exc:
        return Outcome(case.file, case.name, [f"ситуация не прошла проверку: {exc}"])
    if case.expect_error:
        return Outcome(case.file, case.name,
                       [f"ожидалась ошибка {case.expect_error.get('code')}, а расчёт прошёл"])
    return Outcome(case.file, case.name, _compare_lines(case, result))


def run_examples(rules_dir: Path) -> list[Outcome]:
    """Load the rules of the folder and run all of its examples."""
    rulebook = load_rulebook(Path(rules_dir))
    engines: dict[str, Any] = {rulebook.version: engine_for(rulebook)}
    try:
        return [run_case(c, rulebook, engines) for c in load_cases(Path(rules_dir))]
    finally:
        for engine in engines.values():
            engine.close()


def _run_finance(case: Case, rulebook: Rulebook) -> list[str]:
    f = case.finance
    try:
        if "penalties" in f:
            return check_penalties(f["penalties"], f.get("expect_penalties", []), rulebook)
        if "allocate" in f:
            return check_allocation(f["allocate"], f.get("expect_allocation", {}), rulebook)
    except (CalculationError, ValueError, KeyError) as exc:
        return [f"пример не рассчитан: {exc}"]
    return ["пример без ситуации должен содержать penalties или allocate"]


def _compare_error(case: Case, exc: CalculationError) -> list[str]:
    if not case.expect_error:
        return [f"неожиданная ошибка расчёта {exc.code}: {exc}"]
    problems = []
    for key in ("code", "account", "service"):
        want = case.expect_error.get(key)
        got = getattr(exc, key)
        if want is not None and str(want) != str(got):
            problems.append(f"ошибка: {key} ожидалось {want}, получено {got}")
    return problems


def _compare_lines(case: Case, result: CalculationResult) -> list[str]:
    problems: list[str] = []
    for sel in case.expect:
        unknown = set(sel) - set(SELECT_KEYS) - set(CHECK_KEYS)
        if unknown:
            problems.append(f"неизвестные ключи в ожидании: {sorted(unknown)}")
            continue
        picked = [ln for ln in result.lines if _selected(ln, sel)]
        label = ", ".join(f"{k}={sel[k]}" for k in SELECT_KEYS if k in sel)
        if not picked and sel.get("lines") == 0:
            continue
        if not picked:
            problems.append(f"нет строк для {label}")
            continue
        problems.extend(f"{label}: {p}" for p in _check(sel, picked))
    if case.expect_total is not None and Decimal(result.total) != Decimal(str(case.expect_total)):
        problems.append(f"итого: ожидалось {case.expect_total}, получено {result.total}")
    return problems


def _selected(line: Line, sel: dict[str, Any]) -> bool:
    return all(str(getattr(line, k)) == str(sel[k]) for k in SELECT_KEYS if k in sel)


def _spaced(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _check(sel: dict[str, Any], lines: list[Line]) -> list[str]:
    problems = []
    if "lines" in sel and int(sel["lines"]) != len(lines):
        problems.append(f"строк ожидалось {sel['lines']}, получено {len(lines)}")
    if "amount" in sel:
        got = sum(Decimal(ln.amount) for ln in lines)
        if got != Decimal(str(sel["amount"])):
            problems.append(f"сумма ожидалась {sel['amount']}, получено {got}")
    if "excess" in sel:
        got = sum(Decimal(ln.excess) for ln in lines)
        if got != Decimal(str(sel["excess"])):
            problems.append(f"превышение ожидалось {sel['excess']}, получено {got}")
    if "volume" in sel:
        got = sum(Decimal(ln.volume) for ln in lines)
        if got != Decimal(str(sel["volume"])):
            problems.append(f"объём ожидался {sel['volume']}, получено {got}")
    for key in ("method", "tariff", "coefficient"):
        if key in sel:
            got_values = {str(getattr(ln, key)) for ln in lines}
            want = str(sel[key])
            if key != "method":
                got_values = {str(Decimal(v).normalize()) for v in got_values}
                want = str(Decimal(want).normalize())
            if got_values != {want}:
                problems.append(f"{key} ожидалось {sel[key]}, получено {sorted(got_values)}")
    if "explain" in sel:  # a thousands separator is typed as a plain space
        wrong = [ln.explain for ln in lines
                 if _spaced(str(sel["explain"])) not in _spaced(ln.explain)]
        if wrong:
            problems.append(f"в пояснении нет «{sel['explain']}»: {wrong[0]}")
    if "rule_ids" in sel:
        got_ids = {i for ln in lines for i in ln.rule_ids}
        missing = set(sel["rule_ids"]) - got_ids
        if missing:
            problems.append(f"не применены правила {sorted(missing)}; применены {sorted(got_ids)}")
    return problems
