"""The one "compiled or twin" switch (``zhkh.kernel._compiled``) and every module that goes
through it: a missing build is an ImportError when compiled code is required, otherwise a
RuntimeWarning and the module's Python twin."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from zhkh.kernel import _compiled

# (compiled module, the module choosing through the switch, what shows the twin is in use)
PAIRS = [
    ("zhkh.kernel._kernel", "zhkh.kernel.charges", "m.IMPLEMENTATION == 'reference'"),
    ("zhkh.kernel._format", "zhkh.kernel.formatting",
     "m.join_texts is m.join_texts_python and m.num is m.num_python"),
    ("zhkh.kernel._penalties", "zhkh.kernel.penalties.fast", "m.penalties_kernel is None"),
    ("zhkh.modules.db._copy", "zhkh.modules.db.copy_rows", "m.join_rows is m.join_rows_python"),
]


def import_without(compiled: str, module: str, twin: str, require: str
                   ) -> subprocess.CompletedProcess[str]:
    """Import ``module`` in a fresh interpreter where ``compiled`` cannot be imported."""
    script = textwrap.dedent(f"""
        import importlib, os, sys, warnings
        os.environ["ZHKH_REQUIRE_COMPILED"] = {require!r}
        sys.modules[{compiled!r}] = None  # makes `import` raise ImportError
        warnings.simplefilter("error", RuntimeWarning)
        try:
            importlib.import_module({module!r})
        except ImportError as exc:
            print("ImportError:", exc)
        except RuntimeWarning as warning:
            print("RuntimeWarning:", warning)
        warnings.simplefilter("ignore", RuntimeWarning)
        sys.modules.pop({module!r}, None)
        m = importlib.import_module({module!r})
        print("twin in use:", {twin})
        from zhkh.kernel import _compiled
        print("in use:", _compiled.in_use()[{compiled!r}])
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=120)


@pytest.mark.parametrize(("compiled", "module", "twin"), PAIRS, ids=[p[0] for p in PAIRS])
def test_a_missing_build_is_an_import_error_when_compiled_code_is_required(compiled, module,
                                                                            twin):
    result = import_without(compiled, module, twin, "1")
    assert result.returncode != 0, result.stdout
    assert f"ImportError: скомпилированный модуль {compiled}" in result.stdout
    assert "build_ext --inplace" in result.stdout
    # the second, unguarded import fails too: no silent fallback
    assert "twin in use" not in result.stdout
    assert "ImportError" in result.stderr


@pytest.mark.parametrize(("compiled", "module", "twin"), PAIRS, ids=[p[0] for p in PAIRS])
def test_a_missing_build_falls_back_to_the_twin_with_a_runtime_warning(compiled, module, twin):
    result = import_without(compiled, module, twin, "0")
    assert result.returncode == 0, result.stderr
    assert f"RuntimeWarning: скомпилированный модуль {compiled}" in result.stdout
    assert "twin in use: True" in result.stdout
    assert "in use: False" in result.stdout


def test_every_compiled_module_is_in_use_when_the_build_is_required():
    if not _compiled.REQUIRED:
        pytest.skip("сборка без обязательного компилированного кода")
    for _compiled_name, module, _twin in PAIRS:
        __import__(module)
    assert _compiled.in_use() == {name: True for name, _m, _t in PAIRS}
