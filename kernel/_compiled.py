"""The one switch between the compiled modules and their pure-Python twins.

Every compiled module (``zhkh.kernel._kernel``, ``zhkh.kernel._format``,
``zhkh.kernel._penalties``, ``zhkh.modules.db._copy``) is imported through :func:`compiled`, so
the choice is made in one place, from one reading of the environment: ``ZHKH_REQUIRE_COMPILED=1``
(CI, production) makes a missing build an ``ImportError`` naming the module and how to build it;
otherwise a ``RuntimeWarning`` is issued and the caller takes its twin (exact, but slower).
:func:`in_use` tells which of the modules asked for so far are compiled (the pattern of
SQLAlchemy's ``util/_has_cython.py``).
"""

from __future__ import annotations

import importlib
import os
import warnings
from types import ModuleType

REQUIRED: bool = os.environ.get("ZHKH_REQUIRE_COMPILED") == "1"
"""A missing compiled module is an error, never a silent slow path (read once, at import)."""

BUILD_HINT = "cd <корень проекта> && python setup.py build_ext --inplace (нужны Cython и gcc)"

_asked: dict[str, bool] = {}


def compiled(name: str, what: str) -> ModuleType | None:
    """The compiled module ``name`` (``what`` says in Russian what it computes), or None when
    it is not built and not required — after a ``RuntimeWarning`` telling how to build it.

    Raises ImportError when the module is missing and :data:`REQUIRED` is set.
    """
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        _asked[name] = False
        if REQUIRED:
            raise ImportError(
                f"скомпилированный модуль {name} ({what}) не найден, а "
                f"ZHKH_REQUIRE_COMPILED=1 запрещает медленный запасной вариант; соберите его: "
                f"{BUILD_HINT} ({exc})"
            ) from exc
        warnings.warn(
            f"скомпилированный модуль {name} ({what}) не найден; используется его двойник на "
            f"Python (точный, но медленный). Сборка: {BUILD_HINT}",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    _asked[name] = True
    return module


def in_use() -> dict[str, bool]:
    """Each compiled module asked for so far → whether the compiled one is in use."""
    return dict(_asked)
