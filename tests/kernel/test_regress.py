"""``rules regress`` as a methodologist uses it: a broken draft is caught with a shrunk example,
an unchanged draft shows no differences, a changed tariff shows differences only in its lines;
and the shipped rules keep every invariant on a bounded run."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from zhkh.kernel.calc.calculate import calculate, engine_for
from zhkh.kernel.calc.situation import Situation
from zhkh.kernel.regress import Options, invariants, load_declared, regress
from zhkh.kernel.regress.space import changed_rules, space_of
from zhkh.kernel.rulebook import Rulebook, load_rulebook
from zhkh.kernel.rulebook.dated import DatedValues
from zhkh.rules import RULES_DIR

EXAMPLES = Path(__file__).parents[2] / "examples"
BOUNDED = Options(examples=80, seed=7, time_limit=600, max_shrunk=2)


@pytest.fixture(scope="module")
def base() -> Rulebook:
    return load_rulebook(RULES_DIR)


def _replaced(book: Rulebook, rule_id: str, **changes: object) -> Rulebook:
    """The rulebook with one rule's fields replaced — built in code, past the loader's checks
    (which refuse a negative norm or a benefit above 100 % today), as a broken rule kind or a
    weaker check would let them through."""
    kinds = {kind: tuple(r.model_copy(update=changes) if r.id == rule_id else r
                         for r in book.rules(kind)) for kind in book.kinds()}
    return Rulebook(version=f"broken-{rule_id}", source_dir=None, services=book.services,
                    kind_rules=kinds)


def _calculates(book: Rulebook, situation: dict) -> None:
    calculate(Situation.model_validate(situation), book, engine_for(book))


class TestSpaceFromRules:
    def test_both_sides_of_every_threshold_are_generated(self, base):
        space = space_of(base)
        # water.average_no_readings: months_without_readings ≤ 6, history_months ≥ 3
        assert {5, 6, 7} <= set(space.int_values("months_without_readings"))
        assert {2, 3, 4} <= set(space.int_values("history_months"))

    def test_the_month_before_and_of_every_tariff_change_are_periods(self, base):
        periods = space_of(base).periods
        assert {"2026-09", "2026-10", "2025-06", "2025-07"} <= set(periods)

    def test_a_changed_tariff_is_the_focus_of_the_draft(self, base):
        draft = _replaced(base, "cold_water.vodokanal",
                          values=DatedValues.parse({"2024-07-01": "48.72", "2026-10-01": "61"}))
        changed = changed_rules(base, draft)
        assert [r.id for r in changed] == ["cold_water.vodokanal"]
        space = space_of(draft, focus=changed)
        assert "2026-10" in space.focus_periods and space.focus_services == ("cold_water",)


class TestBrokenDraftIsCaught:
    def test_a_benefit_past_100_percent_is_capped_at_its_line_and_shown_as_a_change(self, base):
        # the calculation caps a benefit at its line, so the invariant holds; the change shows
        draft = _replaced(base, "benefit.veteran_combat.utilities",
                          percent=DatedValues.parse({"2005-01-01": "150"}))
        report = regress(base, draft, Options(examples=200, seed=7, time_limit=600,
                                              max_shrunk=1))
        assert "reduction_within_line" not in report.violations
        assert set(report.by_rule) == {"benefit.veteran_combat.utilities"}
        found = next(iter(report.changes.values()))
        assert found.shrunk is not None and found.shrunk["benefits"][0]["category"] == \
            "veteran_combat"
        _calculates(draft, found.shrunk)  # the saved situation is what `zhkh calculate` runs

    def test_a_reduction_above_its_line_is_a_violation(self, base, shipped):
        situation = Situation.model_validate(json.loads(
            (EXAMPLES / "metered_flat.json").read_text(encoding="utf-8")))
        result = calculate(situation, base, shipped.calculator.engine)
        charge = result.lines[0]
        above = charge.model_copy(update={
            "kind": "quality_reduction", "rule_ids": ["quality.cold_water.interruption"],
            "amount": f"-{Decimal(charge.amount) + 1}"})
        broken = result.model_copy(update={"lines": [*result.lines, above]})
        found = {v.invariant for v in invariants.check(situation, broken, base)}
        assert "reduction_within_line" in found

    def test_a_negative_norm_is_caught_as_a_negative_charge(self, base):
        draft = _replaced(base, "cold_water.norm.full",
                          values=DatedValues.parse({"2017-06-01": "-4.9"}))
        report = regress(base, draft, BOUNDED)
        found = report.violations["charge_not_negative"]
        assert found.count > 0 and found.shrunk is not None
        lines = [ln for ln in found.draft_lines if ln.get("service") == "cold_water"]
        assert any(Decimal(ln["amount"]) < 0 for ln in lines)
        assert len(found.shrunk["accounts"][0]["services"]) == 1


    def test_common_property_above_its_cap_without_a_decision_is_caught(self, base):
        # «cap: none» drops the cap of ЖК РФ ст. 156 ч. 9.2 though no general meeting lifted it
        rule = next(r for r in base.rules("methods") if r.id == "common.resources")
        draft = _replaced(base, "common.resources",
                          then=rule.then.model_copy(update={"cap": "none"}))
        report = regress(base, draft, BOUNDED)
        found = report.violations["common_within_cap"]
        assert found.count > 0 and found.shrunk is not None
        house = found.shrunk["house"]
        assert not house.get("common_cap_lifted") and house["resources"]
        assert "норматив" in invariants.EXPLANATIONS["common_within_cap"]
        assert "common_within_cap" not in regress(base, base, BOUNDED).violations

    def test_a_premises_share_above_its_part_of_the_cap_is_a_violation(self, base, shipped):
        situation = Situation.model_validate({
            "period": "2025-06", "house": {
                "total_area": "4512.7", "common_area": "800",
                "resources": [{"service": "electricity", "volume": "12800",
                               "other_volume": "11900"}]},
            "accounts": [{"number": "1000000019", "area": "54.3",
                          "services": [{"service": "electricity_common", "provider": "uk"}]}]})
        result = calculate(situation, base, shipped.calculator.engine)
        assert invariants.check(situation, result, base) == []
        [line] = result.lines  # 720 × 54,3 / 4 512,7 = 8,66355 кВт·ч, the cap's share
        above = line.model_copy(update={"volume": "8.663552"})
        broken = result.model_copy(update={"lines": [above]})
        [v] = invariants.check(situation, broken, base)
        assert (v.invariant, v.account) == ("common_within_cap", "1000000019")


class TestDifferences:
    def test_an_unchanged_draft_reports_no_differences(self, base, tmp_path):
        copy = tmp_path / "rules"
        shutil.copytree(RULES_DIR, copy)
        report = regress(base, load_rulebook(copy), Options(examples=60, seed=3))
        assert report.changes == {} and not report.failed
        assert report.examples == 60

    def test_a_changed_tariff_changes_only_that_services_lines(self, base):
        draft = _replaced(base, "cold_water.vodokanal", values=DatedValues.parse(
            {"2024-07-01": "48.72", "2025-07-01": "52.84", "2026-01-01": "53.74",
             "2026-10-01": "61.00"}))
        report = regress(base, draft, BOUNDED)
        assert report.changes and not report.failed
        for key, found in report.changes.items():
            assert found.shrunk is not None or found.count > 0
            services = {ln.get("service") for ln in found.draft_lines
                        if ln not in found.base_lines}
            assert services <= {"cold_water"}, key
        charges = [k for k in report.changes if "cold_water.vodokanal" in k]
        assert charges, report.changes.keys()
        assert all("тариф, сумма" in k for k in charges)
        assert set(report.by_rule) - {"cold_water.vodokanal"} <= {
            r.id for kind in ("methods", "norms", "benefits", "quality", "absence")
            for r in base.rules(kind)}

    def test_the_same_seed_gives_the_same_report(self, base):
        draft = _replaced(base, "cold_water.vodokanal",
                          values=DatedValues.parse({"2024-07-01": "50"}))
        one = regress(base, draft, Options(examples=40, seed=11, shrink=False))
        two = regress(base, draft, Options(examples=40, seed=11, shrink=False))
        assert {k: f.count for k, f in one.changes.items()} == \
            {k: f.count for k, f in two.changes.items()}
        assert one.outcomes == two.outcomes


class TestShippedRules:
    def test_the_shipped_rules_keep_every_invariant_on_a_bounded_run(self, base):
        declared = load_declared(RULES_DIR)
        report = regress(base, base, Options(examples=150, seed=1, shrink=False), declared)
        assert not report.violations, {k: v.detail for k, v in report.violations.items()}
        assert report.changes == {}
        assert report.outcomes["черновик: ok"] > report.examples // 2
        assert all(report.checked[name] > 0 for name in report.explanations)

    def test_a_declared_cap_per_square_metre_is_checked(self, base, tmp_path):
        folder = tmp_path / "rules"
        shutil.copytree(RULES_DIR, folder)
        (folder / "tests" / "invariants").mkdir(exist_ok=True)
        (folder / "tests" / "invariants" / "cap.yaml").write_text(
            "invariants:\n  - id: maintenance.cap\n    title: Содержание не дороже 1 ₽ за м²\n"
            "    service: maintenance\n    max_per_m2: \"1\"\n", encoding="utf-8")
        report = regress(base, base, Options(examples=60, seed=2, max_shrunk=1),
                         load_declared(folder))
        found = report.violations["declared:maintenance.cap"]
        assert found.shrunk is not None
        assert found.shrunk["accounts"][0]["services"][0]["service"] == "maintenance"


def test_a_period_option_fixes_the_month(base):
    assert space_of(base, "2026-10").periods == ("2026-10",)
    assert date(2026, 10, 1) in space_of(base).change_dates
