"""The complaints desk (Учёт претензий): register a complaint taken by phone or at a visit,
the list with due and overdue marks, a complaint's page with its history and the steps the
dispatcher may take next, the incident a confirmed complaint recorded and the accounts it
reduces. Everything goes through ``modules/complaints/desk.py`` (audited there)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhkh.api.web.core import Desk, Page, desk_router, require
from zhkh.modules.complaints import desk, workflow
from zhkh.modules.complaints import service as incidents
from zhkh.modules.complaints.repository import ComplaintDeskRepository, ComplaintsRepository
from zhkh.modules.complaints.schemas import ComplaintCreate, IncidentUpdate, TransitionIn
from zhkh.modules.errors import DomainError, invalid_input
from zhkh.modules.registry.models import House, Premises
from zhkh.modules.seams import Seams

router = desk_router()
DESK = Desk("Обращения", "/complaints", "complaints", "read", key="o")
PAGE_SIZE = 50
CREATE_FIELDS = ("channel", "caller_name", "caller_phone", "account", "house_id",
                 "premises_id", "service", "kind", "started_at", "text")


def services(request: Request) -> dict[str, str]:
    """Service codes of the published rules with their Russian titles (for the form)."""
    rulebook = getattr(request.app.state.calculator, "rulebook", None)
    catalogue = getattr(rulebook, "services", None) or {}
    return {code: catalogue[code].title for code in catalogue}


def addresses(session: Session, house_ids: set[int]) -> dict[int, str]:
    """House id → address, for the houses named on a page."""
    if not house_ids:
        return {}
    return {h: a for h, a in session.execute(
        select(House.id, House.address).where(House.id.in_(sorted(house_ids))))}


def house_choices(session: Session, limit: int = 2000) -> list[tuple[int, str]]:
    """(id, address) of the houses in the user's scope, for the form's suggestions."""
    return [(h, a) for h, a in session.execute(
        select(House.id, House.address).order_by(House.address).limit(limit))]


def _seams(page: Page) -> Seams:
    return page.request.app.state.seams


async def _form(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in fields}


def _cleaned(values: dict[str, str]) -> dict[str, Any]:
    """Form values → the service's input: empty fields are absent (their default)."""
    return {k: v for k, v in values.items() if v != ""}


@router.get("/complaints", response_class=HTMLResponse)
def complaints_list(page: Annotated[Page, require("complaints", "read")],
                    status: str = "", house_id: str = "", overdue: str = "",
                    offset: int = 0) -> Response:
    """Complaints, the most urgent first, filtered by status, house and overdue."""
    at = desk.now()
    status_filter = status if status in workflow.STATUS_TITLES else None
    house = int(house_id) if house_id.isdigit() else None
    items, total = ComplaintDeskRepository(page.session).find(
        status=status_filter, house_id=house, overdue_at=at if overdue else None,
        limit=PAGE_SIZE, offset=max(offset, 0))
    return page.render("complaints/list.html", title="Обращения",
                       items=desk.views(page.session, items, at=at,
                                        contacts=desk.sees_contacts(page.may)), total=total,
                       addresses=addresses(page.session, {c.house_id for c in items}),
                       status=status_filter or "", house_id=house_id, overdue=bool(overdue),
                       offset=max(offset, 0), page_size=PAGE_SIZE,
                       statuses=workflow.STATUS_TITLES, kinds=workflow.KIND_TITLES,
                       channels=workflow.CHANNEL_TITLES)


@router.get("/complaints/new", response_class=HTMLResponse)
def complaint_form(page: Annotated[Page, require("complaints", "write")],
                   account: str = "") -> Response:
    """The registration form, the first field focused; Enter registers."""
    return _form_page(page, {"channel": "phone", "account": account})


def _form_page(page: Page, values: dict[str, str], error: str = "",
               status_code: int = 200) -> Response:
    return page.render("complaints/new.html", status_code=status_code,
                       title="Новое обращение", values=values, error=error,
                       houses=house_choices(page.session),
                       services=services(page.request), kinds=workflow.KIND_TITLES,
                       channels=workflow.CHANNEL_TITLES)


