"""Reproduce a month's lines with the rules as known then (issue 15 §2).

The lines a monthly run booked for its own month record the rulebook version they were
computed with. :func:`reproduce_month` computes the month again for those accounts with that
very version (loaded from the kept versions by the caller's ``calculator_of``) and today's
stored facts, and compares the result with the stored lines to the kopeck, per account ×
service × provider × kind. A difference where the facts were corrected after the month was
billed shows the later recalculation lines booked for it, which account for such a change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhkh.kernel.money import to_kopecks
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.facts import IN_CHUNK, FactsReader
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.registry.models import Account, Provider

LineKey = tuple[int, str, int, str]
"""(account id, service, provider id, kind)."""
OWN = ("charge", "benefit", "quality_reduction", "recalculation")


@dataclass(frozen=True, slots=True)
class Difference:
    """One account × service × provider × kind whose reproduction differs from the ledger."""

    account: str
    service: str
    provider: str
    kind: str
    stored_kopecks: int
    reproduced_kopecks: int
    later_recalculations_kopecks: int
    """Recalculation lines booked for the month in later months (corrected facts)."""


@dataclass
class Reproduction:
    """What reproducing one month gave."""

    period: str
    versions: dict[str, int] = field(default_factory=dict)
    """Rulebook version → accounts whose lines of the month record it."""
    missing_versions: list[str] = field(default_factory=list)
    """Versions the lines record that are not kept (cannot be reproduced)."""
    lines_compared: int = 0
    stored_kopecks: int = 0
    reproduced_kopecks: int = 0
    differences: list[Difference] = field(default_factory=list)
    failed_accounts: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """Every stored line reproduced to the kopeck, every version found, no failure."""
        return not (self.differences or self.missing_versions or self.failed_accounts) \
            and self.lines_compared > 0


def reproduce_month(session: Session, calculator_of: Callable[[str], BatchCalculator | None],
                    period: str, account_ids: Sequence[int] | None = None) -> Reproduction:
    """Compute ``period`` again for the accounts that have lines booked in it (those of
    ``account_ids`` when given) with the rulebook version each account's lines record, and
    compare with those lines. Writes nothing."""
    result = Reproduction(period)
    stored, by_version = _stored(session, period, account_ids)
    numbers = dict(session.execute(select(Account.id, Account.number).where(
        Account.id.in_({k[0] for k in stored}))).all()) if stored else {}
    providers = dict(session.execute(select(Provider.id, Provider.code)).all())
    reproduced: dict[LineKey, int] = defaultdict(int)
    failed: set[int] = set()
    for version, accounts in sorted(by_version.items()):
        result.versions[version] = len(accounts)
        calculator = calculator_of(version)
        if calculator is None:
            result.missing_versions.append(version)
            failed |= set(accounts)
            continue
        reader = FactsReader(session, period, calculator.common)
        for i in range(0, len(accounts), IN_CHUNK):
            facts = reader.for_accounts(accounts[i:i + IN_CHUNK])
            computed = calculator.compute(facts)
            failed |= computed.failed_accounts
            for account_id, line in computed.lines:
                key = (account_id, line.service, facts.provider_ids[line.provider], line.kind)
                reproduced[key] += to_kopecks(line.amount)
    later = _later_recalculations(session, period, list(numbers))
    for key in sorted(set(stored) | set(reproduced)):
        if key[0] in failed or key[0] not in numbers:
            continue
        before, after = stored.get(key, 0), reproduced.get(key, 0)
        result.lines_compared += 1
        result.stored_kopecks += before
        result.reproduced_kopecks += after
        if before != after:
            result.differences.append(Difference(
                numbers[key[0]], key[1], providers.get(key[2], str(key[2])), key[3], before,
                after, later.get(key[:3], 0)))
    result.failed_accounts = sorted(numbers.get(a, str(a)) for a in failed)
    return result


def _stored(session: Session, period: str, account_ids: Sequence[int] | None
            ) -> tuple[dict[LineKey, int], dict[str, list[int]]]:
    """The month's own lines per key, and the accounts of each rulebook version they record."""
    stmt = (select(LedgerLine.account_id, LedgerLine.service, LedgerLine.provider_id,
                   LedgerLine.kind, LedgerLine.rulebook_version,
                   func.sum(LedgerLine.amount_kopecks))
            .where(LedgerLine.period_for == period, LedgerLine.period_booked == period,
                   LedgerLine.kind.in_(OWN), LedgerLine.service != "penalty")
            .group_by(LedgerLine.account_id, LedgerLine.service, LedgerLine.provider_id,
                      LedgerLine.kind, LedgerLine.rulebook_version))
    if account_ids is not None:
        stmt = stmt.where(LedgerLine.account_id.in_(list(account_ids)))
    stored: dict[LineKey, int] = defaultdict(int)
    versions: dict[str, set[int]] = defaultdict(set)
    for account_id, service, provider_id, kind, version, total in session.execute(stmt):
        stored[(account_id, service, provider_id, kind)] += int(total)
        versions[version].add(account_id)
    return dict(stored), {v: sorted(a) for v, a in versions.items()}


def _later_recalculations(session: Session, period: str, account_ids: list[int]
                          ) -> dict[tuple[int, str, int], int]:
    out: dict[tuple[int, str, int], int] = {}
    for i in range(0, len(account_ids), IN_CHUNK):
        stmt = (select(LedgerLine.account_id, LedgerLine.service, LedgerLine.provider_id,
                       func.sum(LedgerLine.amount_kopecks))
                .where(LedgerLine.period_for == period, LedgerLine.period_booked > period,
                       LedgerLine.kind == "recalculation",
                       LedgerLine.account_id.in_(account_ids[i:i + IN_CHUNK]))
                .group_by(LedgerLine.account_id, LedgerLine.service, LedgerLine.provider_id))
        for account_id, service, provider_id, total in session.execute(stmt):
            out[(account_id, service, provider_id)] = int(total)
    return out
