"""The engine's answer equals the reference semantics `conditions.matches` on every fact."""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from zhkh.kernel.engine import AmbiguousRuleError, Engine, NoRuleError
from zhkh.kernel.rulebook.conditions import Condition, Op, matches
from zhkh.kernel.rulebook.conditions import Test as ConditionTest


@dataclass(frozen=True)
class Rule:
    id: str
    priority: int
    when: Condition


ATTRS = ("a", "b", "c", "service")
scalars = st.one_of(
    st.text(alphabet="ab1 ё", max_size=3),
    st.integers(-3, 3),
    st.sampled_from([2**62, -(2**62), 10, -10]),
    st.booleans(),
)
value_lists = st.lists(scalars, min_size=1, max_size=3).map(tuple)


@st.composite
def single_tests(draw) -> ConditionTest:
    attr = draw(st.sampled_from(ATTRS))
    op = draw(st.sampled_from(list(Op)))
    if op in (Op.PRESENT, Op.ABSENT):
        return ConditionTest(attr, op, None)
    if op in (Op.IN, Op.NOT_IN):
        return ConditionTest(attr, op, draw(value_lists))
    return ConditionTest(attr, op, draw(scalars))


conditions = st.lists(single_tests(), max_size=3).map(tuple)
facts = st.dictionaries(st.sampled_from(ATTRS), scalars, max_size=len(ATTRS))


@settings(max_examples=int(os.environ.get("ENGINE_PROPERTY_EXAMPLES", "300")))
@given(
    whens=st.lists(conditions, min_size=1, max_size=30),
    priorities=st.lists(st.integers(0, 2), min_size=30, max_size=30),
    sample=st.lists(facts, min_size=1, max_size=25),
)
def test_matching_and_decide_agree_with_the_reference_semantics(whens, priorities, sample):
    rules = [Rule(f"r{n:02d}", priorities[n], when) for n, when in enumerate(whens)]
    with Engine({"k": rules}, "prop") as engine:
        for fact in sample:
            expected = tuple(r.id for r in rules if matches(r.when, fact))
            assert engine.matching("k", fact) == expected, (fact, engine.rulesets)
            assert _decide(engine, fact) == _reference_decide(rules, fact)


def _decide(engine: Engine, fact) -> str | tuple[str, ...] | None:
    try:
        return engine.decide("k", fact)
    except NoRuleError:
        return None
    except AmbiguousRuleError as error:
        return error.rule_ids


def _reference_decide(rules: list[Rule], fact) -> str | tuple[str, ...] | None:
    found = [r for r in rules if matches(r.when, fact)]
    if not found:
        return None
    top = max(r.priority for r in found)
    winners = tuple(r.id for r in found if r.priority == top)
    return winners[0] if len(winners) == 1 else winners
