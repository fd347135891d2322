"""The passport desk (Паспортный стол): find a premises by its account, its people and their
registrations; a person's registrations, absences and benefits, each added through the
passport services (which recalculate the accounts concerned and audit the change); and the
passport office's certificates of a premises, issued through ``documents.certificates``
(numbered, logged with who asked and why) and opened as the PDF.

Personal data (names, birth dates, documents) is shown only to a role that may see it, and
every page that shows it is logged in the 152-ФЗ access log, as the API does.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from zhkh.adapters.print.certificates import render_certificate
from zhkh.api.web.core import Desk, Page, desk_router, keep_on_error, require
from zhkh.modules.audit import record_personal_read
from zhkh.modules.documents.certificates import TITLES, issue_certificate
from zhkh.modules.documents.read_models import CertificateIssueIn
from zhkh.modules.errors import DomainError, invalid_input
from zhkh.modules.passport import service as passport
from zhkh.modules.passport.models import Person
from zhkh.modules.passport.repository import PassportRepository
from zhkh.modules.passport.schemas import (
    AbsenceCreate,
    BenefitCreate,
    PersonCreate,
    RegistrationCreate,
)
from zhkh.modules.registry import service as registry
from zhkh.modules.registry.models import Account, House, Premises

router = desk_router()
DESK = Desk("Паспортный стол", "/passport", "passport", "write", key="p")
MANY = 200
REGISTRATION_KINDS = {"residence": "по месту жительства", "stay": "по месту пребывания"}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if k != "csrf_token" and str(v).strip()}


def _log_reads(page: Page, what: str, person_ids: list[int]) -> None:
    """Log that the user saw these persons' personal data. A GET's unit of work is rolled
    back, so it is logged in a unit of its own; a refused POST shows the page again in its
    own unit of work (SQLite has one writer), kept although the answer is an error."""
    if not page.user.sees_personal_data or not person_ids:
        return
    if page.request.method != "POST":
        with page.request.app.state.database.session() as session:
            record_personal_read(session, page.actor, what, person_ids)
        return
    record_personal_read(page.session, page.actor, what, person_ids)
    keep_on_error(page.request)


def _name(person: Person, shown: bool) -> str:
    if not shown:
        return f"человек №{person.id}"
    full = person.data.full_name if person.data else None
    return full or f"человек №{person.id} (ФИО не внесено)"


def _premises(page: Page, account: str, premises_id: int | None) -> Premises | None:
    if account:
        return registry.get_premises(page.session, registry.get_account(page.session,
                                                                       account).premises_id)
    return registry.get_premises(page.session, premises_id) if premises_id else None


@router.get("/passport", response_class=HTMLResponse)
def passport_home(page: Annotated[Page, require("passport", "read")], account: str = "",
                  premises_id: int | None = None) -> Response:
    """Find a premises by account number (or code): its address, everyone ever registered
    there, the forms to register a new person and to issue a certificate."""
    return _home(page, account, premises_id)


def _home(page: Page, account: str, premises_id: int | None, error: str = "",
          status_code: int = 200) -> Response:
    premises = _premises(page, account.strip(), premises_id)
    if premises is None:
        return page.render("passport/home.html", status_code=status_code,
                           title="Паспортный стол", premises=None, account=account,
                           error=error)
    house = page.session.get(House, premises.house_id)
    repo = PassportRepository(page.session)
    registrations, _ = repo.list_registrations(premises_id=premises.id, limit=MANY, offset=0)
    persons = {p.id: p for p in repo.list_persons(premises_id=premises.id, limit=MANY,
                                                   offset=0)[0]}
    shown = page.user.sees_personal_data
    _log_reads(page, "passport_desk_premises", sorted(persons))
    accounts = list(page.session.scalars(select(Account.number).where(
        Account.premises_id == premises.id).order_by(Account.number)))
    return page.render(
        "passport/home.html", status_code=status_code, title="Паспортный стол",
        premises=premises, house=house,
        accounts=accounts, account=account, error=error,
        rows=[(r, _name(persons[r.person_id], shown) if r.person_id in persons
               else f"человек №{r.person_id}") for r in registrations],
        kinds=REGISTRATION_KINDS, certificates=TITLES, today=date.today().isoformat(),
        may_issue=page.may("passport_documents", "write"))


@router.get("/passport/persons/{person_id}", response_class=HTMLResponse)
def person_page(page: Annotated[Page, require("passport", "read")], person_id: int
                ) -> Response:
    """A person: personal data (if the role sees it), registrations, absences, benefits,
    and the forms to add each."""
    return _person_page(page, person_id)


def _person_page(page: Page, person_id: int, error: str = "", status_code: int = 200
                 ) -> Response:
    person = passport.get_person(page.session, person_id)
    repo = PassportRepository(page.session)
    shown = page.user.sees_personal_data
    _log_reads(page, "passport_desk_person", [person.id])
    registrations, _ = repo.list_registrations(person_id=person.id, limit=MANY, offset=0)
    absences, _ = repo.list_absences(person_id=person.id, limit=MANY, offset=0)
    benefits, _ = repo.list_benefits(person_id=person.id, limit=MANY, offset=0)
    numbers = dict(page.session.execute(select(Account.id, Account.number).where(
        Account.id.in_([b.account_id for b in benefits]))).all())
    vocabulary = page.request.app.state.seams.vocabulary
    titles = vocabulary.benefit_category_titles()
    return page.render(
        "passport/person.html", status_code=status_code, title=_name(person, shown),
        person=person, name=_name(person, shown), shown=shown, data=person.data if shown
        else None, registrations=registrations, absences=absences, error=error,
        benefits=[(b, numbers.get(b.account_id, "")) for b in benefits],
        kinds=REGISTRATION_KINDS, category_titles=titles,
        categories=sorted(vocabulary.benefit_categories(), key=lambda c: titles.get(c, c)),
        can_write=page.may("passport", "write"))


def _parsed(model: type[BaseModel], values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise _Refusal(invalid_input(exc.errors())["message"]) from exc


class _Refusal(Exception):
    """Input refused before the service was called (the message is Russian)."""


@router.post("/passport/persons", response_class=HTMLResponse)
async def add_person(page: Annotated[Page, require("passport", "write")]) -> Response:
    """A new person, registered in the premises at once when a premises and a date are
    given; then the person's page."""
    values = await _form(page.request)
    premises_id = values.pop("premises_id", "")
    date_from, kind = values.pop("date_from", ""), values.pop("kind", "residence")
    try:
        person = passport.create_person(page.session, page.actor, _parsed(PersonCreate, values))
        if premises_id:
            passport.create_registration(
                page.session, page.request.app.state.seams, page.actor, _parsed(
                    RegistrationCreate, {"person_id": person.id, "premises_id": premises_id,
                                         "kind": kind, "date_from": date_from}))
    except (_Refusal, DomainError) as exc:
        page.session.rollback()
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return _home(page, "", int(premises_id) if premises_id.isdigit() else None, message,
                     422)
    return RedirectResponse(f"/passport/persons/{person.id}", status_code=303)


