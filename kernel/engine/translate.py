"""Conditions → durable-rules JSON, and facts → durable messages, with `matches` semantics.

durable-rules coerces types loosely (``"1" == 1`` holds, booleans compare as numbers), and in
2.0.28 a branch made only of ``$nex`` tests hangs the engine. So no raw value is compared across
types and neither ``$ex`` nor ``$nex`` is used. Each attribute referenced by the rules of a kind
gets a number N and these message properties:

- ``eN`` (always sent): the *typed key* of the value, ``"s" + text`` for a string and
  ``"n" + digits`` for an integer or a boolean (``True == 1`` as in Python, ``"1" != 1``), or
  ``"x"`` when the fact lacks the attribute (no typed key equals ``"x"``). eq / ne / in / not_in /
  present / absent test ``eN`` only, string against string;
- ``yN`` and ``cN`` (only when a rule of the kind compares the attribute with lt/lte/gt/gte, and
  the fact has it): the type letter (``s``, ``i``, ``b``) and the value: an integer, a boolean
  as 0/1, a string through :func:`ordered_text` (durable mis-orders trailing whitespace).
  A comparison is ``yN == letter`` followed by the comparison of ``cN``: it only ever sees a value
  of its own type and never a missing one, as :func:`conditions.matches` requires (trap 6).

Every message carries ``t: 1``; an empty condition becomes ``{"t": 1}`` (durable needs a test).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zhkh.kernel.engine.errors import EngineError
from zhkh.kernel.rulebook.conditions import Condition, Op, Scalar, Test

MARKER = "t"
ALWAYS: dict[str, Any] = {MARKER: 1}
MISSING = "x"
MAX_PROPERTIES = 250  # durable refuses messages of more than 255 properties
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_COMPARISONS = {Op.LT: "$lt", Op.LTE: "$lte", Op.GT: "$gt", Op.GTE: "$gte"}


def check_scalar(value: object, where: str) -> None:
    """Refuse values durable cannot carry faithfully: other types, NUL in text, ints past int64."""
    if isinstance(value, str):
        if "\x00" in value:
            raise EngineError(f"{where}: строка содержит нулевой символ: {value!r}")
    elif isinstance(value, int):
        if not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            raise EngineError(f"{where}: целое вне диапазона int64: {value}")
    else:
        raise EngineError(f"{where}: ожидается строка, целое или true/false, получено {value!r}")


def typed_key(value: Scalar) -> str:
    """Equality key of a value: equal keys ⇔ equal in Python (``True`` ≡ ``1``, ``"1"`` ≢ ``1``)."""
    if isinstance(value, str):
        return "s" + value
    return "n" + str(int(value))


def _typed_property(value: Scalar) -> tuple[str, int | str]:
    """Type letter of a value and the value durable compares (a boolean as 0/1)."""
    if isinstance(value, bool):
        return "b", int(value)
    if isinstance(value, int):
        return "i", value
    return "s", ordered_text(value)


def ordered_text(text: str) -> str:
    """Text durable orders as Python does: each code point as 6 hex digits, then ``!``.

    durable drops trailing whitespace of a condition's string in lt/lte/gt/gte (``"s" < "s "``
    is false there). Hex digits carry no whitespace; fixed width keeps code point order, and the
    terminator ``!`` (below ``0``) makes a prefix sort first, as in Python.
    """
    return "".join(f"{ord(char):06x}" for char in text) + "!"


@dataclass(frozen=True, slots=True)
class KindCodec:
    """How the facts of one kind are sent: which attributes, numbered how, compared or not."""

    ruleset: str
    numbers: Mapping[str, int]
    compared: frozenset[str]

    @classmethod
    def for_conditions(cls, ruleset: str, conditions: Iterable[Condition]) -> KindCodec:
        """Number the attributes the conditions reference (in order of first appearance)."""
        numbers: dict[str, int] = {}
        compared: set[str] = set()
        for condition in conditions:
            for test in condition:
                numbers.setdefault(test.attr, len(numbers))
                if test.op in _COMPARISONS:
                    compared.add(test.attr)
        return cls(ruleset, numbers, frozenset(compared))

    def message(self, fact: Mapping[str, Scalar], sid: str) -> dict[str, Any]:
        """The durable message of ``fact``: attributes no rule of the kind names are left out."""
        message: dict[str, Any] = {"sid": sid, MARKER: 1}
        for attr, number in self.numbers.items():
            if attr not in fact:
                message[f"e{number}"] = MISSING
                continue
            value = fact[attr]
            check_scalar(value, f"атрибут {attr}")
            message[f"e{number}"] = typed_key(value)
            if attr in self.compared:
                message[f"y{number}"], message[f"c{number}"] = _typed_property(value)
        return message

    @property
    def max_properties(self) -> int:
        """Most properties a message of this kind can have (sid, marker, eN, yN, cN)."""
        return 2 + len(self.numbers) + 2 * len(self.compared)

    def condition(self, condition: Condition) -> dict[str, Any]:
        """The durable ``m`` expression of a condition (a flat ``$and`` of the tests' parts)."""
        parts: list[dict[str, Any]] = []
        seen: set[str] = set()
        for test in condition:
            for part in self._parts(test):
                key = repr(part)
                if key not in seen:
                    seen.add(key)
                    parts.append(part)
        if not parts:
            return dict(ALWAYS)
        return parts[0] if len(parts) == 1 else {"$and": parts}

    def _parts(self, test: Test) -> list[dict[str, Any]]:
        number = self.numbers[test.attr]
        e = f"e{number}"
        present = {"$neq": {e: MISSING}}
        op = test.op
        if op is Op.PRESENT:
            return [present]
        if op is Op.ABSENT:
            return [{e: MISSING}]
        if op is Op.EQ:
            return [{e: typed_key(test.value)}]  # type: ignore[arg-type]
        if op is Op.NE:
            return [present, {"$neq": {e: typed_key(test.value)}}]  # type: ignore[arg-type]
        if op is Op.IN:
            keys = _unique_keys(test.value)  # type: ignore[arg-type]
            alternatives = [{e: key} for key in keys]
            return [alternatives[0] if len(keys) == 1 else {"$or": alternatives}]
        if op is Op.NOT_IN:
            keys = _unique_keys(test.value)  # type: ignore[arg-type]
            return [present, *({"$neq": {e: key}} for key in keys)]
        letter, raw = _typed_property(test.value)  # type: ignore[arg-type]
        return [{f"y{number}": letter}, {_COMPARISONS[op]: {f"c{number}": raw}}]


def _unique_keys(values: tuple[Scalar, ...]) -> list[str]:
    return list(dict.fromkeys(typed_key(v) for v in values))


def check_condition(condition: Condition, where: str) -> None:
    """Every value of every test is one durable can carry (see :func:`check_scalar`)."""
    for test in condition:
        if test.op in (Op.PRESENT, Op.ABSENT):
            continue
        values = test.value if test.op in (Op.IN, Op.NOT_IN) else (test.value,)
        if not isinstance(values, tuple) or not values:
            raise EngineError(f"{where}: {test.attr} {test.op.value} ожидает непустой список")
        for value in values:
            check_scalar(value, f"{where}: {test.attr} {test.op.value}")
