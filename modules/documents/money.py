"""The money block of a monthly document, per recipient, from the ledger and the allocation
rows — the same rows finance's balances and turnover sheet sum.

A month's document counts what the month's close left in the books: every row booked up to
the month, and the advances spent on its bill when it closed (rows booked on the first day of
the next month for payments posted up to the month: ``payments.settle_all``). Call that set
S(M). Per provider p of an account:

* ``opening(p)`` = ledger booked before M − rows of S(M−1) to p − rows new in S(M) to p that
  spend payments posted before M (an old advance, shown where it went: off the debt it
  paid, not as money received this month);
* ``charged(p)`` = lines booked in M but penalties; ``penalties(p)`` = penalty lines booked
  in M (a net correction below zero lowers the opening instead: a penalty of an earlier
  bill recalculated);
* ``paid(p)`` = rows new in S(M) to p of payments posted in M (money received this month);
  a storno below zero raises the opening instead (the reversed money is owed again).

The account's advance belongs to nobody yet: the part left of the old advance lowers the
main recipient's opening (a negative opening is «аванс»), the part left of this month's
payments is added to its ``paid``. So for every account
``Σ (opening + charged + penalties − paid) = ledger up to M − every row of S(M)`` — the
closing balance net of the advance that finance's turnover sheet gives for M (the rows S(M)
adds beyond M sum to zero: an advance spent is ``advance −x`` and ``+x`` to keys).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from zhkh.kernel.period import Period
from zhkh.modules.documents.sources import Line, MoneyRow

PENALTY = "penalty"


@dataclass(slots=True)
class Purse:
    """One provider's money in a monthly document (kopecks)."""

    opening: int = 0
    charged: int = 0
    paid: int = 0
    penalties: int = 0

    @property
    def closing(self) -> int:
        return self.opening + self.charged + self.penalties - self.paid


@dataclass(slots=True)
class AccountMoney:
    """Per provider purses and the account's advance at the end of the month."""

    purses: dict[int, Purse] = field(default_factory=dict)
    advance_old: int = 0
    """What is left at the end of the month of the advance held at its start."""
    advance_new: int = 0
    """What is left at the end of the month of the payments received in it."""

    @property
    def advance(self) -> int:
        return self.advance_old + self.advance_new


def _in_set(row: MoneyRow, month: Period) -> bool:
    """Whether the row belongs to S(month)."""
    key = str(month)
    if row.period_booked <= key:
        return True
    return (row.period_booked == str(month.shift(1)) and row.posted_period <= key
            and row.first_day)


def account_money(period: str, lines: Iterable[Line], before: dict[int, int],
                  rows: Iterable[MoneyRow]) -> AccountMoney:
    """The purses of one account for ``period`` from its lines booked in the month, its
    ledger sums before the month per provider and its allocation rows."""
    month = Period.parse(period)
    prev = month.shift(-1)
    money = AccountMoney()
    purses: dict[int, Purse] = defaultdict(Purse)
    for provider, amount in before.items():
        purses[provider].opening += amount
    for line in lines:
        purse = purses[line.provider_id]
        if line.service == PENALTY:
            purse.penalties += line.amount
        else:
            purse.charged += line.amount
    for row in rows:
        if _in_set(row, prev):
            where = "before"
        elif _in_set(row, month):
            where = "fresh" if row.posted_period == period else "old"
        else:
            continue
        if row.provider_id is None:
            if where == "fresh":
                money.advance_new += row.amount
            else:
                money.advance_old += row.amount
        elif where == "fresh":
            purses[row.provider_id].paid += row.amount
        else:
            purses[row.provider_id].opening -= row.amount
    for purse in purses.values():
        if purse.paid < 0:
            purse.opening -= purse.paid
            purse.paid = 0
        if purse.penalties < 0:
            purse.opening += purse.penalties
            purse.penalties = 0
    money.purses = dict(purses)
    return money


def main_recipient(totals: dict[str, tuple[int, bool]]) -> str:
    """The recipient that shows the account's advance: the management company's own when
    it is one (``True`` in the value), else the one charged most; ties by id."""
    return min(totals, key=lambda r: (not totals[r][1], -totals[r][0], r))
