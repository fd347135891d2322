"""Contract of durable-rules 2.0.28 that kernel/engine relies on (one small test per trap).

If an upgrade or a swap of the engine breaks one of these, the wrapper's design must be revisited:
the docstring of each test says which part of kernel/engine depends on it.
"""

from __future__ import annotations

import copy
import itertools
import subprocess
import sys
import textwrap

import durable_rules_engine
import pytest
from durable.engine import Host, MessageNotHandledException, MessageObservedException

_sids = itertools.count()


class _Host(Host):
    """Timers off; action ``x`` appends `` x`` to the state string ``hits``; ``boom`` raises."""

    def _run(self):
        pass

    def get_action(self, name):
        def act(c):
            if name == "boom":
                raise RuntimeError("boom")
            c.s.hits = (c.s.hits or "") + " " + name

        return act


def _host(rules: dict) -> _Host:
    host = _Host()
    host.set_rulesets({"k": copy.deepcopy(rules)})
    return host


def _rule(condition: dict, name: str, pri: int | None = None) -> dict:
    rule = {"all": [{"m": condition}], "run": name}
    if pri is not None:
        rule["pri"] = pri
    return rule


def _fired(host: Host, fact: dict, *, event: bool = False) -> set[str]:
    sid = str(next(_sids))
    try:
        call = host.post if event else host.assert_fact
        state = call("k", dict(fact, sid=sid))
    except MessageNotHandledException:
        return set()
    host.delete_state("k", sid)
    return set((state.get("hits") or "").split())


def test_set_rulesets_deletes_the_run_keys_of_its_argument():
    """Engine passes a deep copy (QuietHost.load)."""
    rules = {"k": {"r": _rule({"a": 1}, "r")}}
    _Host().set_rulesets(rules)
    assert "run" not in rules["k"]["r"]


def test_post_fires_only_the_first_match_while_assert_fact_fires_all():
    """Engine uses assert_fact so that every matching rule is reported."""
    host = _host({"r1": _rule({"a": 1}, "r1", 1), "r2": _rule({"$ex": {"a": 1}}, "r2", 2)})
    assert _fired(host, {"a": 1}, event=True) == {"r1"}
    assert _fired(host, {"a": 1}) == {"r1", "r2"}


def test_an_identical_fact_asserted_twice_in_one_sid_is_refused():
    """Engine avoids it with a fresh sid per evaluation."""
    host = _host({"r": _rule({"a": 1}, "r")})
    host.assert_fact("k", {"sid": "same", "a": 1})
    with pytest.raises(MessageObservedException):
        host.assert_fact("k", {"sid": "same", "a": 1})


def test_an_exception_in_an_action_lands_in_the_state_and_is_not_raised():
    """Engine checks the ``exception`` key after every call."""
    host = _host({"r": _rule({"a": 1}, "boom")})
    state = host.assert_fact("k", {"sid": "x", "a": 1})
    assert "boom" in state["exception"]


def test_booleans_are_compared_as_numbers():
    """Engine never sends a boolean: in ``matches`` a bool and an int never compare."""
    host = _host({"gte": _rule({"$gte": {"a": 0}}, "gte"), "eq": _rule({"a": True}, "eq")})
    assert _fired(host, {"a": True}) == {"gte", "eq"}
    assert _fired(host, {"a": 1}) == {"gte", "eq"}
    assert _fired(host, {"a": False}) == {"gte"}


def test_equality_coerces_a_numeric_string_to_a_number():
    """Engine compares typed keys (``"s1"`` vs ``"n1"``) so that ``"1" != 1`` as in Python."""
    host = _host({"r": _rule({"a": 1}, "r")})
    assert _fired(host, {"a": "1"}) == {"r"}


def test_ex_and_nex_work_inside_a_conjunction_and_comparisons_fail_on_a_missing_attribute():
    """Documents the operators; engine uses neither (see the hang below) but relies on the last."""
    host = _host(
        {
            "ex": _rule({"$and": [{"b": 1}, {"$ex": {"a": 1}}]}, "ex"),
            "nex": _rule({"$and": [{"b": 1}, {"$nex": {"a": 1}}]}, "nex"),
            "neq": _rule({"$neq": {"a": 5}}, "neq"),
            "lt": _rule({"$lt": {"a": 5}}, "lt"),
        }
    )
    assert _fired(host, {"a": 1, "b": 1}) == {"ex", "neq", "lt"}
    assert _fired(host, {"b": 1}) == {"nex"}


def test_strings_compare_lexicographically_even_when_they_look_numeric():
    """Engine compares strings raw in their own property."""
    host = _host({"lt": _rule({"$lt": {"a": "9"}}, "lt")})
    assert _fired(host, {"a": "10"}) == {"lt"}
    assert _fired(host, {"a": "2026-10"}) == {"lt"}
    assert _fired(host, {"a": "я"}) == set()


