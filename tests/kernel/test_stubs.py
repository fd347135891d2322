"""Every compiled module has a type stub (``.pyi``) that says what the built module has: the
same public names, and each function's parameters in order — and, where the module has a
pure-Python twin, the twin takes the same parameters. mypy reads the stubs; this keeps them
from drifting from the ``.pyx`` (``.ci/mypy`` also runs mypy's stubtest on them)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("kernel", "modules", "adapters", "api")
SOURCES = sorted(p.relative_to(ROOT) for folder in FOLDERS for p in (ROOT / folder).rglob("*.pyx"))

# compiled function → its twin (module, name); a compiled module absent here has no twin of
# the same signature (the penalty kernel's twin works per account on Decimal).
TWINS = {
    "zhkh.kernel._kernel.compute": ("zhkh.kernel.reference", "compute"),
    "zhkh.kernel._kernel.common_volumes": ("zhkh.kernel.reference", "common_volumes"),
    "zhkh.kernel._format.num": ("zhkh.kernel.formatting", "num_python"),
    "zhkh.kernel._format.rub": ("zhkh.kernel.formatting", "rub_python"),
    "zhkh.kernel._format.join_texts": ("zhkh.kernel.formatting", "join_texts_python"),
    "zhkh.modules.db._copy.join_rows": ("zhkh.modules.db.copy_rows", "join_rows_python"),
}


def module_name(source: Path) -> str:
    return "zhkh." + ".".join(source.with_suffix("").parts)


def stub_of(source: Path) -> tuple[dict[str, list[str]], set[str]]:
    """The stub's functions (name → parameter names) and its other public names."""
    tree = ast.parse((ROOT / source.with_suffix(".pyi")).read_text(encoding="utf-8"))
    functions: dict[str, list[str]] = {}
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = [a.arg for a in node.args.posonlyargs + node.args.args
                                    + node.args.kwonlyargs]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return functions, {n for n in names if not n.startswith("_")}


def parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_the_compiled_modules_are_found() -> None:
    assert {module_name(s) for s in SOURCES} >= {
        "zhkh.kernel._kernel", "zhkh.kernel._format", "zhkh.kernel._penalties",
        "zhkh.modules.db._copy"}


@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_every_compiled_module_has_a_stub_and_its_package_a_py_typed_marker(source: Path) -> None:
    assert (ROOT / source.with_suffix(".pyi")).is_file(), f"{source}: нет заглушки .pyi"
    assert (ROOT / source.parts[0] / "py.typed").is_file()


@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_a_stub_names_what_the_built_module_has(source: Path) -> None:
    module = pytest.importorskip(module_name(source))
    functions, constants = stub_of(source)
    public = {n for n in vars(module) if not n.startswith("_")}
    assert set(functions) | constants == public
    for name, params in functions.items():
        assert params == parameters(getattr(module, name)), name


def test_a_stub_takes_the_parameters_of_its_python_twin() -> None:
    checked = 0
    for source in SOURCES:
        functions, _ = stub_of(source)
        for name, params in functions.items():
            twin = TWINS.get(f"{module_name(source)}.{name}")
            if twin is None:
                continue
            function = getattr(importlib.import_module(twin[0]), twin[1])
            assert params == parameters(function), f"{name} ≠ {twin[0]}.{twin[1]}"
            checked += 1
    assert checked == len(TWINS)
