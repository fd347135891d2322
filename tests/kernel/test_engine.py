"""Engine: decisions, errors, versions side by side, cache, limits and durable hygiene."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from zhkh.kernel.engine import (
    AmbiguousRuleError,
    Engine,
    EngineError,
    NoRuleError,
    RulesetLimitError,
)
from zhkh.kernel.engine import host as host_module
from zhkh.kernel.rulebook.conditions import Condition, parse_when


@dataclass(frozen=True)
class Rule:
    id: str
    priority: int
    when: Condition


def rule(rule_id: str, when: dict | None, priority: int = 0) -> Rule:
    return Rule(rule_id, priority, parse_when(when))


METHODS = [
    rule("cw.meter", {"service": "cold_water", "meter": "working"}),
    rule("cw.norm", {"service": "cold_water", "meter": ["absent", "failed"]}),
    rule("cw.average", {"service": "cold_water", "months_without_readings": {"lte": 3}}, 1),
    rule("cw.norm_tie", {"service": "cold_water", "meter": "expired"}),
    rule("cw.norm_tie2", {"service": "cold_water", "meter": "expired"}),
]


@pytest.fixture
def engine():
    with Engine({"methods": METHODS}, "2026-01") as built:
        yield built


def test_decide_returns_the_only_matching_rule(engine):
    assert engine.decide("methods", {"service": "cold_water", "meter": "working"}) == "cw.meter"


def test_the_highest_priority_wins_among_several_matches(engine):
    fact = {"service": "cold_water", "meter": "failed", "months_without_readings": 2}
    assert engine.matching("methods", fact) == ("cw.average", "cw.norm")
    assert engine.decide("methods", fact) == "cw.average"


def test_no_matching_rule_raises_an_error_naming_the_signature(engine):
    fact = {"service": "hot_water", "meter": "absent"}
    with pytest.raises(NoRuleError) as caught:
        engine.decide("methods", fact, target="water")
    error = caught.value
    assert (error.kind, error.fact, error.target) == ("methods", fact, "water")
    assert "service=hot_water, meter=absent" in str(error)
    assert "methods" in str(error) and "water" in str(error)


def test_a_tie_at_the_top_priority_names_the_tied_rules(engine):
    fact = {"service": "cold_water", "meter": "expired"}
    with pytest.raises(AmbiguousRuleError) as caught:
        engine.decide("methods", fact)
    error = caught.value.add_context(account="100-200")
    assert error.rule_ids == ("cw.norm_tie", "cw.norm_tie2")
    assert "cw.norm_tie, cw.norm_tie2" in str(error)
    assert "лицевой счёт 100-200" in str(error)
    assert "service=cold_water, meter=expired" in str(error)


def test_an_empty_condition_matches_every_fact_even_an_empty_one():
    with Engine({"k": [rule("any", None)]}, "v") as engine:
        assert engine.matching("k", {}) == ("any",)
        assert engine.matching("k", {"x": True, "y": ""}) == ("any",)


def test_a_published_and_a_draft_rulebook_answer_side_by_side():
    published = Engine({"methods": [rule("norm", {"meter": "absent"})]}, "published")
    draft = Engine({"methods": [rule("average", {"meter": "absent"})]}, "draft")
    fact = {"meter": "absent"}
    try:
        for _ in range(3):
            published.clear_cache()
            draft.clear_cache()
            assert published.decide("methods", fact) == "norm"
            assert draft.decide("methods", fact) == "average"
    finally:
        published.close()
        draft.close()


def test_the_cache_counts_hits_and_keeps_true_apart_from_one():
    rules = [rule("big", {"x": {"gt": 0}})]
    with Engine({"k": rules}, "v") as engine:
        assert engine.matching("k", {"x": 1}) == ("big",)
        assert engine.matching("k", {"x": 1}) == ("big",)
        assert engine.matching("k", {"x": True}) == ()  # a bool never compares with an int
        stats = engine.cache_stats()
        assert (stats.hits, stats.misses, stats.size) == (1, 2, 2)


def test_many_evaluations_leave_no_live_sessions_behind():
    with Engine({"k": [rule("even", {"n": {"gte": 0}})]}, "v") as engine:
        for number in range(1500):  # durable fails past 1,024 live sids
            assert engine.matching("k", {"n": number}) == ("even",)


def test_concurrent_callers_get_the_same_answers():
    with Engine({"k": [rule("low", {"n": {"lt": 50}})]}, "v") as engine:
        failures: list[int] = []

        def ask(offset: int) -> None:
            for number in range(offset, 100, 4):
                expected = ("low",) if number < 50 else ()
                if engine.matching("k", {"n": number}) != expected:
                    failures.append(number)

        threads = [threading.Thread(target=ask, args=(offset,)) for offset in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []


def test_a_closed_engine_and_an_unknown_kind_are_errors(engine):
    with pytest.raises(EngineError, match="неизвестен"):
        engine.matching("tariffs", {})
    engine.close()
    engine.close()
    with pytest.raises(EngineError, match="закрыт"):
        engine.matching("methods", {})


def test_facts_with_values_durable_cannot_carry_are_refused(engine):
    with pytest.raises(EngineError, match="meter"):
        engine.matching("methods", {"service": "cold_water", "meter": 1.5})
    with pytest.raises(EngineError, match="int64"):
        engine.matching("methods", {"service": "cold_water", "meter": 2**64})


def test_duplicate_rule_ids_in_a_kind_are_refused():
    with pytest.raises(EngineError, match="дважды"):
        Engine({"k": [rule("a", None), rule("a", {"x": 1})]}, "v")


def test_an_action_that_raises_becomes_an_engine_error(monkeypatch):
    def failing(index):
        def action(c):
            raise RuntimeError("сломано")

        return action

    monkeypatch.setattr(host_module, "_record", failing)
    with Engine({"k": [rule("a", None)]}, "v") as engine:
        with pytest.raises(EngineError, match="сломано"):
            engine.matching("k", {})


def test_more_than_400_rules_of_a_kind_are_refused():
    rules = [rule(f"r{n}", {"code": f"c{n}"}) for n in range(401)]
    with pytest.raises(RulesetLimitError, match="401 правил"):
        Engine({"k": rules}, "v")


def test_a_membership_list_wider_than_the_equality_limit_is_refused():
    rules = [rule(f"wide{k}", {"code": [f"c{k}.{n}" for n in range(250)]}) for k in range(2)]
    with pytest.raises(RulesetLimitError, match="равенство"):
        Engine({"k": rules}, "v")


def test_more_than_60_comparisons_at_one_level_are_refused_and_60_work():
    ok = [rule(f"r{n:02d}", {"n": {"lt": n}}) for n in range(60)]
    with Engine({"k": ok}, "v") as engine:
        assert engine.matching("k", {"n": 57}) == ("r58", "r59")
    with pytest.raises(RulesetLimitError, match="сравнений"):
        Engine({"k": [*ok, rule("r60", {"n": {"lt": 60}})]}, "v")


def test_68_comparisons_firing_under_two_nodes_work():
    """durable fails past 64 firing children of *one* node; the lint's 60 per node keeps clear."""
    rules = [rule(f"r{n:02d}", {"a": {"gte": 0}, "n": {"lt": n}}) for n in range(1, 60)]
    rules += [rule(f"s{n:02d}", {"b": {"gte": 0}, "n": {"lt": n}}) for n in range(1, 10)]
    with Engine({"k": rules}, "v") as engine:
        assert len(engine.matching("k", {"a": 1, "b": 1, "n": 0})) == 68
