"""The analytics desk: charged against paid by month, the collection rate and the debt by age
(charts), and the same by house, provider, service or management company (a table, and an
XLSX of it). Everything comes from ``modules.analytics.collection`` — the figures of
``GET /v1/analytics/collection``, with the same memory of closed months (``app.state``)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated

from fastapi import Query
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from zhkh.api.routers.analytics import XLSX, collection_cache
from zhkh.api.web.charts import Series, bar_chart, line_chart
from zhkh.api.web.core import Desk, Page, desk_router, require
from zhkh.kernel.period import Period
from zhkh.modules.analytics.collection import (
    GROUP_TITLES,
    GROUPINGS,
    Collection,
    MonthFigures,
    age_labels,
    collection,
)
from zhkh.modules.analytics.repository import Grouping
from zhkh.modules.analytics.xlsx import collection_xlsx
from zhkh.modules.errors import Invalid

router = desk_router()
DESK = Desk("Аналитика", "/analytics", "finance", "read", key="a")
PERIOD = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"

ByQuery = Annotated[Grouping, Query()]
MonthQuery = Annotated[str | None, Query(max_length=7)]
DayQuery = Annotated[str | None, Query(max_length=10)]


def percent(permille: int | None) -> str:
    """‰ → «97,3 %» (a dash when nothing was charged)."""
    if permille is None:
        return "—"
    whole, tenth = divmod(abs(permille), 10)
    return f"{'−' if permille < 0 else ''}{whole},{tenth} %"


def _month(text: str | None, field: str) -> str | None:
    if not text:
        return None
    try:
        return str(Period.parse(text))
    except ValueError:
        raise Invalid("bad_period", f"месяц «{text}»: ожидается ГГГГ-ММ", field=field) from None


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("bad_date", f"дата «{text}»: ожидается ГГГГ-ММ-ДД", field="on") from None


def _report(page: Page, by: Grouping, since: str | None, until: str | None,
            on: str | None) -> Collection:
    first, last = _month(since, "since"), _month(until, "until")
    if first and last and last < first:
        raise Invalid("periods_out_of_order", "месяц окончания раньше месяца начала",
                      field="until")
    state = page.request.app.state
    titles = {code: spec.title for code, spec in state.calculator.rulebook.services.items()}
    return collection(page.session, state.finance_rules.penalty, by=by, since=first,
                      until=last, on=_day(on), service_titles=titles,
                      cache=collection_cache(page.request))


def charts(report: Collection) -> dict[str, Markup]:
    """The page's three SVG charts: charged and paid by month, the collection rate by month,
    the debt by age. They depend only on the months and the total debt, the same whatever
    the grouping: the SVG of the same figures is made once (≈80 ms of pygal) and reused."""
    return _charts(tuple(report.months), report.total.debt, report.on)


@lru_cache(maxsize=32)
def _charts(months: tuple[MonthFigures, ...], debt: tuple[int, ...], on: date
            ) -> dict[str, Markup]:
    labels = [m.period for m in months]
    return {
        "money": bar_chart("Начислено и оплачено по месяцам", labels, [
            Series("Начислено", [m.charged for m in months]),
            Series("Оплачено", [m.paid for m in months])], money_values=True),
        "rate": line_chart("Собираемость по месяцам, %", labels, [
            Series("Оплачено ÷ начислено",
                   [None if m.rate is None else m.rate / 10 for m in months])], unit="%"),
        "debt": bar_chart(f"Долг по сроку просрочки на {on:%d.%m.%Y}",
                          [f"{a} дн." for a in age_labels()], [Series("Долг", list(debt))],
                          money_values=True, height=260),
    }


@router.get("/analytics", response_class=HTMLResponse)
def analytics(page: Annotated[Page, require("finance", "read")], by: ByQuery = "house",
              since: MonthQuery = None, until: MonthQuery = None, on: DayQuery = None
              ) -> Response:
    """Charts of the whole base and the table of groups, with the form that narrows them."""
    report = _report(page, by, since, until, on)
    query = "&".join(f"{k}={v}" for k, v in (("by", by), ("since", report.since or ""),
                                              ("until", report.until or ""),
                                              ("on", report.on.isoformat())) if v)
    return page.render("analytics/collection.html", title="Аналитика: собираемость",
                       report=report, charts=charts(report), groupings=GROUPINGS,
                       group_titles=GROUP_TITLES, ages=age_labels(), percent=percent,
                       export=f"/analytics/collection.xlsx?{query}")


@router.get("/analytics/collection.xlsx")
def analytics_xlsx(page: Annotated[Page, require("finance", "read")], by: ByQuery = "house",
                   since: MonthQuery = None, until: MonthQuery = None, on: DayQuery = None
                   ) -> Response:
    """The page's figures as a workbook (months and groups, totals last)."""
    report = _report(page, by, since, until, on)
    return Response(collection_xlsx(report), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="sobiraemost-{report.by}.xlsx"'})
