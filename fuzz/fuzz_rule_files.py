"""Fuzz the rule-file loader (``kernel/rulebook``) with atheris; not part of CI.

A small valid rules folder is laid out once; each input replaces one of its files (the first
byte picks which: ``services.yaml`` or a file of a kind folder) and the folder is loaded. Every
input must give a rulebook or a ``RulebookError`` (problems naming file, line, rule and field):
any other exception is a finding. Seeds: the shipped rule files of each kind.

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_rule_files.py -max_total_time=300 build/fuzz/rules
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["zhkh.kernel"]):
    from zhkh.kernel.rulebook import RulebookError, load_rulebook

ROOT = Path(__file__).resolve().parents[1]
BASE = {
    "services.yaml": """\
        services:
          cold_water:
            title: ХВС
            unit: м³
        """,
    "tariffs/cold_water.yaml": """\
        tariffs:
          - id: cold_water.vodokanal
            title: ХВС
            source: иллюстративно
            service: cold_water
            unit: руб/м³
            values: {2025-07-01: "52.84"}
        """,
    "methods/cold_water.yaml": """\
        methods:
          - id: cold_water.by_meter
            title: По прибору
            source: ф. 1
            when: {service: cold_water, meter: working}
            then: {method: meter}
        """,
}
TARGETS = ["services.yaml", "tariffs/cold_water.yaml", "methods/cold_water.yaml",
           "norms/x.yaml", "benefits/x.yaml", "quality/x.yaml", "penalties/x.yaml",
           "allocation/x.yaml", "absence/x.yaml", "facts/x.yaml"]
FOLDER = Path(tempfile.mkdtemp(prefix="zhkh-fuzz-rules-"))


def _lay_out() -> None:
    for path in FOLDER.rglob("*.yaml"):
        path.unlink()
    for rel, text in BASE.items():
        target = FOLDER / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")


def one_input(data: bytes) -> None:
    """One fuzz case: one file of the folder replaced by the input's bytes."""
    if not data:
        return
    _lay_out()
    target = FOLDER / TARGETS[data[0] % len(TARGETS)]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data[1:])
    try:
        load_rulebook(FOLDER)
    except RulebookError:
        pass


def seed(corpus: Path) -> None:
    """Put the shipped rule files (tagged with their folder) into an empty corpus folder."""
    if not corpus.exists() or any(corpus.iterdir()):
        return
    for path in sorted((ROOT / "rules").rglob("*.yaml")):
        rel = path.relative_to(ROOT / "rules")
        if rel.parts[0] == "tests":
            continue
        folder = rel.parts[0] if len(rel.parts) > 1 else "services.yaml"
        index = next((i for i, t in enumerate(TARGETS) if t.split("/")[0] == folder), 0)
        (corpus / f"seed-{'-'.join(rel.parts)}").write_bytes(bytes([index]) + path.read_bytes())


if __name__ == "__main__":
    for folder in (Path(a) for a in sys.argv[1:] if not a.startswith("-")):
        folder.mkdir(parents=True, exist_ok=True)
        seed(folder)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
