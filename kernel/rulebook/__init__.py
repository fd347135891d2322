"""The rulebook: load and validate the YAML rule files into one immutable, versioned object.

Public API::

    from zhkh.kernel.rulebook import load_rulebook, RulebookError

    book = load_rulebook(RULES_DIR)          # raises RulebookError listing every problem
    book.version                              # 12 hex digits of sha256 over the files
    book.services["hot_water"].components     # the service catalogue (services.yaml)
    book.tariffs, book.norms, book.methods    # tuples of frozen rule models, file order
    book.rules("penalties")                   # any supported kind by folder name
    book.by_id("cold_water.by_meter")         # one rule of any kind (KeyError if none)
    rule.condition                            # what an engine matches: ``when`` + target fields
    rule.values.at(date(2026, 1, 1))          # dated Decimal in force on a day (tariffs, norms)
    rulebook_from_overrides(book, tariffs={"cold_water.vodokanal": Decimal("50")})

Every :class:`Problem` has ``file`` (relative to the rules folder), ``line``, ``rule_id``,
``field`` (dotted path) and a Russian ``message``; ``str(RulebookError)`` renders one per line,
``tariffs/cold_water.yaml:12 [cold_water.vodokanal] values.2026-01-01: не десятичное число: 'abc'``.

Engines match :attr:`RuleBase.condition` (never ``when`` alone: tariffs and norms carry their
service / component / zone as fields). Attributes a condition may name are in
:mod:`zhkh.kernel.rulebook.facts`. New kinds are added as modules of
:mod:`zhkh.kernel.rulebook.kinds` (see :mod:`zhkh.kernel.rulebook.base`). A derived service
(``Service.derived_from``, e.g. wastewater) has tariffs but no method rules: its volume is the sum
of its sources' volumes.
"""

from zhkh.kernel.rulebook.base import RuleBase
from zhkh.kernel.rulebook.errors import Problem, RulebookError
from zhkh.kernel.rulebook.kinds.methods import Rule as MethodRule
from zhkh.kernel.rulebook.kinds.norms import Rule as NormRule
from zhkh.kernel.rulebook.kinds.tariffs import Rule as TariffRule
from zhkh.kernel.rulebook.loader import load_rulebook
from zhkh.kernel.rulebook.model import Rulebook
from zhkh.kernel.rulebook.overrides import rulebook_from_overrides
from zhkh.kernel.rulebook.services import Component, Service, ServiceCatalogue

__all__ = [
    "Component",
    "MethodRule",
    "NormRule",
    "Problem",
    "RuleBase",
    "Rulebook",
    "RulebookError",
    "Service",
    "ServiceCatalogue",
    "TariffRule",
    "load_rulebook",
    "rulebook_from_overrides",
]
