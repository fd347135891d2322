"""Registry of rule kinds: folder name → (list key, rule model).

Each kind is a module of this package exporting ``KIND``, ``LIST_KEY`` and ``Rule`` (see
:mod:`zhkh.kernel.rulebook.base`). ``tariffs``, ``norms`` and ``methods`` always exist; the other
kinds are imported when their module has been added. A folder of ``rules/`` whose kind module is
missing is refused by the loader («вид правил не поддерживается»).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from zhkh.kernel.rulebook.base import RuleBase

CORE_KINDS = ("tariffs", "norms", "methods")
OPTIONAL_KINDS = ("benefits", "quality", "absence", "penalties", "allocation", "facts",
                  "checks")
FOLDERS = CORE_KINDS + OPTIONAL_KINDS
"""Every folder name a rules directory may hold besides ``tests/``."""


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    list_key: str
    rule: type[RuleBase]


def _discover() -> Mapping[str, KindSpec]:
    specs: dict[str, KindSpec] = {}
    for name in FOLDERS:
        module_name = f"{__name__}.{name}"
        if name in OPTIONAL_KINDS and importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        specs[module.KIND] = KindSpec(module.KIND, module.LIST_KEY, module.Rule)
    return MappingProxyType(specs)


KINDS: Mapping[str, KindSpec] = _discover()
"""Supported kinds by folder name (immutable, fixed at import)."""
