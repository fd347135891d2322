"""Mutation run over the kernel's money, twins, allocation, penalties and rule validation.

Not part of CI (it takes tens of minutes). Each mutant is one small AST change of one module
(an operator, a comparison, a constant, a rounding mode, a removed ``raise``/call/``return``,
a boolean operator, a string emptied); the module file is rewritten with it, the module's own
tests run (``pytest -x``), and the original file is put back. A mutant the tests do not notice
*survives*. Survivors that cannot change behaviour are listed with the reason in
``.ci/mutate-equivalent.txt`` and left out of the score.

    .venv/bin/python .ci/mutate.py                 # every module
    .venv/bin/python .ci/mutate.py kernel/money.py # one module
    .venv/bin/python .ci/mutate.py --list kernel/money.py   # the mutants, not run

Writes ``build/mutate-report.json``; exits 1 when a module kills less than 90 % of its
non-equivalent mutants.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 0.90
TIMEOUT = 300

# module → the tests that are its own
MODULES: dict[str, list[str]] = {
    "kernel/money.py": ["tests/kernel/test_money.py"],
    "kernel/reference.py": ["tests/kernel/test_charges_twin.py",
                            "tests/kernel/test_charges_differential.py"],
    "kernel/penalties/reference.py": ["tests/kernel/test_penalties_examples.py",
                                      "tests/kernel/test_penalties_twin.py",
                                      "tests/kernel/test_penalties_differential.py"],
    "kernel/penalties/policy.py": ["tests/kernel/test_penalties_examples.py",
                                   "tests/kernel/test_penalties_twin.py",
                                   "tests/kernel/test_penalties_differential.py"],
    "kernel/penalties/explain.py": ["tests/kernel/test_penalties_examples.py",
                                    "tests/kernel/test_penalties_twin.py"],
    "kernel/allocation/allocate.py": ["tests/kernel/test_allocation.py"],
    "kernel/allocation/split.py": ["tests/kernel/test_allocation.py"],
    "kernel/rulebook/validation.py": ["tests/kernel/test_rulebook_validation.py",
                                      "tests/kernel/test_rulebook_errors.py"],
}

_BIN_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.Div: ast.Mult,
             ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult}
_CMP_SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
             ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_NAME_SWAP = {"ROUND_HALF_UP": "ROUND_HALF_EVEN", "ROUND_HALF_EVEN": "ROUND_HALF_UP",
              "min": "max", "max": "min", "True": "False", "False": "True"}


@dataclass
class Mutant:
    module: str
    index: int
    line: int
    what: str


def _docstring_ids(tree: ast.AST) -> set[int]:
    """Docstrings and attribute docstrings (bare string statements): never mutated."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = node.body
            ids |= {id(s.value) for s in body
                    if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)}
    return ids