async def _add(page: Page, person_id: int, model: type[BaseModel], create: Any) -> Response:
    values = {**await _form(page.request), "person_id": person_id}
    try:
        create(page.session, page.request.app.state.seams, page.actor, _parsed(model, values))
    except (_Refusal, DomainError) as exc:
        page.session.rollback()
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return _person_page(page, person_id, message, 422)
    return RedirectResponse(f"/passport/persons/{person_id}", status_code=303)


@router.post("/passport/persons/{person_id}/registrations", response_class=HTMLResponse)
async def add_registration(page: Annotated[Page, require("passport", "write")],
                           person_id: int) -> Response:
    """Register the person in a premises (the premises' accounts are recalculated)."""
    return await _add(page, person_id, RegistrationCreate, passport.create_registration)


@router.post("/passport/persons/{person_id}/absences", response_class=HTMLResponse)
async def add_absence(page: Annotated[Page, require("passport", "write")],
                      person_id: int) -> Response:
    """A temporary absence (the accounts where the person lives are recalculated)."""
    return await _add(page, person_id, AbsenceCreate, passport.create_absence)


@router.post("/passport/persons/{person_id}/benefits", response_class=HTMLResponse)
async def add_benefit(page: Annotated[Page, require("passport", "write")],
                      person_id: int) -> Response:
    """A benefit on an account (checked against the benefits rules; recalculated)."""
    return await _add(page, person_id, BenefitCreate, passport.create_benefit)


@router.post("/passport/premises/{premises_id}/certificates")
async def issue(page: Annotated[Page, require("passport_documents", "write")],
                premises_id: int) -> Response:
    """Issue a certificate of the premises and answer with its PDF (opened in a new tab);
    the issue and the read of the residents' data are logged with who asked and why."""
    values = await _form(page.request)
    try:
        body = _parsed(CertificateIssueIn, values)
        certificate, register_id = issue_certificate(page.session, page.actor, premises_id,
                                                     body)
    except (_Refusal, DomainError) as exc:
        page.session.rollback()
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return _home(page, "", premises_id, message, 422)
    pdf = render_certificate(certificate)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"certificate-{register_id}.pdf\"; "
                               f"filename*=UTF-8''{quote(certificate.number + '.pdf')}"})
