"""Data scope of a key: the management companies whose houses it may see (or all of them).

Stored in ``api_keys.scope``: NULL = every company (the CLI and keys of the whole billing
center), otherwise the company ids separated by commas (``"3,7"``). A scope is enforced in one
place: the session filter the composition root installs (``adapters/db/scope.py``) adds it to
every ORM query of a session whose ``info[SESSION_KEY]`` holds a scope that is not ``ALL``.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhkh.modules.errors import Invalid

SESSION_KEY = "zhkh.scope"
"""Key of ``Session.info`` under which the request's scope is kept."""


@dataclass(frozen=True)
class Scope:
    """``companies`` None = all management companies; an empty set = none at all."""

    companies: frozenset[int] | None = None

    @property
    def everything(self) -> bool:
        """Whether this scope sees the data of every management company."""
        return self.companies is None

    def stored(self) -> str | None:
        """The column value: None for all, else sorted ids joined by commas."""
        if self.companies is None:
            return None
        return ",".join(str(c) for c in sorted(self.companies))

    def describe(self) -> str:
        """Russian text for CLI output: «все управляющие организации» or the ids."""
        if self.companies is None:
            return "все управляющие организации"
        return "управляющие организации " + (", ".join(map(str, sorted(self.companies)))
                                             or "— нет")

    @classmethod
    def from_stored(cls, value: str | None) -> Scope:
        """The scope of a column value (see :meth:`stored`)."""
        if value is None:
            return ALL
        return cls(frozenset(int(x) for x in value.split(",") if x))

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """``all`` (or nothing) → every company; ``3,7`` → those ids. Anything else →
        ``Invalid`` naming the field ``scope``."""
        if text is None or text.strip().lower() in ("", "all", "все"):
            return ALL
        ids = []
        for part in text.split(","):
            part = part.strip()
            if not part.isdigit() or not 0 < int(part) < 2**63:
                raise Invalid("invalid_scope", f"область данных {text!r}: ожидается «all» или "
                              "номера управляющих организаций через запятую (например 3,7)",
                              field="scope")
            ids.append(int(part))
        return cls(frozenset(ids))


ALL = Scope()
NOTHING = Scope(frozenset())
