"""Where a payment's money goes: the allocation rows of a payment, of an advance consumed by
later charges, of an overpaid key returned to the advance, and of a storno.

Pure functions over an account's open keys; the services write what they return. The split
itself is the kernel's (``zhkh.kernel.allocation.allocate``: designated period first, then the
oldest debts, in proportion to the lines of a period by the largest remainder, penalties after
the principal, the surplus to the advance). What this module adds is the bookkeeping that keeps
every payment's rows summing to its amount:

* a payment: parts to keys plus, for a surplus, an ``advance`` row;
* consuming an advance: ``advance −x`` and the parts ``+x`` to keys, under the payment whose
  advance it was (oldest advance first);
* a storno: every row of the reversed payment, netted per key, with the opposite sign.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from zhkh.kernel.allocation import AllocationPolicy, OpenLine, split_largest_remainder
from zhkh.kernel.allocation import Payment as KernelPayment
from zhkh.kernel.allocation import allocate as kernel_allocate
from zhkh.kernel.money import format_rub_ru
from zhkh.kernel.period import Period

PENALTY_SERVICE = "penalty"
"""The ledger's service code of penalty lines; their key is paid as a penalty."""


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """What money is owed for: the month of the bill (the lines' booking period — a
    recalculation of an old month is owed with the bill it appears in), a service and the
    provider it is paid to."""

    period: str
    service: str
    provider_id: int

    @property
    def kind(self) -> str:
        """``penalty`` for penalty lines, ``principal`` otherwise."""
        return "penalty" if self.service == PENALTY_SERVICE else "principal"

    def label(self) -> str:
        return f"{self.service}/{self.provider_id}"


@dataclass(frozen=True, slots=True)
class Part:
    """One allocation row to write: ``key`` None is the advance."""

    payment_id: int
    key: Key | None
    amount: int
    note: str
    paid_on: date | None = None
    """The day the money paid the key, when it is not the day the rows are written for (a
    storno keeps the days of the rows it reverses)."""

    @property
    def kind(self) -> str:
        return "advance" if self.key is None else self.key.kind


def document_order(keys: Iterable[Key], services: Sequence[str]) -> list[Key]:
    """Keys in the order of the payment document: period, then the service catalogue's order
    (unknown services after, by code), then provider."""
    rank = {code: i for i, code in enumerate(services)}
    return sorted(keys, key=lambda k: (k.period, rank.get(k.service, len(rank)), k.service,
                                       k.provider_id))


def split(payment_id: int, amount: int, open_keys: dict[Key, int], services: Sequence[str],
          policy: AllocationPolicy, *, designated_period: str | None = None,
          designated_services: Sequence[str] | None = None) -> list[Part]:
    """Parts of ``amount`` (> 0) over the positive open keys, and the advance for the rest.

    With ``designated_services`` the money goes to those services' keys first (the payer paid
    them line by line), then to the rest by the rule. Guarantees: the parts sum to ``amount``;
    no key receives more than it has open; every part but the advance is positive.
    """
    if amount <= 0:
        raise ValueError(f"распределяется только положительная сумма: {amount}")
    parts: list[Part] = []
    left = amount
    owed = {k: v for k, v in open_keys.items() if v > 0}
    if designated_services:
        chosen = {k: v for k, v in owed.items() if k.service in set(designated_services)}
        taken, left = _split_over(payment_id, left, chosen, services, policy, designated_period)
        parts += taken
        for part in taken:
            assert part.key is not None
            owed[part.key] -= part.amount
    taken, left = _split_over(payment_id, left, owed, services, policy, designated_period)
    parts += taken
    if left:
        parts.append(Part(payment_id, None, left, f"{format_rub_ru(left)} — переплата, аванс"))
    return parts


