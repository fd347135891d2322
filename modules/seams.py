"""Seams between the modules that keep facts and what sits above them.

Registry, meters, passport and complaints keep facts. When a fact changes, the charges of the
accounts it concerns must be computed again, and some facts must be named by the published
rules (a benefit category, an incident kind). Those modules sit below billing and the rules
service, so they never import them: their services are handed a :class:`Seams`, which the
composition root (``adapters/bootstrap.py``) fills with billing's online recalculation and the
vocabulary of the published rulebook, and which tests fill with doubles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from zhkh.kernel.calc.errors import CalculationError
from zhkh.kernel.period import Period
from zhkh.modules.errors import DomainError
from zhkh.modules.schemas import AccountRecalc, jsonable


class Recalculation(Protocol):
    """What a change of facts asks of billing, in the caller's transaction (nothing commits)."""

    def current_period(self, session: Session) -> str:
        """The latest open billing period, or the month of today when none is open."""
        ...

    def recalculate_account(self, session: Session, number: str, period: str
                            ) -> list[dict[str, Any]]:
        """Compute the account again from ``period`` on; its new lines as JSON-ready dicts.
        Raises ``CalculationError`` or a ``DomainError`` when the account cannot be
        calculated (nothing of it is written then)."""
        ...

    def recalculate_house(self, session: Session, house_id: int, period: str
                          ) -> dict[str, list[dict[str, Any]] | dict[str, Any]]:
        """Compute every account of the house again in the open ``period`` (a house meter's
        reading): account number → its new lines of the month, or its error as a dict."""
        ...

    def enqueue(self, session: Session, account_ids: Iterable[int], period: str,
                reason: str) -> None:
        """Queue the accounts for the next run, from ``period`` on (too many to compute in a
        request: every account of a house)."""
        ...


class RuleVocabulary(Protocol):
    """The names the published rules give, for checking input before it is stored."""

    def benefit_categories(self) -> list[str]:
        """Category codes the ``benefits`` rules name."""
        ...

    def benefit_category_titles(self) -> dict[str, str]:
        """Category code → its Russian title, for every code of ``benefit_categories``."""
        ...

    def incident_kinds(self, service: str) -> list[str]:
        """Incident kinds the ``quality`` rules cover for ``service``."""
        ...


class ReadingChecks(Protocol):
    """The plausibility checks of the published rules (``rules/checks``) for a reading as it
    arrives, with what billing knows of its account (history, residents)."""

    def check(self, session: Session, meter_id: int, zone: str, taken_on: date,
              value_micro: int) -> list[dict[str, str]]:
        """The checks the reading fails (``{"code", "message", "rule_id"}``, Russian
        messages); empty when it may be billed."""
        ...


class HasNumber(Protocol):
    """An account as the seam needs it: its id and number."""

    @property
    def id(self) -> int: ...

    @property
    def number(self) -> str: ...


@dataclass(frozen=True)
class Seams:
    """The recalculation, the rules' vocabulary and the reading checks as one argument of
    the services."""

    recalculation: Recalculation
    vocabulary: RuleVocabulary
    checks: ReadingChecks | None = None
    """None: readings are not checked (tests that are not about the checks)."""

    def recalculate(self, session: Session, accounts: Iterable[HasNumber], period: str
                    ) -> list[AccountRecalc]:
        """Recalculate each account from ``period`` in this transaction, all of an account's
        recalculation or none of it: each account's lines (recalculations of closed months
        and the open month's charges) are written in a savepoint, rolled back whole when any
        part is refused. A refusal is a value (``status`` ``refused``, ``error``, ``lines``
        None, nothing booked); the change that caused it is kept and the account is queued
        for the next run from ``period`` (``queued``), whose pre-close check waits for it."""
        out = []
        for account in accounts:
            try:
                with session.begin_nested():
                    lines = self.recalculation.recalculate_account(session, account.number,
                                                                   period)
            except (CalculationError, DomainError) as exc:
                error = exc.as_dict()
                self.recalculation.enqueue(session, [account.id], period,
                                           f"перерасчёт отклонён: {error['code']}")
                out.append(AccountRecalc(account=account.number, period=period,
                                         status="refused", lines=None, error=error,
                                         queued=True))
                continue
            out.append(AccountRecalc(account=account.number, period=period,
                                     status="recalculated",
                                     lines=[jsonable(line) for line in lines]))
        return out


def period_of(day: date) -> str:
    """The period ``YYYY-MM`` containing ``day``."""
    return str(Period.of(day))
