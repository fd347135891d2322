"""What payment documents take from the published rules: the service catalogue (titles and
units as printed), the penalty policy (the due date of a bill: ``penalty.due_date(period)``,
the 15th of the next month from the March 2026 bill) and the rulebook version."""

from __future__ import annotations

from dataclasses import dataclass

from zhkh.kernel.rulebook.model import Rulebook
from zhkh.kernel.rulebook.services import ServiceCatalogue
from zhkh.modules.finance.service import FinanceRules

NOTICE_DAYS = 20
"""Days to pay a debt notice: ПП РФ №354 п. 119 «а» — the consumer is warned that the
service is restricted if the debt is not paid within 20 days of the notice's delivery."""


@dataclass(frozen=True, slots=True)
class DocumentRules:
    """The finance rules (penalty policy, version) and the service catalogue."""

    finance: FinanceRules
    services: ServiceCatalogue

    @property
    def version(self) -> str:
        return self.finance.version

    @classmethod
    def of(cls, rulebook: Rulebook, finance: FinanceRules | None = None) -> DocumentRules:
        """The document rules of a loaded rulebook (its finance rules when already built)."""
        return cls(finance or FinanceRules.of(rulebook), rulebook.services)
