"""Read a rules folder into a :class:`~zhkh.kernel.rulebook.model.Rulebook`, or report every
problem at once in a :class:`~zhkh.kernel.rulebook.errors.RulebookError`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zhkh.kernel.rulebook import checks
from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.errors import Problem, RulebookError
from zhkh.kernel.rulebook.kinds import FOLDERS, KINDS, KindSpec
from zhkh.kernel.rulebook.model import Rulebook, content_version
from zhkh.kernel.rulebook.services import Service, ServiceCatalogue, check_services
from zhkh.kernel.rulebook.validation import label, problems_from
from zhkh.kernel.rulebook.yamlio import LocatedList, line_of, load_yaml

SERVICES_FILE = checks.SERVICES_FILE
IGNORED = frozenset({"tests", "README.md", "__pycache__"})


class _Load:
    """State of one load: files read, problems found, raw data of each rule (for lines)."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.contents: dict[str, bytes] = {}
        self.raws: dict[int, Any] = {}

    def problem(self, file: str, message: str, **where: Any) -> None:
        self.problems.append(Problem(file=file, message=message, **where))

    def read(self, rel: str) -> Any:
        """Parse one file; YAML issues are recorded; returns the data (None if unreadable)."""
        data_bytes = (self.root / rel).read_bytes()
        self.contents[rel] = data_bytes
        try:
            text = data_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(rel, f"файл не в кодировке UTF-8 (байт {exc.start}): сохраните в UTF-8")
            return None
        data, issues = load_yaml(text)
        for issue in issues:
            rule_id, field = _locate(data, issue.path)
            self.problem(rel, issue.message, line=issue.line, rule_id=rule_id, field=field)
        return data


def load_rulebook(path: Path) -> Rulebook:
    """Load and validate every rule file under ``path``.

    Reads ``services.yaml`` and every ``*.yaml`` under the kind folders (``tests/`` and
    ``README.md`` are ignored); raises :class:`RulebookError` listing every problem found.
    """
    root = Path(path)
    state = _Load(root)
    if not root.is_dir():
        raise RulebookError([Problem(file=str(root), message="папка правил не найдена")])
    files = _discover(state)
    services, service_lines = _load_services(state)
    rules: dict[str, list[RuleBase]] = {kind: [] for kind in KINDS}
    for rel, spec in files:
        rules[spec.kind].extend(_load_kind_file(state, rel, spec))
    frozen = {kind: tuple(items) for kind, items in rules.items()}
    state.problems += checks.duplicate_ids(frozen)
    state.problems += checks.ambiguities(frozen)
    state.problems += checks.references(frozen, services, state.raws)
    if not state.problems:
        state.problems += checks.fact_rules(frozen, services)
        state.problems += checks.coverage(frozen, services, service_lines)
    if state.problems:
        raise RulebookError(state.problems)
    return Rulebook(version=content_version(state.contents), source_dir=root,
                    services=services, kind_rules=frozen)


def _discover(state: _Load) -> list[tuple[str, KindSpec]]:
    """Rule files by kind; unknown folders, unsupported kinds and stray YAML are problems."""
    found: list[tuple[str, KindSpec]] = []
    for entry in sorted(state.root.iterdir()):
        name = entry.name
        if name in IGNORED or name.startswith((".", "_")) or name == SERVICES_FILE:
            continue
        if entry.is_dir():
            if name in KINDS:
                found.extend((rel, KINDS[name]) for rel in _yaml_files(state, entry))
            elif name in FOLDERS:
                state.problem(name + "/", f"вид правил не поддерживается: {name} (нет модуля "
                                          f"zhkh.kernel.rulebook.kinds.{name}); уберите папку")
            else:
                state.problem(name + "/", f"неизвестная папка {name!r}; допустимы: "
                                          f"{', '.join(FOLDERS)}, tests")
        elif entry.suffix in (".yaml", ".yml"):
            state.problem(name, f"лишний файл правил в корне: переложите его в папку вида "
                                f"({', '.join(KINDS)}) или удалите")
    return found


