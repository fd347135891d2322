"""Calculation methods, one module each, declared once for both paths (see ``base``).

Adding a method: its parameters in the rule kind (``rulebook/kinds/methods.py``), a module here
(kernel operation, constants, inputs, refusal, explain pattern) listed in :data:`METHODS`, and —
if it needs new arithmetic — the kernel operation with its Decimal twin (``reference.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.calc.methods.area import Area
from zhkh.kernel.calc.methods.area_norm import AreaNorm
from zhkh.kernel.calc.methods.average import Average
from zhkh.kernel.calc.methods.base import Method
from zhkh.kernel.calc.methods.common_property import CommonProperty
from zhkh.kernel.calc.methods.derived import Derived
from zhkh.kernel.calc.methods.fixed import Fixed
from zhkh.kernel.calc.methods.house_share import HouseShare
from zhkh.kernel.calc.methods.meter import Meter
from zhkh.kernel.calc.methods.norm import Norm
from zhkh.kernel.calc.methods.shared_meter import SharedMeter

METHODS: dict[str, Method] = {m.name: m for m in (
    Meter(), Average(), Norm(), Area(), AreaNorm(), HouseShare(), Fixed(), Derived(),
    CommonProperty(), SharedMeter())}
"""Every method by the name rule files and ledger lines use."""

DERIVED = METHODS["derived"]
COMMON = METHODS["common_property"]
SHARED = METHODS["shared_meter"]
METHOD_LIST = list(METHODS.values())
_CODE = {name: i for i, name in enumerate(METHODS)}


class _Named(Protocol):
    method: str


def method_codes(templates: Sequence[_Named], tmpl: np.ndarray) -> np.ndarray:
    """The method of each row (of template ``templates[tmpl[i]]``) as an index into
    :data:`METHOD_LIST`."""
    codes = np.array([_CODE[t.method] for t in templates] or [0], dtype=np.int64)
    return codes[tmpl] if len(tmpl) else np.zeros(0, dtype=np.int64)


def method_named(name: str, rule_id: str, account: str, service: str) -> Method:
    """The method a rule names; an unknown one is an error naming the rule."""
    method = METHODS.get(name)
    if method is None:
        raise CalculationError(
            "bad_method", f"правило {rule_id} называет неизвестный способ расчёта {name}",
            account=account, service=service)
    return method


__all__ = ["COMMON", "DERIVED", "METHODS", "METHOD_LIST", "SHARED", "Method", "method_codes",
           "method_named"]