def _points(tree: ast.AST) -> Iterator[tuple[ast.AST, str, object]]:
    """(node, description, change) for every mutation point, in a stable order."""
    docs = _docstring_ids(tree)
    annotations = {id(n) for a in ast.walk(tree) if isinstance(a, ast.AnnAssign | ast.arg)
                   and a.annotation is not None for n in ast.walk(a.annotation)}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            for n in ([fn.returns] if fn.returns else []):
                annotations |= {id(x) for x in ast.walk(n)}
    for node in ast.walk(tree):
        if id(node) in annotations:
            continue
        if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _BIN_SWAP:
            new = _BIN_SWAP[type(node.op)]
            yield node, f"{type(node.op).__name__} → {new.__name__}", ("op", new)
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _CMP_SWAP:
                    new = _CMP_SWAP[type(op)]
                    yield node, f"{type(op).__name__} → {new.__name__}", ("cmp", i, new)
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            yield node, f"{type(node.op).__name__} → {new.__name__}", ("op", new)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
            yield node, f"drop {type(node.op).__name__}", ("unwrap",)
        elif isinstance(node, ast.Constant) and id(node) not in docs:
            v = node.value
            if isinstance(v, bool):
                yield node, f"{v} → {not v}", ("const", not v)
            elif isinstance(v, int):
                yield node, f"{v} → {v + 1}", ("const", v + 1)
            elif isinstance(v, str) and v:
                yield node, f"{v[:30]!r} → 'XX'", ("const", "XX")
        elif isinstance(node, ast.Name) and node.id in _NAME_SWAP:
            yield node, f"{node.id} → {_NAME_SWAP[node.id]}", ("name", _NAME_SWAP[node.id])
        elif isinstance(node, ast.If):
            yield node, "if → if not", ("negate",)
        elif isinstance(node, ast.Raise | ast.Expr | ast.Continue | ast.Break) and not (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            yield node, f"drop {type(node).__name__.lower()}", ("pass",)
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            yield node, "return None", ("return_none",)


def _apply(node: ast.AST, change: tuple) -> ast.AST:
    kind = change[0]
    if kind == "op":
        node.op = change[1]()  # type: ignore[attr-defined]
    elif kind == "cmp":
        node.ops[change[1]] = change[2]()  # type: ignore[attr-defined]
    elif kind == "unwrap":
        return node.operand  # type: ignore[attr-defined]
    elif kind == "const":
        node.value = change[1]  # type: ignore[attr-defined]
    elif kind == "name":
        node.id = change[1]  # type: ignore[attr-defined]
    elif kind == "negate":
        node.test = ast.UnaryOp(ast.Not(), node.test)  # type: ignore[attr-defined]
    elif kind == "pass":
        return ast.Pass()
    elif kind == "return_none":
        node.value = ast.Constant(None)  # type: ignore[attr-defined]
    return node


class _Replace(ast.NodeTransformer):
    def __init__(self, target: int, change: tuple) -> None:
        self.target, self.change, self.seen = target, change, 0

    def generic_visit(self, node: ast.AST) -> ast.AST:
        return super().generic_visit(node)

    def visit(self, node: ast.AST) -> ast.AST:
        if self.target in getattr(node, "_mut_ids", ()):
            return _apply(node, self.change)
        return self.generic_visit(node)


def mutants(module: str) -> list[tuple[Mutant, str]]:
    """Every mutant of ``module`` with its source text."""
    source = (ROOT / module).read_text(encoding="utf-8")
    tree = ast.parse(source)
    points = list(_points(tree))
    result = []
    for i, (node, _, _) in enumerate(points):  # a comparison a < b < c has two points
        node._mut_ids = (*getattr(node, "_mut_ids", ()), i)  # type: ignore[attr-defined]
    unchanged = ast.unparse(tree)
    for i, (node, what, change) in enumerate(points):
        copy_tree = copy.deepcopy(tree)
        new = ast.fix_missing_locations(_Replace(i, change).visit(copy_tree))
        try:
            text = ast.unparse(new)
            compile(text, module, "exec")
        except (SyntaxError, ValueError, TypeError):
            continue
        if text == unchanged:
            raise SystemExit(f"{module}:{getattr(node, 'lineno', 0)} {what}: not applied")
        result.append((Mutant(module, i, getattr(node, "lineno", 0), what), text))
    return result


def _run_tests(tests: list[str]) -> int:
    """Run ``tests`` in a forked child (third-party imports are already warm in the parent;
    ``zhkh`` is imported afresh by the child from the file on disk). Killed = non-zero."""
    pid = os.fork()
    if pid == 0:  # child
        os.environ.update(HYPOTHESIS_PROFILE="dev", ZHKH_REQUIRE_COMPILED="1")
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.alarm(TIMEOUT)
        import pytest

        rc = pytest.main(["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                          "--hypothesis-seed=0", *tests])
        os._exit(int(rc))
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) or 0 if os.WIFEXITED(status) else -1


def _warm_up() -> None:
    """Import the heavy third-party packages once, before any fork."""
    import hypothesis  # noqa: F401
    import numpy  # noqa: F401
    import pydantic  # noqa: F401
    import pytest  # noqa: F401
    import yaml  # noqa: F401


def _equivalent() -> set[tuple[str, int, str]]:
    path = ROOT / ".ci" / "mutate-equivalent.txt"
    found = set()
    for raw in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        line = raw.split("#", 1)[0].strip()
        if line:
            module, lineno, what = (x.strip() for x in line.split("|", 2))
            found.add((module, int(lineno), what))
    return found


def run_module(module: str, equivalent: set[tuple[str, int, str]]) -> dict:
    """Run every mutant of ``module``; the original file is always restored."""
    path = ROOT / module
    original = path.read_text(encoding="utf-8")
    tests = [t for t in MODULES[module] if (ROOT / t).exists()]
    if _run_tests(tests) != 0:
        raise SystemExit(f"{module}: its tests fail without any mutation")
    killed, survived, skipped = [], [], []
    started = time.monotonic()
    try:
        for mutant, text in mutants(module):
            key = (module, mutant.line, mutant.what)
            path.write_text(text, encoding="utf-8")
            rc = _run_tests(tests)
            (killed if rc != 0 else skipped if key in equivalent else survived).append(mutant)
            mark = "killed" if rc != 0 else "equivalent" if key in equivalent else "SURVIVED"
            print(f"  {module}:{mutant.line} {mutant.what} — {mark}", flush=True)
    finally:
        path.write_text(original, encoding="utf-8")
    scored = len(killed) + len(survived)
    return {"module": module, "killed": len(killed), "survived": [asdict(m) for m in survived],
            "equivalent": [asdict(m) for m in skipped], "total": scored + len(skipped),
            "score": round(len(killed) / scored, 4) if scored else 1.0,
            "seconds": round(time.monotonic() - started)}


def main() -> int:
    """Run the selected modules and print a score per module."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES))
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    args = parser.parse_args()
    if args.list:
        for module in args.modules:
            for mutant, _ in mutants(module):
                print(f"{module} | {mutant.line} | {mutant.what}")
        return 0
    os.chdir(ROOT)
    sys.path[:0] = [str(ROOT)]
    _warm_up()
    equivalent = _equivalent()
    reports = [run_module(m, equivalent) for m in args.modules]
    out = ROOT / "build" / "mutate-report.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(reports, ensure_ascii=False, indent=1), encoding="utf-8")
    failed = False
    for r in reports:
        scored = r["killed"] + len(r["survived"])
        print(f"{r['module']}: {r['killed']}/{scored} killed ({r['score']:.0%}), "
              f"{len(r['equivalent'])} equivalent, {r['seconds']} s")
        for m in r["survived"]:
            print(f"    survived: {m['module']} | {m['line']} | {m['what']}")
        failed |= r["score"] < THRESHOLD
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
