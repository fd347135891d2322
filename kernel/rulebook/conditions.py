"""Conditions of rules (`when:`): a conjunction of tests over documented fact attributes.

YAML form, one key per attribute::

    when:
      service: cold_water                 # equality
      meter: [absent, failed]             # membership in a list
      months_without_readings: {lte: 6}   # comparison: eq ne lt lte gt gte in not_in
      meter_installable: {present: true}  # presence / absence of the attribute

:func:`matches` is the reference meaning; the durable-rules engine must agree with it
(a property test holds them together).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    NOT_IN = "not_in"
    PRESENT = "present"
    ABSENT = "absent"


Scalar = str | int | bool


@dataclass(frozen=True, slots=True)
class Test:
    """One test of a condition; ``value`` is a scalar, or a tuple for IN / NOT_IN."""

    attr: str
    op: Op
    value: Scalar | tuple[Scalar, ...] | None = None


Condition = tuple[Test, ...]


class ConditionError(ValueError):
    """A `when:` that cannot be understood; ``field`` names the attribute at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def parse_when(raw: Mapping[str, Any] | None) -> Condition:
    """Turn the YAML mapping of a `when:` into a Condition, tests sorted for stable hashing."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ConditionError("when: должно быть словарём «атрибут: условие»")
    tests: list[Test] = []
    for attr, spec in raw.items():
        if not isinstance(attr, str):
            raise ConditionError(f"имя атрибута должно быть строкой: {attr!r}")
        if isinstance(spec, list):
            tests.append(Test(attr, Op.IN, tuple(_scalar(attr, v) for v in spec)))
        elif isinstance(spec, Mapping):
            if not spec:
                raise ConditionError(f"пустое условие для {attr}", attr)
            for op_name, value in spec.items():
                try:
                    op = Op(op_name)
                except ValueError:
                    known = ", ".join(o.value for o in Op)
                    raise ConditionError(
                        f"неизвестная операция {op_name!r} для {attr}; допустимы: {known}", attr
                    ) from None
                tests.append(_test(attr, op, value))
        else:
            tests.append(Test(attr, Op.EQ, _scalar(attr, spec)))
    return tuple(sorted(tests, key=lambda t: (t.attr, t.op.value, repr(t.value))))


def _test(attr: str, op: Op, value: Any) -> Test:
    if op in (Op.PRESENT, Op.ABSENT):
        if not isinstance(value, bool):
            raise ConditionError(f"{attr}: {op.value} ожидает true или false", attr)
        present = value if op is Op.PRESENT else not value
        return Test(attr, Op.PRESENT if present else Op.ABSENT, None)
    if op in (Op.IN, Op.NOT_IN):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{attr}: {op.value} ожидает непустой список", attr)
        return Test(attr, op, tuple(_scalar(attr, v) for v in value))
    return Test(attr, op, _scalar(attr, value))


def _scalar(attr: str, value: Any) -> Scalar:
    if isinstance(value, (str, int, bool)):
        return value
    raise ConditionError(
        f"{attr}: значение условия должно быть строкой, целым числом или true/false, "
        f"получено {value!r}",
        attr,
    )


def matches(condition: Condition, fact: Mapping[str, Scalar]) -> bool:
    """Reference semantics: every test holds. Comparisons on a missing attribute are false."""
    return all(_holds(t, fact) for t in condition)


def _holds(test: Test, fact: Mapping[str, Scalar]) -> bool:
    if test.op is Op.PRESENT:
        return test.attr in fact
    if test.op is Op.ABSENT:
        return test.attr not in fact
    if test.attr not in fact:
        return False
    v = fact[test.attr]
    match test.op:
        case Op.EQ:
            return v == test.value
        case Op.NE:
            return v != test.value
        case Op.IN:
            return v in test.value  # type: ignore[operator]
        case Op.NOT_IN:
            return v not in test.value  # type: ignore[operator]
    if type(v) is not type(test.value):
        return False
    match test.op:
        case Op.LT:
            return v < test.value  # type: ignore[operator]
        case Op.LTE:
            return v <= test.value  # type: ignore[operator]
        case Op.GT:
            return v > test.value  # type: ignore[operator]
        case Op.GTE:
            return v >= test.value  # type: ignore[operator]
    raise AssertionError(test.op)
