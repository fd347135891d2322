"""Every methodologist's example in rules/tests/ runs as a test (zero tolerance on money)."""

import pytest

from zhkh.kernel.calc.decide import engine_for
from zhkh.kernel.calc.examples import load_cases, run_case
from zhkh.kernel.rulebook import load_rulebook
from zhkh.rules import RULES_DIR

CASES = load_cases(RULES_DIR)


@pytest.fixture(scope="module")
def published():
    rulebook = load_rulebook(RULES_DIR)
    engine = engine_for(rulebook)
    engines = {rulebook.version: engine}
    yield rulebook, engines
    for e in engines.values():
        e.close()


def test_the_shipped_rules_have_examples_for_every_service():
    rulebook = load_rulebook(RULES_DIR)
    covered = {
        service["service"]
        for c in CASES
        for acc in c.situation.get("accounts", [])
        for service in acc["services"]
    }
    assert set(rulebook.services) <= covered


def test_every_method_rule_is_exercised_or_listed_as_untested():
    rulebook = load_rulebook(RULES_DIR)
    named = {rid for c in CASES for sel in c.expect for rid in sel.get("rule_ids", [])}
    methods = {r.id for r in rulebook.methods}
    # each service family has at least one method rule checked by id in the examples
    families = {rid.split(".")[0] for rid in methods}
    assert families <= {rid.split(".")[0] for rid in named & methods}


def test_penalty_and_allocation_rules_have_examples_too():
    kinds = {k for c in CASES for k in c.finance}
    assert {"penalties", "allocate"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}: {c.name}" for c in CASES])
def test_rule_example(case, published):
    rulebook, engines = published
    outcome = run_case(case, rulebook, engines)
    assert outcome.passed, "\n".join(outcome.problems)
