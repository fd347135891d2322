"""The files of a rulebook version, to keep it and load it again exactly.

:func:`rulebook_files` reads back the files the loader read for a rulebook (``services.yaml``
and every ``*.yaml`` of the kind folders) and checks that their content hash is the rulebook's
version, so a version stored from them reproduces the lines computed with it to the kopeck.
:func:`load_files` loads such files (from a folder the caller wrote them into).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from zhkh.kernel.rulebook.errors import Problem, RulebookError
from zhkh.kernel.rulebook.kinds import KINDS
from zhkh.kernel.rulebook.loader import SERVICES_FILE, load_rulebook
from zhkh.kernel.rulebook.model import Rulebook, content_version


def rulebook_files(rulebook: Rulebook) -> dict[str, bytes]:
    """Relative path → bytes of every file ``rulebook`` was loaded from.

    Raises RulebookError when the rulebook was built in code, or when the folder changed
    since it was loaded (the files no longer hash to its version).
    """
    root = rulebook.source_dir
    if root is None:
        raise RulebookError([Problem(file="—", message="правила собраны в коде, а не из папки: "
                                                     "их файлов нет")])
    files = {SERVICES_FILE: (root / SERVICES_FILE).read_bytes()}
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.yaml")):
            rel = path.relative_to(root)
            if path.is_file() and not any(p.startswith((".", "_")) for p in rel.parts):
                files[rel.as_posix()] = path.read_bytes()
    if content_version(files) != rulebook.version:
        raise RulebookError([Problem(file=str(root), message=(
            f"файлы правил изменились после загрузки версии {rulebook.version}: "
            "загрузите папку заново"))])
    return files


def check_files(files: Mapping[str, bytes], version: str) -> None:
    """Raise RulebookError unless ``files`` hash to ``version``."""
    got = content_version(files)
    if got != version:
        raise RulebookError([Problem(file="—", message=(
            f"содержимое версии правил {version} не совпадает с её хешем ({got})"))])


def load_files(folder: Path, version: str) -> Rulebook:
    """The rulebook of the files written into ``folder``; RulebookError when its version is
    not ``version`` (the stored content was altered)."""
    rulebook = load_rulebook(folder)
    if rulebook.version != version:
        raise RulebookError([Problem(file=str(folder), message=(
            f"загружена версия {rulebook.version}, а ожидалась {version}"))])
    return rulebook
