"""What a draft rule folder would change in a period's charges across the whole database.

Nothing is written: the facts of every house are read once per batch and calculated twice,
with the published and with the draft rulebook, through the same path as the monthly run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from zhkh.kernel.calc.result import Line
from zhkh.kernel.money import to_kopecks
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.registry.repository import RegistryRepository

BATCH_HOUSES = 50
EXAMPLES = 10


@dataclass(slots=True)
class ServiceDiff:
    """Totals of one service under both rulebooks (kopecks) and how many accounts differ."""

    service: str
    title: str
    before: int = 0
    after: int = 0
    accounts_changed: int = 0

    @property
    def difference(self) -> int:
        return self.after - self.before


@dataclass(slots=True)
class RulesDiff:
    """The whole comparison: per service, the biggest account changes, errors on each side."""

    period: str
    published: str
    draft: str
    services: dict[str, ServiceDiff] = field(default_factory=dict)
    examples: list[tuple[str, str, int, int]] = field(default_factory=list)
    """(account number, service, before, after) with the largest absolute differences."""
    errors_before: int = 0
    errors_after: int = 0
    accounts: int = 0


def rules_diff(session: Session, published: BatchCalculator, draft: BatchCalculator, period: str,
               progress: Callable[[int, int], None] | None = None) -> RulesDiff:
    """Charges of ``period`` under both rulebooks, compared per account × service.
    ``progress(done, total)`` is called with the houses compared so far and the houses in all,
    once before the first batch (``done`` = 0) and after each batch."""
    result = RulesDiff(period, published.version, draft.version)
    changes: list[tuple[str, str, int, int]] = []
    houses = RegistryRepository(session).house_ids()
    reader = FactsReader(session, period, published.common)
    if progress:
        progress(0, len(houses))
    for start in range(0, len(houses), BATCH_HOUSES):
        batch = houses[start:start + BATCH_HOUSES]
        facts = reader.for_houses(batch)
        numbers = {v: k for k, v in facts.account_ids.items()}
        before, after = published.compute(facts), draft.compute(facts)
        result.errors_before += len(before.errors)
        result.errors_after += len(after.errors)
        result.accounts += len(facts.account_ids)
        old, new = _totals(before.lines), _totals(after.lines)
        for key in sorted(old.keys() | new.keys()):
            account_id, service = key
            b, a = old.get(key, 0), new.get(key, 0)
            diff = result.services.get(service) or result.services.setdefault(
                service, ServiceDiff(service, _title(published, service)))
            diff.before += b
            diff.after += a
            if a != b:
                diff.accounts_changed += 1
                changes.append((numbers.get(account_id, str(account_id)), service, b, a))
        if progress:
            progress(start + len(batch), len(houses))
    changes.sort(key=lambda c: (-abs(c[3] - c[2]), c[0], c[1]))
    result.examples = changes[:EXAMPLES]
    return result


def _title(calculator: BatchCalculator, service: str) -> str:
    spec = calculator.rulebook.services.get(service)
    return spec.title if spec is not None else service


def _totals(lines: Sequence[tuple[int, Line]]) -> dict[tuple[int, str], int]:
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for account_id, line in lines:
        totals[(account_id, line.service)] += to_kopecks(line.amount)
    return totals
