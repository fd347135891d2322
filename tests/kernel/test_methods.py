"""The methods a rule file may name are exactly the declared first-pass methods, and each
declaration is complete: a kernel operation and a base pattern the formula can use."""

from __future__ import annotations

import typing

import pytest

from zhkh.kernel import reference
from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.methods import METHODS, method_named
from zhkh.kernel.calc.methods.base import PARTS, Constants
from zhkh.kernel.calc.methods.common_property import WIDTH
from zhkh.kernel.rulebook.kinds.methods import Then


def rule_kind_methods() -> set[str]:
    """``then.method`` values the methods rule kind accepts."""
    union = typing.get_args(Then)[0]
    return {typing.get_args(model.model_fields["method"].annotation)[0]
            for model in typing.get_args(union)}


def test_rule_files_name_exactly_the_declared_methods_but_derived():
    """``derived`` is named by the service catalogue (``derived_from``), every other method by
    a rule file; ``common_property`` is the one second-pass method a rule names (over the
    house)."""
    assert rule_kind_methods() == set(METHODS) - {"derived"}
    assert {name for name, m in METHODS.items() if m.second_pass} == {"derived",
                                                                      "common_property"}


@pytest.mark.parametrize("name", list(METHODS))
def test_a_method_runs_a_kernel_operation_and_has_a_base_pattern(name):
    method = METHODS[name]
    assert method.name == name
    assert method.kernel in (reference.METER, reference.AVERAGE, reference.QUANTITY,
                             reference.SHARE)
    # derived reads as many parts as its variant says; common_property its fixed WIDTH parts,
    # in each of its variants (source × 4 + outcome); shared_meter the basis and two readings
    variants = {"common_property": range(12), "shared_meter": (0, 1)}.get(name, (0, 1, 2))
    for variant in variants:
        pattern = method.base(Constants(norm=4_900_000), "м³", variant)
        assert pattern and all(kind in ("const", "num", "rub", "int") for kind, _ in pattern)
        columns = [p for kind, p in pattern if kind != "const"]
        width = {"common_property": WIDTH, "shared_meter": 3}.get(name, variant)
        assert all(isinstance(c, int) and 0 <= c < PARTS + width for c in columns)


def test_an_unknown_method_is_an_error_naming_the_rule():
    with pytest.raises(CalculationError, match=r"правило water\.x называет неизвестный способ"):
        method_named("by_moon", "water.x", "1", "cold_water")
