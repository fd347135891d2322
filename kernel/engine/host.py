"""One durable-rules host with its timers disabled, evaluating one fact per fresh ``sid``.

Evaluation protocol (each step answers a trap of docs DURABLE_RULES.md):

1. every ruleset holds a sentinel rule matching every message, so an assert is always handled:
   ``delete_state`` after an *unhandled* fact crashes the process (segfault, pinned by a contract
   test), and ``MessageNotHandledException`` never has to be told apart from a real failure;
2. ``assert_fact`` (not ``post``) so that every matching rule fires; each rule's action appends
   its index to the state string ``hits`` (one property: a state has at most 255);
3. the state is read with ``get_state``; an ``exception`` key (an action that raised) is an error;
4. ``delete_state`` drops the sid and its fact, so at most one sid is ever live (1,024 is fatal).

A fresh sid per evaluation (rather than one sid with ``retract_fact``) means nothing from a previous
evaluation can be observed or re-fire, and costs no second pass through the network.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Mapping
from typing import Any

import durable_rules_engine
from durable.engine import Host, MessageNotHandledException

from zhkh.kernel.engine.errors import EngineError

SENTINEL_ACTION = "always"
MAX_FIRED_NODES = 64  # comparisons of one node firing for one fact; one more fails with 303
HITS = "hits"


def _record(index: int) -> Callable[[Any], None]:
    token = f" {index}"

    def record(c: Any) -> None:
        c.s[HITS] = (c.s[HITS] or "") + token

    return record


def _sentinel(c: Any) -> None:
    """Fires for every message; keeps the assert handled (see the module docstring)."""


class QuietHost(Host):  # type: ignore[misc]  # durable_rules ships no type information
    """A durable ``Host`` without timer threads whose actions record rule indices."""

    def __init__(self) -> None:
        self._sids = itertools.count()
        super().__init__()

    def _run(self) -> None:
        """Start no timer threads: billing has no timers, and they would run actions elsewhere."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        """Resolve ``"<ruleset>/<index>"`` to a recorder of that index; the sentinel to a no-op."""
        if action_name == SENTINEL_ACTION:
            return _sentinel
        _, _, index = action_name.rpartition("/")
        return _record(int(index))

    def load(self, rulesets: Mapping[str, Mapping[str, Any]]) -> None:
        """Register the rulesets (durable deletes the "run" keys of what it gets: pass a copy)."""
        try:
            self.set_rulesets(copy.deepcopy(dict(rulesets)))
        except Exception as error:  # durable raises bare Exception and its own `error`
            raise EngineError(f"durable-rules не принял наборы правил: {error}") from error

    def evaluate(self, ruleset: str, message: dict[str, Any]) -> tuple[int, ...]:
        """Indices of the rules of ``ruleset`` firing for ``message`` (its ``sid`` is set here)."""
        rules = self.get_ruleset(ruleset)
        sid = str(next(self._sids))
        message["sid"] = sid
        try:
            returned = self.assert_fact(ruleset, message) or {}
            state = rules.get_state(sid)
        except MessageNotHandledException as error:  # the sentinel rule makes this a fault
            raise EngineError(f"durable-rules не обработал факт {message}") from error
        except durable_rules_engine.error as error:
            if "303" in str(error):
                raise EngineError(
                    f"к одному факту подходит более {MAX_FIRED_NODES} сравнений одного уровня "
                    f"(предел durable-rules): {message}"
                ) from error
            raise EngineError(f"ошибка durable-rules на факте {message}: {error}") from error
        rules.delete_state(sid)
        for seen in (returned, state):
            if "exception" in seen:
                raise EngineError(f"действие правила упало на факте {message}: {seen['exception']}")
        return tuple(int(token) for token in state.get(HITS, "").split())

    def close(self) -> None:
        """Free the C rulesets (their handles are a process-wide table of 131,072)."""
        for rules in self._ruleset_list:
            durable_rules_engine.delete_ruleset(rules._handle)
        self._ruleset_list.clear()
        self._ruleset_directory.clear()
