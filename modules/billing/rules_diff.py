"""What a draft rule folder would change in a period's charges across the whole database.

Nothing is written: the houses are taken in batches and each batch is calculated twice, with
the published and with the draft rulebook, through the same path as the monthly run — the
columnar path for simple accounts, situations for the rest (``fast_batch.compute_batch``);
``columnar=False`` sends every account through situations (the slower reference, ~5× on the
demo town). Batches are small enough for at least :data:`STEPS` progress reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from zhkh.kernel.calc.result import Line
from zhkh.kernel.money import to_kopecks
from zhkh.modules.billing.compute import BatchCalculator, Computed
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.fast_batch import compute_batch, summarize
from zhkh.modules.registry.repository import RegistryRepository

BATCH_HOUSES = 50
STEPS = 20
"""At least this many batches (progress reports) when there are as many houses."""
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
               progress: Callable[[int, int], None] | None = None, *,
               columnar: bool = True) -> RulesDiff:
    """Charges of ``period`` under both rulebooks, compared per account × service.
    ``progress(done, total)`` is called with the houses compared so far and the houses in all,
    once before the first batch (``done`` = 0) and after each batch."""
    result = RulesDiff(period, published.version, draft.version)
    changes: list[tuple[str, str, int, int]] = []
    houses = RegistryRepository(session).house_ids()
    size = max(1, min(BATCH_HOUSES, -(-len(houses) // STEPS)))
    if progress:
        progress(0, len(houses))
    for start in range(0, len(houses), size):
        batch = houses[start:start + size]
        if columnar:
            (before, old, numbers), (after, new, _) = (
                _columnar(session, calc, period, batch) for calc in (published, draft))
        else:
            facts = FactsReader(session, period, published.common).for_houses(batch)
            numbers = {v: k for k, v in facts.account_ids.items()}
            before, after = published.compute(facts), draft.compute(facts)
            old, new = _totals(before.lines), _totals(after.lines)
        result.errors_before += len(before.errors)
        result.errors_after += len(after.errors)
        result.accounts += len(numbers)
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


def _columnar(session: Session, calculator: BatchCalculator, period: str, houses: list[int]
              ) -> tuple[Computed, dict[tuple[int, str], int], dict[int, str]]:
    """One batch as the monthly run computes it: what was computed (its errors), the totals
    per account × service in kopecks, and the account numbers by id."""
    fast = compute_batch(session, calculator, period, houses)
    summarize(fast)
    totals = _totals(fast.computed.lines)
    for service, ids, kopecks in fast.computed.columnar:
        for account_id, amount in zip(ids.tolist(), kopecks.tolist(), strict=True):
            totals[(account_id, service)] += amount
    return fast.computed, totals, fast.batch.numbers


def _title(calculator: BatchCalculator, service: str) -> str:
    spec = calculator.rulebook.services.get(service)
    return spec.title if spec is not None else service


def _totals(lines: Sequence[tuple[int, Line]]) -> dict[tuple[int, str], int]:
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for account_id, line in lines:
        totals[(account_id, line.service)] += to_kopecks(line.amount)
    return totals
