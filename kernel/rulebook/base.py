"""The base model of every rule kind.

A kind of rules (tariffs, norms, methods, later benefits, quality, penalties, allocation) is one
module in ``kernel/rulebook/kinds/`` exporting three names:

- ``KIND`` — its folder under ``rules/`` (``"penalties"``);
- ``LIST_KEY`` — the one top-level key of its files (``"penalties"``);
- ``Rule`` — a pydantic model subclassing :class:`RuleBase`.

:class:`RuleBase` gives the common fields ``id``, ``title``, ``source``, ``when`` (a parsed
:data:`~zhkh.kernel.rulebook.conditions.Condition`, checked against the facts catalogue) and
``priority`` (default 0), plus where the rule was read (``file``, ``line``). Models are frozen and
refuse unknown keys. A subclass may set:

- ``TARGET_FIELDS`` — fields that name what the rule is about (tariffs: ``service``,
  ``component``, ``zone``); they are added to the condition as equality tests and may not also
  appear in ``when``. **Engines match** :attr:`RuleBase.condition`, never ``when`` alone;
- ``EXCLUSIVE`` — True (default) when one rule must win per fact: two rules of the kind with the
  same condition and the same priority are then refused at load time. Set False for kinds whose
  rules all apply together;
- :meth:`RuleBase.check` — cross-checks needing the service catalogue; call ``super().check``.

Validators raise errors made by :func:`zhkh.kernel.rulebook.fields.issue` so that the loader can
report them with a Russian message and a precise field path.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from zhkh.kernel.rulebook.conditions import Condition, Op, Test
from zhkh.kernel.rulebook.fields import Int, Issue, RuleId, Text, When, issue
from zhkh.kernel.rulebook.services import ServiceCatalogue


class RuleBase(BaseModel):
    """Common fields of every rule; see the module docstring for how kinds extend it."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    TARGET_FIELDS: ClassVar[tuple[str, ...]] = ()
    EXCLUSIVE: ClassVar[bool] = True

    id: RuleId
    title: Text
    source: Text
    when: When = ()
    priority: Int = 0

    _file: str | None = PrivateAttr(None)
    _line: int | None = PrivateAttr(None)

    @property
    def file(self) -> str | None:
        """Rule file relative to the rules folder, or None for a rule built in code."""
        return self._file

    @property
    def line(self) -> int | None:
        """Line of the rule's first key in its file."""
        return self._line

    def located(self, file: str | None, line: int | None) -> Self:
        """Record where the rule was read (loader only); returns the rule itself."""
        self._file, self._line = file, line
        return self

    @cached_property
    def condition(self) -> Condition:
        """``when`` plus equality tests for the target fields — what an engine must match."""
        tests = [Test(name, Op.EQ, getattr(self, name)) for name in self.TARGET_FIELDS
                 if getattr(self, name) is not None]
        tests.extend(self.when)
        return tuple(sorted(tests, key=lambda t: (t.attr, t.op.value, repr(t.value))))

    @model_validator(mode="after")
    def _targets_not_in_when(self) -> Self:
        clashes = [t.attr for t in self.when if t.attr in self.TARGET_FIELDS]
        if clashes:
            raise issue([(("when", attr), f"{attr} задаётся полем правила «{attr}:», "
                                          "уберите его из when") for attr in clashes])
        return self

    def check(self, services: ServiceCatalogue) -> list[Issue]:
        """Cross-checks against the service catalogue: named services, components, zones exist."""
        issues: list[Issue] = []
        named = named_values(self.condition, "service")
        for name in named:
            if name not in services:
                issues.append((self._path("service"), f"неизвестная услуга {name!r}; "
                               f"есть в services.yaml: {', '.join(services)}"))
        known = [services[n] for n in named if n in services]
        parts = (("component", "составляющей", "составляющие",
                  lambda s: {c.id for c in s.components}),
                 ("zone", "зоны", "зоны", lambda s: s.all_zones))
        for attr, noun, plural, of in parts:
            have = sorted(set().union(*(of(s) for s in known)))
            for name in named_values(self.condition, attr):
                if not known or name in have or (not have and attr in self.TARGET_FIELDS):
                    continue  # a target field on a service without parts: the kind reports it
                issues.append((self._path(attr), f"у услуги нет {noun} {name!r}; "
                                                 f"{plural}: {', '.join(have) or 'нет'}"))
        return issues

    def _path(self, attr: str) -> tuple[Any, ...]:
        return (attr,) if attr in self.TARGET_FIELDS else ("when", attr)


def named_values(condition: Condition, attr: str) -> list[Any]:
    """Values a condition names for ``attr`` in eq / in / ne / not_in tests, in order."""
    found: list[Any] = []
    for test in condition:
        if test.attr == attr and test.op in (Op.EQ, Op.IN, Op.NE, Op.NOT_IN):
            values = test.value if isinstance(test.value, tuple) else (test.value,)
            found.extend(v for v in values if v not in found)
    return found
