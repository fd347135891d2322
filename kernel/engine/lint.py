"""Refuse generated rulesets that durable-rules 2.0.28 would hang on or fail with later.

durable expands each ``m`` expression into branches (``$or`` distributes over ``$and``) and
builds one chain of alpha nodes per branch, sharing identical prefixes. Measured limits per node
(tests/kernel/test_durable_contract.py pins them):

- 512 equality children of one node make the engine hang (``NEXT_BUCKET_LENGTH``);
- more than 64 of a node's other children (``$neq $lt`` …) firing for one fact fail the assert
  with error 303 (children of different nodes add up freely);
- 256 branches ending at the same node crash the process on assert (segfault).

The lint rebuilds that trie from the generated JSON and keeps a margin under each limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zhkh.kernel.engine.errors import RulesetLimitError

MAX_RULES = 400
MAX_EQ_CHILDREN = 400
MAX_OTHER_CHILDREN = 60
MAX_ENDING = 200
MAX_BRANCHES_PER_RULE = 256


def branches(expression: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """Disjunctive normal form of an ``m`` expression: a list of conjunctions of atomic tests."""
    ((key, value),) = expression.items()
    if key == "$and":
        result: list[list[dict[str, Any]]] = [[]]
        for part in value:
            result = [left + right for left in result for right in branches(part)]
        return result
    if key == "$or":
        return [branch for part in value for branch in branches(part)]
    return [[dict(expression)]]


@dataclass
class _Node:
    eq: dict[str, _Node] = field(default_factory=dict)
    other: dict[str, _Node] = field(default_factory=dict)
    ending: int = 0


def lint_ruleset(
    kind: str, definition: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> None:
    """Raise :class:`RulesetLimitError` naming the kind and the limit when one would be crossed.

    ``labels`` maps durable rule names to the rule ids shown in messages.
    """
    if len(labels) > MAX_RULES:
        raise RulesetLimitError(
            f"вид правил «{kind}»: {len(labels)} правил, допустимо не более {MAX_RULES} "
            "(durable-rules зависает на 512 соседних правилах); вынесите значения в таблицы"
        )
    root = _Node()
    for rule_name, rule in definition.items():
        rule_branches = branches(rule["all"][0]["m"])
        if len(rule_branches) > MAX_BRANCHES_PER_RULE:
            raise RulesetLimitError(
                f"вид правил «{kind}», правило {labels.get(rule_name, rule_name)}: "
                f"условие раскрывается в "
                f"{len(rule_branches)} ветвей, допустимо {MAX_BRANCHES_PER_RULE}; "
                "сократите списки in"
            )
        for branch in rule_branches:
            _add_branch(kind, root, branch)


def _add_branch(kind: str, root: _Node, branch: list[dict[str, Any]]) -> None:
    node = root
    for atom in branch:
        ((key, _),) = atom.items()
        children = node.other if key.startswith("$") else node.eq
        text = json.dumps(atom, sort_keys=True, ensure_ascii=False)
        if text not in children:
            children[text] = _Node()
            _check_width(kind, node, text)
        node = children[text]
    node.ending += 1
    if node.ending > MAX_ENDING:
        raise RulesetLimitError(
            f"вид правил «{kind}»: более {MAX_ENDING} правил с одинаковым условием "
            f"(последнее звено {json.dumps(branch[-1], ensure_ascii=False)})"
        )


def _check_width(kind: str, node: _Node, test: str) -> None:
    if len(node.eq) > MAX_EQ_CHILDREN:
        raise RulesetLimitError(
            f"вид правил «{kind}»: более {MAX_EQ_CHILDREN} разных проверок на равенство на одном "
            f"уровне (например {test}); durable-rules зависает на 512 — вынесите значения в таблицы"
        )
    if len(node.other) > MAX_OTHER_CHILDREN:
        raise RulesetLimitError(
            f"вид правил «{kind}»: более {MAX_OTHER_CHILDREN} разных сравнений на одном уровне "
            f"(например {test}); durable-rules отказывает, если на факт сработают более 64"
        )