def test_a_ruleset_name_cannot_be_registered_twice_in_one_host():
    """Engine builds a new host per rulebook version."""
    host = _host({"r": _rule({"a": 1}, "r")})
    with pytest.raises(Exception, match="already registered"):
        host.set_rulesets({"k": {"r": _rule({"a": 2}, "r")}})


def test_two_hosts_with_the_same_ruleset_name_are_independent():
    """Engine relies on no module globals: each Engine owns its host and C rulesets."""
    first = _host({"r": _rule({"a": 1}, "r")})
    second = _host({"r": _rule({"a": 2}, "r")})
    assert _fired(first, {"a": 1}) == {"r"}
    assert _fired(second, {"a": 1}) == set()


def test_more_than_1024_live_sids_fail():
    """Engine deletes the state of every sid right after reading it."""
    host = _host({"r": _rule({"a": 1}, "r")})
    with pytest.raises(MemoryError):
        for number in range(1100):
            host.assert_fact("k", {"sid": f"live{number}", "a": 1})


def test_more_than_64_comparisons_of_one_node_firing_for_one_fact_fail_the_assert():
    """lint.MAX_OTHER_CHILDREN (60) keeps under it; host.py names the limit if it happens."""
    rules = {f"r{i}": _rule({"$lt": {"a": i}}, f"r{i}") for i in range(100)}
    host = _host(rules)
    assert len(_fired(host, {"a": 35})) == 64
    with pytest.raises(durable_rules_engine.error, match="303"):
        host.assert_fact("k", {"sid": "x", "a": 34})


def test_many_comparison_siblings_work_while_few_of_them_fire():
    """So the limit is on firing children, and lint.MAX_OTHER_CHILDREN bounds them all."""
    host = _host({f"r{i}": _rule({"$lt": {"a": i}}, f"r{i}") for i in range(200)})
    assert len(_fired(host, {"a": 190})) == 9


def _run_isolated(code: str, timeout: float) -> int | None:
    """Return code of ``code`` in a fresh interpreter; None when it hung past ``timeout``."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], timeout=timeout, capture_output=True
        )
    except subprocess.TimeoutExpired:
        return None
    return done.returncode


_ISOLATED_HOST = """
    from durable.engine import Host, MessageNotHandledException
    class H(Host):
        def _run(self): pass
        def get_action(self, name):
            def act(c): c.s.hit = 1
            return act
"""


def test_256_rules_with_one_condition_crash_the_process_on_assert():
    """lint.MAX_ENDING (200) keeps a margin under this."""
    code = (
        _ISOLATED_HOST
        + """
    rules = {f"r{i}": {"all": [{"m": {"a": 1}}], "run": "r"} for i in range(256)}
    h = H(); h.set_rulesets({"k": rules})
    h.assert_fact("k", {"sid": "1", "a": 1})
    """
    )
    assert _run_isolated(code, timeout=20) not in (0, None)


def test_deleting_the_state_of_an_unhandled_fact_crashes_the_process():
    """QuietHost adds a sentinel rule matching every message so no fact is ever unhandled."""
    code = (
        _ISOLATED_HOST
        + """
    h = H(); h.set_rulesets({"k": {"r": {"all": [{"m": {"a": 1}}], "run": "r"}}})
    try: h.assert_fact("k", {"sid": "1", "a": 2})
    except MessageNotHandledException: pass
    h.delete_state("k", "1")
    """
    )
    assert _run_isolated(code, timeout=20) not in (0, None)


@pytest.mark.slow
def test_512_equality_siblings_hang_the_engine():
    """lint.MAX_EQ_CHILDREN keeps a margin under this (trap 5)."""
    code = (
        _ISOLATED_HOST
        + """
    rules = {f"r{i}": {"all": [{"m": {"a": i}}], "run": "r"} for i in range(512)}
    h = H(); h.set_rulesets({"k": rules})
    h.assert_fact("k", {"sid": "1", "a": 3})
    """
    )
    assert _run_isolated(code, timeout=4) is None


@pytest.mark.slow
def test_a_rule_made_only_of_nex_tests_hangs_the_engine():
    """translate.py encodes absence as ``eN == "x"`` instead of ``$nex``."""
    code = (
        _ISOLATED_HOST
        + """
    h = H(); h.set_rulesets({"k": {"r": {"all": [{"m": {"$nex": {"a": 1}}}], "run": "r"}}})
    h.assert_fact("k", {"sid": "1", "b": 1})
    """
    )
    assert _run_isolated(code, timeout=4) is None