def _yaml_files(state: _Load, folder: Path) -> list[str]:
    result = []
    for file in sorted(folder.rglob("*")):
        rel = file.relative_to(state.root).as_posix()
        if any(part.startswith((".", "_")) for part in file.relative_to(state.root).parts):
            continue
        if file.suffix == ".yml":
            state.problem(rel, "расширение .yml не читается: переименуйте файл в .yaml")
        elif file.suffix == ".yaml" and file.is_file():
            result.append(rel)
    return result


def _top_list(state: _Load, rel: str, data: Any, key: str, kind: type) -> Any:
    """The value of the single top-level key of a file, or None (problem recorded)."""
    if data is None:
        if not any(p.file == rel for p in state.problems):
            state.problem(rel, f"файл пуст: ожидается «{key}:» на верхнем уровне")
        return None
    if not isinstance(data, Mapping):
        state.problem(rel, f"на верхнем уровне ожидается словарь с одним ключом «{key}:»",
                      line=getattr(data, "line", 1))
        return None
    for extra in (k for k in data if k != key):
        state.problem(rel, f"лишний ключ верхнего уровня {extra!r}: в файле только «{key}:»",
                      line=line_of(data, (extra,)), field=str(extra))
    if key not in data:
        state.problem(rel, f"нет ключа «{key}:» на верхнем уровне", line=line_of(data, ()))
        return None
    value = data[key]
    if not isinstance(value, kind):
        expected = "список правил" if kind is list else "словарь"
        state.problem(rel, f"{key}: ожидается {expected}", line=line_of(data, (key,)),
                      field=key)
        return None
    return value


def _load_kind_file(state: _Load, rel: str, spec: KindSpec) -> list[RuleBase]:
    items = _top_list(state, rel, state.read(rel), spec.list_key, list)
    rules: list[RuleBase] = []
    for i, raw in enumerate(items or ()):
        line = items.item_lines[i] if isinstance(items, LocatedList) else None
        if not isinstance(raw, Mapping):
            state.problem(rel, "правило должно быть словарём «ключ: значение»", line=line)
            continue
        rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        try:
            rule = spec.rule.model_validate(raw)
        except ValidationError as exc:
            state.problems += problems_from(exc, file=rel, raw=raw, rule_id=rule_id,
                                            model=spec.rule)
            continue
        state.raws[id(rule)] = raw
        rules.append(rule.located(rel, getattr(raw, "line", line)))
    return rules


def _load_services(state: _Load) -> tuple[ServiceCatalogue, dict[str, int]]:
    if not (state.root / SERVICES_FILE).is_file():
        state.problem(SERVICES_FILE, "нет каталога услуг services.yaml в папке правил")
        return ServiceCatalogue(), {}
    entries = _top_list(state, SERVICES_FILE, state.read(SERVICES_FILE), "services", Mapping)
    services: list[Service] = []
    lines: dict[str, int] = {}
    for key, raw in (entries or {}).items():
        line = entries.key_lines.get(key)
        sid = key if isinstance(key, str) else None
        if not isinstance(raw, Mapping):
            state.problem(SERVICES_FILE, "описание услуги должно быть словарём", line=line,
                          rule_id=sid)
            continue
        try:
            services.append(Service.model_validate({**raw, "id": key}))
            lines[key] = line
        except ValidationError as exc:
            state.problems += problems_from(exc, file=SERVICES_FILE, raw=raw, rule_id=sid,
                                            model=Service)
    catalogue = ServiceCatalogue(tuple(services))
    for sid, path, message in check_services(catalogue):
        line = line_of(entries[sid], path) if entries else None
        state.problem(SERVICES_FILE, message, line=line or lines.get(sid), rule_id=sid,
                      field=label(path))
    return catalogue, lines


def _locate(data: Any, path: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """(rule id, field) for a YAML issue at ``path`` = (list key, index, *field) or similar."""
    if len(path) >= 2 and isinstance(data, Mapping):
        container = data.get(path[0])
        if isinstance(container, list) and isinstance(path[1], int) and path[1] < len(container):
            item = container[path[1]]
            rule_id = item.get("id") if isinstance(item, Mapping) else None
            return (rule_id if isinstance(rule_id, str) else None), label(path[2:])
        if isinstance(container, Mapping) and isinstance(path[1], str):  # services.yaml
            return path[1], label(path[2:])
    return None, label(path)
