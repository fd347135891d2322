"""A dry run of the open month: its charges calculated and compared with the month before,
nothing written.

The facts of every house are read a batch at a time and calculated through the same path as
the monthly run (``BatchCalculator.compute``) but never reach the write stage; the previous
month's charge lines are read from the ledger. Totals are compared per service, provider and
house, and the accounts with the largest change are given with the reason read from their lines:
a rule value (tariff), the method, the volume by a meter's readings, the residents (a norm per
person), a line that appeared or disappeared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.kernel.calc.result import Line
from zhkh.kernel.money import format_micro, to_kopecks, to_micro
from zhkh.kernel.period import Period
from zhkh.modules.billing.compute import BatchCalculator
from zhkh.modules.billing.facts import FactsReader
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.registry.repository import RegistryRepository

BATCH_HOUSES = 50
LARGEST = 10

Key = tuple[str, str, str]
"""(service, provider code, house id)."""


@dataclass(slots=True)
class Total:
    """Kopecks of one group in the previous and the dry-run month, and accounts that differ."""

    before: int = 0
    after: int = 0
    accounts_changed: int = 0

    @property
    def difference(self) -> int:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class AccountChange:
    """One account × service whose charge differs from the month before, and why."""

    account: str
    service: str
    provider: str
    house: str
    before: int
    after: int
    reasons: tuple[str, ...]


@dataclass(slots=True)
class DryRun:
    """What the open month would charge against the month before (nothing was written)."""

    period: str
    previous: str
    rulebook: str
    accounts: int = 0
    errors: int = 0
    totals: dict[Key, Total] = field(default_factory=dict)
    largest: list[AccountChange] = field(default_factory=list)

    def by(self, part: int) -> dict[str, Total]:
        """Totals by service (0), provider (1) or house (2)."""
        out: dict[str, Total] = defaultdict(Total)
        for key, t in self.totals.items():
            s = out[key[part]]
            s.before += t.before
            s.after += t.after
            s.accounts_changed += t.accounts_changed
        return dict(out)


@dataclass(slots=True)
class _Seen:
    amount: int = 0
    lines: list[tuple[str | None, int, int, int | None, int | None]] = field(default_factory=list)
    """(method, volume micro, tariff micro, persons, norm micro) of each charge line."""


def dry_run(session: Session, calculator: BatchCalculator, period: str,
            progress: Callable[[int, int], None] | None = None) -> DryRun:
    """Charges of ``period`` calculated without writing, compared with ``period − 1``'s charge
    lines in the ledger. Reads only: the session is left without changes to commit."""
    current = Period.parse(period)
    previous = str(current.shift(-1))
    result = DryRun(str(current), previous, calculator.version)
    houses = RegistryRepository(session).house_ids()
    reader = FactsReader(session, str(current))
    changes: list[AccountChange] = []
    for start in range(0, len(houses), BATCH_HOUSES):
        facts = reader.for_houses(houses[start:start + BATCH_HOUSES])
        computed = calculator.compute(facts)
        result.errors += len(computed.errors)
        result.accounts += len(facts.account_ids)
        house_of = {a.number: s.house.id for s in facts.situations for a in s.accounts}
        numbers = {v: k for k, v in facts.account_ids.items()}
        codes = {v: k for k, v in facts.provider_ids.items()}
        now = _now(computed.lines, numbers)
        before = _before(session, previous, list(facts.account_ids.values()), numbers, codes)
        for key in sorted(now.keys() | before.keys()):
            account, service, provider = key
            house = house_of.get(account, "—")
            old, new = before.get(key, _Seen()), now.get(key, _Seen())
            total = result.totals.setdefault((service, provider, house), Total())
            total.before += old.amount
            total.after += new.amount
            if old.amount != new.amount:
                total.accounts_changed += 1
                changes.append(AccountChange(account, service, provider, house, old.amount,
                                             new.amount, reasons(old, new)))
        if progress:
            progress(min(start + BATCH_HOUSES, len(houses)), len(houses))
    changes.sort(key=lambda c: (-abs(c.after - c.before), c.account, c.service))
    result.largest = _largest(changes)
    return result


def _largest(changes: list[AccountChange]) -> list[AccountChange]:
    """The largest change of each service first, then the largest others, :data:`LARGEST` in
    all (sorted by size), so that one service's change does not hide the others'."""
    first: dict[str, AccountChange] = {}
    for c in changes:
        first.setdefault(c.service, c)
    chosen = list(first.values())[:LARGEST]
    picked = {id(c) for c in chosen}
    chosen += [c for c in changes if id(c) not in picked][:LARGEST - len(chosen)]
    return sorted(chosen, key=lambda c: (-abs(c.after - c.before), c.account, c.service))


def _now(lines: Sequence[tuple[int, Line]], numbers: dict[int, str]
         ) -> dict[tuple[str, str, str], _Seen]:
    found: dict[tuple[str, str, str], _Seen] = defaultdict(_Seen)
    for account_id, ln in lines:
        if ln.kind != "charge":
            continue
        seen = found[(numbers[account_id], ln.service, ln.provider)]
        seen.amount += to_kopecks(ln.amount)
        seen.lines.append((ln.method, to_micro(ln.volume), to_micro(ln.tariff), ln.persons,
                           to_micro(ln.norm) if ln.norm is not None else None))
    return found


def _before(session: Session, previous: str, account_ids: list[int], numbers: dict[int, str],
            codes: dict[int, str]) -> dict[tuple[str, str, str], _Seen]:
    found: dict[tuple[str, str, str], _Seen] = defaultdict(_Seen)
    for i in range(0, len(account_ids), 900):
        rows = session.execute(select(
            LedgerLine.account_id, LedgerLine.service, LedgerLine.provider_id,
            LedgerLine.method, LedgerLine.volume_micro, LedgerLine.tariff_micro,
            LedgerLine.amount_kopecks,
        ).where(LedgerLine.period_booked == previous, LedgerLine.period_for == previous,
                LedgerLine.kind == "charge", LedgerLine.account_id.in_(account_ids[i:i + 900])))
        for account_id, service, provider_id, method, volume, tariff, amount in rows:
            seen = found[(numbers[account_id], service, codes.get(provider_id, str(provider_id)))]
            seen.amount += amount
            seen.lines.append((method, volume or 0, tariff or 0, None, None))
    return found


def reasons(old: _Seen, new: _Seen) -> tuple[str, ...]:
    """Why an account × service's charge changed, in Russian, from its lines of both months."""
    if not old.lines:
        return ("новая услуга в этом месяце",)
    if not new.lines:
        return ("услуги больше нет",)
    found: list[str] = []
    methods = (_set(x[0] for x in old.lines), _set(x[0] for x in new.lines))
    if methods[0] != methods[1]:
        found.append(f"способ расчёта: {methods[0]} → {methods[1]}")
    tariffs = (_set(format_micro(x[2]) for x in old.lines),
               _set(format_micro(x[2]) for x in new.lines))
    if tariffs[0] != tariffs[1]:
        found.append(f"значение правила (тариф): {tariffs[0]} → {tariffs[1]}")
    volumes = (sum(x[1] for x in old.lines), sum(x[1] for x in new.lines))
    if volumes[0] != volumes[1] and methods[0] == methods[1]:
        found.append(_volume_reason(methods[1], volumes, new))
    return tuple(found) or ("дни периода или округление",)


def _volume_reason(method: str, volumes: tuple[int, int], new: _Seen) -> str:
    was, now = format_micro(volumes[0]), format_micro(volumes[1])
    if method == "meter":
        return f"показания: объём {was} → {now}"
    norms = {x[4] for x in new.lines if x[4]}
    if method == "norm" and len(norms) == 1:
        norm = norms.pop()
        persons = Decimal(volumes[0]) / Decimal(norm)
        if persons == persons.to_integral():
            now_persons = max((x[3] or 0) for x in new.lines)
            return f"проживающие: {int(persons)} → {now_persons} (объём {was} → {now})"
    return f"объём ({method}): {was} → {now}"


def _set(values: Iterable[object]) -> str:
    return ", ".join(sorted({str(v) for v in values}))
