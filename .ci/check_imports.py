"""Fail when an import points the wrong way: kernel ← modules ← adapters, api."""

from __future__ import annotations

import re
import sys
from pathlib import Path

FORBIDDEN = {
    "kernel": ("modules", "adapters", "api"),
    "modules": ("adapters", "api"),
}
IMPORT = re.compile(r"^\s*(?:from|import)\s+zhkh\.(\w+)", re.MULTILINE)


def violations(root: Path) -> list[str]:
    found = []
    for folder, banned in FORBIDDEN.items():
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".py", ".pyx", ".pxd"):
                continue
            for m in IMPORT.finditer(path.read_text(encoding="utf-8")):
                if m.group(1) in banned:
                    line = path.read_text(encoding="utf-8")[: m.start()].count("\n") + 1
                    where = f"{path.relative_to(root)}:{line}"
                    found.append(f"{where}: {folder} imports zhkh.{m.group(1)}")
    return found


if __name__ == "__main__":
    problems = violations(Path(__file__).resolve().parent.parent)
    print("\n".join(problems) or "import directions: ok")
    sys.exit(1 if problems else 0)
