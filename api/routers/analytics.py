"""Analytics: ``/v1/analytics/collection`` — charged vs paid by month, the collection rate and
the debt by age, by house, provider, service or management company; also as XLSX."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response

from zhkh.adapters.db.scope import set_scope
from zhkh.api.auth import allow
from zhkh.api.deps import CalculatorDep, FinanceRulesDep, SessionDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.kernel.bounded import Day
from zhkh.modules.access.scope import ALL
from zhkh.modules.analytics.collection import Collection, CollectionCache, collection
from zhkh.modules.analytics.repository import GROUPINGS, CollectionRepository, Grouping
from zhkh.modules.analytics.schemas import CollectionOut
from zhkh.modules.analytics.xlsx import collection_xlsx
from zhkh.modules.errors import Invalid

router = APIRouter(prefix="/v1/analytics", tags=["analytics"], route_class=TransactionalRoute)
READ = allow("finance", "read")
PERIOD = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ByQuery = Annotated[Grouping, Query(description="Группировка: house, provider, service, "
                                                "company")]
SinceQuery = Annotated[str | None, Query(pattern=PERIOD, description="С месяца ГГГГ-ММ")]
UntilQuery = Annotated[str | None, Query(pattern=PERIOD, description="По месяц ГГГГ-ММ")]
OnQuery = Annotated[Day | None, Query(description="Срок долга на дату (по умолчанию сегодня)")]


def collection_cache(request: Request) -> CollectionCache:
    """The app's memory of closed months' sums (made on first use; shared with the web
    pages through ``app.state``)."""
    cache = getattr(request.app.state, "analytics_cache", None)
    if cache is None:
        cache = request.app.state.analytics_cache = CollectionCache()
    return cache


CacheDep = Annotated[CollectionCache, Depends(collection_cache)]


def warm(app: FastAPI) -> None:
    """Sum the closed months of the whole data (the scope of an unlimited key or user) for
    every grouping into the app's cache, so that the first report after a start answers as fast
    as the next ones instead of reading the whole ledger (seconds on a town). Meant for a
    background thread of ``zhkh serve``: a failure is logged and the cache simply stays
    cold — the reports stay correct either way."""
    cache = getattr(app.state, "analytics_cache", None)
    if cache is None:
        cache = app.state.analytics_cache = CollectionCache()
    try:
        session = app.state.database.new_session(read_only=True)
        try:
            set_scope(session, ALL)
            closed, _ = CollectionRepository(session).periods()
            for by in GROUPINGS:
                cache.closed(session, closed, by)
        finally:
            session.rollback()
            session.close()
    except Exception:  # a warm-up never stops the server: the first report reads instead
        log.exception("analytics warm-up failed")


def report(session: SessionDep, rules: FinanceRulesDep, calculator: CalculatorDep,
           cache: CacheDep, by: Grouping, since: str | None, until: str | None,
           on: date | None) -> Collection:
    """The collection report for the API and the web page (periods in order or 422)."""
    if since and until and until < since:
        raise Invalid("periods_out_of_order", "месяц окончания раньше месяца начала",
                      field="until")
    titles = {code: spec.title for code, spec in calculator.rulebook.services.items()}
    return collection(session, rules.penalty, by=by, since=since, until=until, on=on,
                      service_titles=titles, cache=cache)


@router.get("/collection", dependencies=[READ], summary="Собираемость и долг по возрасту")
def collection_report(session: SessionDep, rules: FinanceRulesDep, calculator: CalculatorDep,
                      cache: CacheDep, by: ByQuery = "house", since: SinceQuery = None,
                      until: UntilQuery = None, on: OnQuery = None) -> CollectionOut:
    """Per booked month: charged (every ledger line), paid (payments' parts that paid bills),
    posted payments and the collection rate (paid ÷ charged); per group over those months:
    charged, paid, rate, and the debt of closed months' bills by days past due (0–30, 31–90,
    91–180, 181–365, over 365). The groups sum to the total to the kopeck."""
    return CollectionOut.of(report(session, rules, calculator, cache, by, since, until,
                                   on))


@router.get("/collection.xlsx", dependencies=[READ], summary="Собираемость в XLSX",
            response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "Книга XLSX"}})
def collection_workbook(session: SessionDep, rules: FinanceRulesDep,
                        calculator: CalculatorDep, cache: CacheDep, by: ByQuery = "house",
                        since: SinceQuery = None, until: UntilQuery = None,
                        on: OnQuery = None) -> Response:
    """The same report as a workbook: a sheet of months and a sheet of groups, totals last."""
    found = report(session, rules, calculator, cache, by, since, until, on)
    name = f"sobiraemost-{found.by}.xlsx"
    return Response(collection_xlsx(found), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
