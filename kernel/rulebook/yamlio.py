"""Strict YAML reading for rule files.

Differences from ``yaml.safe_load``, each closing a trap of rule data:

- a key repeated in one mapping is reported (PyYAML silently keeps the last one);
- a YAML float becomes a :class:`~decimal.Decimal` built from the scalar's text, never a binary
  float (``52.84`` stays exactly 52.84);
- every mapping and list remembers its line and the line of each key / item, so errors can
  cite ``file:line`` (:class:`Located`, :class:`LocatedList`, :func:`line_of`);
- ISO dates are ``datetime.date`` (PyYAML's default).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class Located(dict[Any, Any]):
    """A dict read from YAML, with ``line`` (1-based) and ``key_lines`` for each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LocatedList(list[Any]):
    """A list read from YAML, with ``line`` and ``item_lines`` for each item."""

    line: int = 0
    item_lines: list[int]


@dataclass(frozen=True, slots=True)
class YamlIssue:
    """A problem of the YAML text itself; ``path`` leads from the document root to the key."""

    path: tuple[Any, ...]
    line: int | None
    message: str


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> Located:
        result = Located(super().construct_mapping(node, deep=True))
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable):
                result.key_lines.setdefault(key, key_node.start_mark.line + 1)
        return result

    def construct_yaml_map(self, node: MappingNode) -> Iterator[Located]:  # type: ignore[override]
        yield self.construct_mapping(node)

    def construct_yaml_seq(self, node: SequenceNode) -> Iterator[LocatedList]:  # type: ignore[override]
        result = LocatedList(self.construct_sequence(node, deep=True))
        result.line = node.start_mark.line + 1
        result.item_lines = [item.start_mark.line + 1 for item in node.value]
        yield result

    def construct_yaml_float(self, node: ScalarNode) -> Decimal:  # type: ignore[override]  # Decimal, never float
        text = str(self.construct_scalar(node)).replace("_", "").strip()
        special = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}
        text = special.get(text.lower(), text)
        try:
            return Decimal(text)
        except InvalidOperation:
            raise yaml.constructor.ConstructorError(
                None, None, f"число {text!r} не читается как десятичное", node.start_mark
            ) from None

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        # An impossible date (2025-13-01) stays text, so validation reports it with its field.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return node.value


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _StrictLoader.construct_yaml_seq)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp",
                              _StrictLoader.construct_yaml_timestamp)


def load_yaml(text: str) -> tuple[Any, list[YamlIssue]]:
    """Parse one YAML document strictly; returns (data, issues).

    A syntax error gives ``(None, [issue])``; duplicate keys are all reported and the data is
    still returned (with the last value, as PyYAML would) so the rest of the file can be checked.
    A character YAML does not allow (a control character) is an issue naming its line.
    """
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        at = text.count("\n", 0, exc.position) + 1
        return None, [YamlIssue((), at, f"ошибка YAML: недопустимый символ #x{exc.character:04x} "
                                          "(управляющий символ): удалите его")]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        issues = _duplicate_keys(loader, node, ())
        return loader.construct_document(node), issues
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [YamlIssue((), line, f"ошибка YAML: {exc.problem or exc}")]
    finally:
        loader.dispose()


MERGE = "tag:yaml.org,2002:merge"


def _duplicate_keys(loader: _StrictLoader, node: Node, path: tuple[Any, ...],
                    walked: set[int] | None = None) -> list[YamlIssue]:
    """Repeated keys of every mapping under ``node``. A node reached again through an alias is
    walked once; a merge key (``<<: *base``) is no key of its own — the keys it brings may be
    overridden, which is what it is for."""
    walked = set() if walked is None else walked
    if id(node) in walked:
        return []
    walked.add(id(node))
    issues: list[YamlIssue] = []
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == MERGE:
                issues.extend(_duplicate_keys(loader, value_node, path, walked))
                continue
            key = loader.construct_object(key_node, deep=True) if isinstance(
                key_node, ScalarNode) else None
            if not isinstance(key_node, ScalarNode) or not isinstance(key, Hashable):
                issues.append(YamlIssue(path, line, "ключ должен быть строкой, числом или датой"))
                continue
            if key in seen:
                issues.append(YamlIssue(
                    (*path, key), line,
                    f"ключ {_show(key)} повторяется (первый раз в строке {seen[key]}); "
                    "оставьте один — YAML молча взял бы последний",
                ))
            else:
                seen[key] = line
            issues.extend(_duplicate_keys(loader, value_node, (*path, key), walked))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            issues.extend(_duplicate_keys(loader, item, (*path, i), walked))
    return issues


def _show(key: Any) -> str:
    return repr(key.isoformat()) if hasattr(key, "isoformat") else repr(key)


def line_of(data: Any, path: Sequence[Any]) -> int | None:
    """The most precise known line for ``path`` inside data read by :func:`load_yaml`."""
    line = getattr(data, "line", None) or None
    current = data
    for part in path:
        if isinstance(current, Located) and part in current:
            line = current.key_lines.get(part, line)
            current = current[part]
        elif isinstance(current, LocatedList) and isinstance(part, int) and (
                0 <= part < len(current)):
            line = current.item_lines[part]
            current = current[part]
        else:
            break
    return line
