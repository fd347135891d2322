"""The loaded, immutable rulebook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from types import MappingProxyType

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.kinds import KINDS
from zhkh.kernel.rulebook.kinds.methods import Rule as MethodRule
from zhkh.kernel.rulebook.kinds.norms import Rule as NormRule
from zhkh.kernel.rulebook.kinds.tariffs import Rule as TariffRule
from zhkh.kernel.rulebook.services import ServiceCatalogue


def content_version(files: Mapping[str, bytes]) -> str:
    """First 12 hex digits of sha256 over the sorted relative paths and the bytes of the files."""
    digest = sha256()
    for rel in sorted(files):
        data = files[rel]
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:12]


@dataclass(frozen=True, eq=False)
class Rulebook:
    """Validated rules of one version. Immutable; build with :func:`load_rulebook`.

    ``version`` identifies the content (every charge line records it); ``source_dir`` is the
    folder it was read from (None when built in code); ``services`` is the service catalogue.
    """

    version: str
    source_dir: Path | None
    services: ServiceCatalogue
    kind_rules: Mapping[str, tuple[RuleBase, ...]]
    _index: Mapping[str, RuleBase] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rules = MappingProxyType({k: tuple(self.kind_rules.get(k, ())) for k in KINDS})
        object.__setattr__(self, "kind_rules", rules)
        index = {rule.id: rule for kind in rules.values() for rule in kind}
        object.__setattr__(self, "_index", MappingProxyType(index))

    def rules(self, kind: str) -> tuple[RuleBase, ...]:
        """Rules of ``kind`` (a folder name: ``tariffs``, ``penalties`` …) in file order.

        A supported kind without files gives ``()``; an unsupported kind raises KeyError.
        """
        if kind not in self.kind_rules:
            raise KeyError(f"вид правил не поддерживается: {kind!r}; есть: "
                           f"{', '.join(self.kind_rules)}")
        return self.kind_rules[kind]

    def kinds(self) -> tuple[str, ...]:
        """Supported kinds (folder names), in registry order."""
        return tuple(self.kind_rules)

    @property
    def tariffs(self) -> tuple[TariffRule, ...]:
        return self.rules("tariffs")  # type: ignore[return-value]

    @property
    def norms(self) -> tuple[NormRule, ...]:
        return self.rules("norms")  # type: ignore[return-value]

    @property
    def methods(self) -> tuple[MethodRule, ...]:
        return self.rules("methods")  # type: ignore[return-value]

    def by_id(self, rule_id: str) -> RuleBase:
        """The rule with ``rule_id`` of any kind; KeyError naming it when there is none."""
        try:
            return self._index[rule_id]
        except KeyError:
            raise KeyError(f"нет правила с id {rule_id!r}") from None

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._index