@router.post("/complaints", response_class=HTMLResponse)
async def register_complaint(page: Annotated[Page, require("complaints", "write")]
                             ) -> Response:
    """Register the complaint and open its page; a refusal keeps the form with the reason."""
    values = await _form(page.request, CREATE_FIELDS)
    try:
        data = ComplaintCreate.model_validate(_cleaned(values))
        complaint = desk.register(page.session, _seams(page), page.actor, data)
    except ValidationError as exc:
        return _form_page(page, values, invalid_input(exc.errors())["message"], 422)
    except DomainError as exc:
        return _form_page(page, values, exc.message, 422)
    return RedirectResponse(f"/complaints/{complaint.id}", status_code=303)


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(page: Annotated[Page, require("complaints", "read")], complaint_id: int,
                   error: str = "") -> Response:
    """The complaint, its history, the next steps (for the dispatcher), its incident and the
    accounts the incident reduces."""
    return _complaint_page(page, complaint_id, error)


def _complaint_page(page: Page, complaint_id: int, error: str = "",
                    status_code: int = 200) -> Response:
    complaint = desk.get_complaint(page.session, complaint_id)
    view = desk.view(page.session, complaint, history=True,
                     contacts=desk.sees_contacts(page.may))
    incident, accounts = None, []
    if complaint.incident_id is not None:
        incident = incidents.get_incident(page.session, complaint.incident_id)
        accounts = [a.number for a in
                    ComplaintsRepository(page.session).accounts_concerned(incident)]
    premises = (page.session.get(Premises, complaint.premises_id)
                if complaint.premises_id is not None else None)
    return page.render(
        "complaints/complaint.html", status_code=status_code,
        title=f"Обращение №{complaint.id}", c=view, error=error, incident=incident,
        address=addresses(page.session, {complaint.house_id}).get(complaint.house_id, ""),
        premises_number=premises.number if premises is not None else None,
        accounts=accounts, next_steps=workflow.NEXT[complaint.status],
        can_write=page.may("complaints", "write"), statuses=workflow.STATUS_TITLES,
        kinds=workflow.KIND_TITLES, channels=workflow.CHANNEL_TITLES,
        services=services(page.request), needs_magnitude=complaint.kind in (
            "temperature", "pressure"))


@router.post("/complaints/{complaint_id}/transition", response_class=HTMLResponse)
async def move_complaint(page: Annotated[Page, require("complaints", "write")],
                         complaint_id: int) -> Response:
    """One step of the workflow; a refusal (illegal step, no reason) shows the page again
    with the reason and changes nothing."""
    values = await _form(page.request, ("to", "comment", "ended_at", "magnitude"))
    try:
        data = TransitionIn.model_validate(_cleaned(values))
        desk.transition(page.session, _seams(page), page.actor, complaint_id, data)
    except ValidationError as exc:
        return _refused(page, complaint_id, invalid_input(exc.errors())["message"])
    except DomainError as exc:
        if exc.code == "complaint_not_found":
            raise
        return _refused(page, complaint_id, exc.message)
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


def _refused(page: Page, complaint_id: int, message: str) -> Response:
    page.session.rollback()  # nothing of the refused step stays, the page reads afresh
    return _complaint_page(page, complaint_id, message, 422)


@router.post("/complaints/{complaint_id}/incident", response_class=HTMLResponse)
async def close_incident(page: Annotated[Page, require("complaints", "write")],
                         complaint_id: int) -> Response:
    """Close the incident a complaint recorded open (its end became known): the accounts it
    concerns are recalculated, as a change of ``/v1/incidents`` does."""
    values = await _form(page.request, ("ended_at",))
    complaint = desk.get_complaint(page.session, complaint_id)
    if complaint.incident_id is None:
        return _refused(page, complaint_id, "у обращения нет инцидента")
    try:
        data = IncidentUpdate.model_validate({**_cleaned(values),
                                              "reason": f"обращение №{complaint_id}"})
        if data.ended_at is None:
            return _refused(page, complaint_id, "укажите, когда нарушение закончилось")
        incidents.update_incident(page.session, _seams(page), page.actor,
                                  complaint.incident_id, data)
    except ValidationError as exc:
        return _refused(page, complaint_id, invalid_input(exc.errors())["message"])
    except DomainError as exc:
        return _refused(page, complaint_id, exc.message)
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)
