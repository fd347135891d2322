"""The accounts desk: search by number, address or name; the account card.

The card shows what the API's card shows (``finance.account_card``: details, services,
charges by period with explain, balance and debts, payments with their allocation, meter
volumes) and beside it the residents and owners, the issued documents and the audit trail —
each section only to a role that may read it, by the same permissions as the API. Names of
people are personal data: shown only to a role that may read them, and each showing is written
to the personal-data access log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from zhkh.adapters.print.render import render as render_pdf
from zhkh.api.web.charts import Series, bar_chart
from zhkh.api.web.core import Desk, Page, desk_router, require
from zhkh.modules.audit import record_personal_read
from zhkh.modules.audit.repository import AuditRepository
from zhkh.modules.billing.meter_history import meter_histories
from zhkh.modules.billing.service import current_period
from zhkh.modules.documents import service as documents
from zhkh.modules.errors import NotFound
from zhkh.modules.finance import service as finance
from zhkh.modules.passport.models import Person
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.search import accounts_by_name
from zhkh.modules.registry.models import Provider
from zhkh.modules.registry.search import accounts_by_numbers, search_accounts
from zhkh.modules.registry.service import get_account

router = desk_router()
DESK = Desk("Лицевые счета", "/accounts", "registry", "read", key="s")

REGISTRATION_KINDS = {"residence": "по месту жительства", "stay": "по месту пребывания"}
DOCUMENT_KINDS = {"monthly": "ЕПД", "corrected": "исправленный ЕПД",
                  "debt_notice": "уведомление о задолженности"}
LINE_KINDS = {"charge": "начисление", "benefit": "льгота", "quality_reduction": "снижение за "
              "качество", "penalty": "пени", "recalculation": "перерасчёт"}
METHODS = {"area": "по площади", "meter": "по прибору", "fixed": "фиксированная сумма",
           "norm": "по нормативу", "derived": "производный объём",
           "consumption_within_norm": "в пределах нормы", "area_within_social_norm":
           "площадь в пределах соц. нормы", "average": "по среднему", "interruption":
           "перерыв в предоставлении", "penalty": "пени", "house_share": "доля дома",
           "area_norm": "норматив на площадь"}
CHANNELS = {"bank": "банк", "cash": "касса, наличные", "card": "касса, карта"}
ALLOCATION_KINDS = {"principal": "долг", "penalty": "пени", "advance": "аванс"}


def _log_reads(request: Request, page: Page, what: str, person_ids: Iterable[int]) -> None:
    """Names shown → the access log, in a unit of its own (a GET's unit is rolled back)."""
    ids = sorted(set(person_ids))
    if ids and page.user.sees_personal_data:
        with request.app.state.database.session() as session:
            record_personal_read(session, page.actor, what, ids)


@router.get("/accounts", response_class=HTMLResponse)
def search(request: Request, page: Annotated[Page, require("registry", "read")],
           q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """The search form and its results: by account number (digits), address (street with
    typos, house, flat), and — to a role that may read personal data — a person's name."""
    hits = search_accounts(page.session, q) if q.strip() else []
    names: dict[str, list[str]] = {}
    if q.strip() and page.user.sees_personal_data and not any(ch.isdigit() for ch in q):
        named = accounts_by_name(page.session, q)
        for item in named:
            names.setdefault(item.number, []).append(item.full_name)
        known = {h.number for h in hits}
        hits += accounts_by_numbers(page.session, [n for n in names if n not in known])
        _log_reads(request, page, "account_search", (item.person_id for item in named))
    return page.render("accounts/search.html", title="Поиск лицевых счетов", q=q, hits=hits,
                       names=names)


def _providers(page: Page) -> dict[int, str]:
    return dict(page.session.execute(select(Provider.id, Provider.name)).tuples().all())


def _people(request: Request, page: Page, premises_id: int) -> dict[str, Any]:
    repository = PassportRepository(page.session)
    registrations, _ = repository.list_registrations(premises_id=premises_id, limit=200,
                                                     offset=0)
    ownerships, _ = repository.list_ownerships(premises_id=premises_id, limit=200, offset=0)
    ids = {r.person_id for r in registrations} | {o.person_id for o in ownerships}
    names: dict[int, str] = {}
    if page.user.sees_personal_data and ids:
        for person in page.session.scalars(select(Person).where(Person.id.in_(ids))):
            if person.data is not None:
                names[person.id] = person.data.full_name
        _log_reads(request, page, "account_card", names)
    return {"registrations": registrations, "ownerships": ownerships, "names": names}


def _volume_chart(meter: Any, titles: dict[str, str]) -> Any:
    """Monthly volumes of one meter as a bar chart (a series per zone), or None without any."""
    labels: set[str] = set()
    series: list[tuple[str, dict[str, float]]] = []
    for zone in meter.zones:
        # a volume is a decimal string; a float is fine for the height of a bar
        volumes = {m.period: float(m.volume) for m in zone.months}
        labels |= volumes.keys()
        series.append((zone.zone if len(meter.zones) > 1 else "объём", volumes))
    if not labels:
        return None
    ordered = sorted(labels)
    return bar_chart(f"{titles.get(meter.service, meter.service)}, прибор {meter.serial}",
                     ordered, [Series(name, [v.get(p) for p in ordered]) for name, v in series],
                     height=220)


def _titles(request: Request) -> dict[str, str]:
    services = request.app.state.document_rules.services
    return {"penalty": "Пени", **{code: services[code].title for code in services}}


@router.get("/accounts/{number}/meters/{meter_id}/volumes.svg")
def volume_chart(request: Request, page: Annotated[Page, require("meters", "read")],
                 number: str, meter_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> Response:
    """The chart of a meter's monthly volumes (an image of the card, fetched by the browser
    after the page: the card's own answer does not wait for the drawing)."""
    account = get_account(page.session, number)
    meters = meter_histories(page.session, account.premises_id, current_period(page.session))
    meter = next((m for m in meters if m.id == meter_id), None)
    chart = _volume_chart(meter, _titles(request)) if meter is not None else None
    if chart is None:
        raise NotFound("meter_not_found", f"нет объёмов прибора {meter_id} у счёта {number}")
    return Response(str(chart), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=300"})


@router.get("/accounts/{number}", response_class=HTMLResponse)
def card(request: Request, page: Annotated[Page, require("registry", "read")], number: str
         ) -> HTMLResponse:
    """The account card (see the module's docstring)."""
    found = finance.account_card(page.session, number,
                                 with_balance=page.may("balances", "read"),
                                 with_payments=page.may("payments", "read"))
    titles = _titles(request)
    recalculations = [line for period in found.periods for line in period.lines
                      if line.is_recalculation]
    context: dict[str, Any] = {
        "card": found, "providers": _providers(page), "titles": titles,
        "recalculations": recalculations,
        "registration_kinds": REGISTRATION_KINDS, "document_kinds": DOCUMENT_KINDS,
        "allocation_kinds": ALLOCATION_KINDS, "line_kinds": LINE_KINDS, "methods": METHODS,
        "channels": CHANNELS,
        "show": {"people": page.may("passport", "read"), "meters": page.may("meters", "read"),
                 "balance": found.balance is not None, "payments": found.payments is not None,
                 "documents": page.may("documents", "read"), "audit": page.may("audit", "read")},
    }
    if context["show"]["people"]:
        context.update(_people(request, page, found.account.premises_id))
    if context["show"]["documents"]:
        context["documents"] = documents.list_documents(page.session, number, limit=100).items
    if context["show"]["audit"]:
        entries, _ = AuditRepository(page.session).list_entries(
            object_type="account", object_id=number, limit=100)
        context["audit"] = entries
    return page.render("accounts/card.html", title=f"Лицевой счёт {number}", **context)


@router.get("/documents/{document_id}.pdf")
def document_pdf(page: Annotated[Page, require("documents", "read")],
                 document_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> Response:
    """An issued document's PDF, rendered from its stored snapshot (as the API's)."""
    row = documents.stored_document(page.session, document_id)
    pdf = render_pdf(documents.snapshot_of(row))
    name = quote(f"{row.number}.pdf")
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"document-{row.id}.pdf\"; "
                               f"filename*=UTF-8''{name}"})