def split_rows(amount: int, open_keys: dict[Key, int], services: Sequence[str],
               policy: AllocationPolicy, *, designated_period: str | None = None
               ) -> list[tuple[Key | None, int, str]]:
    """``(key, kopecks, note)`` of each part :func:`split` gives without designated services,
    in the same order, to the kopeck and to the character of the note (a differential test
    holds the two together). The bulk twin of :func:`split` for a bank registry: the same
    rule applied to plain tuples, without the kernel's intermediate value objects, which cost
    most of the time of a million payments' split."""
    if amount <= 0:
        raise ValueError(f"распределяется только положительная сумма: {amount}")
    # (key, owed) pairs, not a dict: hashing a Key (a dataclass) is a Python call, and a
    # million payments hash their keys millions of times
    positive = [(k, v) for k, v in open_keys.items() if v > 0]
    if not positive:
        return [(None, amount, f"{format_rub_ru(amount)} — переплата, аванс")]
    if len(positive) > 1:
        rank = {code: i for i, code in enumerate(services)}
        positive.sort(key=lambda kv: (kv[0].period, rank.get(kv[0].service, len(rank)),
                                      kv[0].service, kv[0].provider_id))  # document order
    designated = str(_period(designated_period)) if designated_period else None
    by_payment = policy.between_periods == "by_payment_period"
    pools = ("principal", "penalty") if policy.penalties == "after_principal" else ("principal",)
    rows: list[tuple[Key, int]] = []
    steps: list[str] = []
    left = amount
    for kind in pools:
        by_period: dict[str, list[tuple[Key, int]]] = {}
        for k, v in positive:
            if k.kind == kind:
                by_period.setdefault(k.period, []).append((k, v))
        if not by_period or not left:
            continue
        what = "пени" if kind == "penalty" else "начисления"
        first = [designated] if by_payment and designated in by_period else []
        for period in first + sorted(p for p in by_period if p not in first):
            if not left:
                break
            lines = [k for k, _ in by_period[period]]
            weights = [v for _, v in by_period[period]]
            x = min(left, sum(weights))
            left -= x
            why = "указанный плательщиком период" if first and period == first[0] else \
                "самый ранний долг"
            steps.append(f"{format_rub_ru(x)} — в {what} за {period}: {why}")
            shares = split_largest_remainder(x, weights, policy.tie_break)
            rows += [(k, part) for k, part in zip(lines, shares, strict=True) if part]
            if len(lines) > 1:
                steps.append(f"за {period} пропорционально строкам ЕПД (метод наибольших "
                             "остатков): " + ", ".join(
                                 f"{k.label()} {format_rub_ru(part)}"
                                 for k, part in zip(lines, shares, strict=True)))
    note = "; ".join(step for step in steps if "аванс" not in step)
    out: list[tuple[Key | None, int, str]] = [(k, part, note) for k, part in rows]
    if left:
        out.append((None, left, f"{format_rub_ru(left)} — переплата, аванс"))
    return out


def _split_over(payment_id: int, amount: int, owed: dict[Key, int], services: Sequence[str],
                policy: AllocationPolicy, designated: str | None) -> tuple[list[Part], int]:
    if amount <= 0:
        return [], amount
    ordered = [k for k in document_order(owed, services) if owed[k] > 0]
    if not ordered:
        return [], amount
    by_label = {(k.period, k.label(), k.kind): k for k in ordered}
    lines = [OpenLine(_period(k.period), k.label(), owed[k], k.kind)  # type: ignore[arg-type]
             for k in ordered]
    result = kernel_allocate(
        KernelPayment(amount, period=_period(designated) if designated else None),
        lines, policy)
    notes = "; ".join(step.text for step in result.trace if "аванс" not in step.text)
    parts = [Part(payment_id, by_label[(str(x.period), x.key, x.kind)], x.amount, notes)
             for x in result.lines]
    return parts, result.advance


@lru_cache(maxsize=4096)
def _period(text: str) -> Period:
    """``Period.parse`` once per month text (a registry parses the same few months a million
    times)."""
    return Period.parse(text)


def consume(advances: Sequence[tuple[int, int]], open_keys: dict[Key, int],
            services: Sequence[str], policy: AllocationPolicy) -> list[Part]:
    """Rows that spend the advances ``[(payment id, amount)]`` (oldest first) on the open
    keys. Each payment's rows sum to zero (``advance −x`` and the parts ``+x``)."""
    owed = {k: v for k, v in open_keys.items() if v > 0}
    parts: list[Part] = []
    for payment_id, available in advances:
        if available <= 0 or not any(v > 0 for v in owed.values()):
            continue
        taken, rest = _split_over(payment_id, available, owed, services, policy, None)
        if not taken:
            continue
        spent = available - rest
        parts.append(Part(payment_id, None, -spent,
                          f"{format_rub_ru(spent)} аванса зачтено в начисления"))
        for part in taken:
            assert part.key is not None
            owed[part.key] -= part.amount
            parts.append(Part(payment_id, part.key, part.amount,
                              "зачёт аванса: " + part.note))
    return parts


def reverse(storno_id: int, rows: Iterable[tuple[Key | None, date, int]]) -> list[Part]:
    """The storno's rows: the reversed payment's rows netted per key and day paid, with the
    opposite sign (what nets to zero is left out), so that per day the key is paid as if the
    payment had never come."""
    net: dict[tuple[Key | None, date], int] = defaultdict(int)
    for key, day, amount in rows:
        net[(key, day)] += amount
    ordered = sorted((k for k in net if k[0] is not None),
                     key=lambda k: (k[0].period, k[0].service, k[0].provider_id, k[1]))  # type: ignore[union-attr]
    parts = [Part(storno_id, k, -net[(k, d)], "сторно", d) for k, d in ordered if net[(k, d)]]
    parts += [Part(storno_id, None, -amount, "сторно аванса", d)
              for (k, d), amount in sorted(net.items(), key=lambda x: x[0][1])
              if k is None and amount]
    return parts
