"""Dependencies as named ``Annotated`` aliases, declared once.

The ones that only read the request's state are ``async``: FastAPI runs a plain ``def``
dependency in a worker thread, and each such hop cost a payment ≈50–100 µs of CPU and a
thread wake-up (a wait on a loaded machine) for a line of work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, Path, Query, Request
from sqlalchemy.orm import Session

from zhkh.api.auth import PrincipalDep
from zhkh.modules.audit import Actor, record_personal_read
from zhkh.modules.calculation.service import Calculator
from zhkh.modules.finance.service import FinanceRules
from zhkh.modules.seams import Seams


async def get_calculator(request: Request) -> Calculator:
    return request.app.state.calculator


CalculatorDep = Annotated[Calculator, Depends(get_calculator)]


async def get_seams(request: Request) -> Seams:
    """What the fact-keeping services need from above them (wired by the composition root)."""
    return request.app.state.seams


SeamsDep = Annotated[Seams, Depends(get_seams)]


async def get_finance_rules(request: Request) -> FinanceRules:
    """Allocation, penalties and the rulebook version of the published rules."""
    return request.app.state.finance_rules


FinanceRulesDep = Annotated[FinanceRules, Depends(get_finance_rules)]


async def get_session(request: Request) -> Session:
    """The request's session, opened by ``TransactionalRoute`` (committed once by it)."""
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("маршрут без единицы работы: используйте TransactionalRoute")
    return session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_actor(principal: PrincipalDep,
                    x_reason: Annotated[str | None, Header(
                        max_length=2000,
                        description="Основание изменения (URL-кодированный текст)")] = None
                    ) -> Actor:
    """Who changes and why: the key's principal and the ``X-Reason`` header (percent-decoded,
    since HTTP headers carry Latin-1 only); a ``reason`` in the body takes precedence."""
    return Actor(principal.actor, unquote(x_reason) if x_reason else None)


ActorDep = Annotated[Actor, Depends(get_actor)]


@dataclass(frozen=True)
class PersonalReads:
    """Records reads of persons' personal data in the 152-ФЗ access log — only when the
    principal's role is shown personal data at all."""

    database: Any
    actor: Actor
    shown: bool

    def record(self, what: str, person_ids: Iterable[int]) -> None:
        """Log that the caller read ``person_ids`` (``what``: ``person``, ``persons_list`` …).
        Its own unit of work, committed now: the session of a GET is always rolled back."""
        ids = list(person_ids)
        if not self.shown or not ids:
            return
        with self.database.session() as session:
            record_personal_read(session, self.actor, what, ids)


def get_personal_reads(request: Request, actor: ActorDep, principal: PrincipalDep
                       ) -> PersonalReads:
    return PersonalReads(request.app.state.database, actor, principal.sees_personal_data)


PersonalReadsDep = Annotated[PersonalReads, Depends(get_personal_reads)]


@dataclass(frozen=True)
class Window:
    """A page window: at most ``limit`` items after skipping ``offset``."""

    limit: int
    offset: int


async def get_window(
        limit: Annotated[int, Query(ge=1, le=500, description="Размер страницы")] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9, description="Сколько пропустить")] = 0
) -> Window:
    return Window(limit, offset)


WindowDep = Annotated[Window, Depends(get_window)]


INT64_MAX = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=INT64_MAX, description="Идентификатор")]
"""An object id in the path; bounded so that no database overflows on it."""
IdQuery = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
"""An optional id filter in the query string."""
