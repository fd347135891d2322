"""The accounts desk in a browser: each role's navigation and refusals, the search by
address with a typo and by name, the card's sections by role, an issued document's PDF."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from zhkh.modules.audit.models import PersonalDataAccess
from zhkh.modules.passport.models import PersonData, Registration
from zhkh.modules.registry.models import Account, House, Premises

NAV = "header nav a"


@pytest.mark.parametrize(("role", "desks"), [
    ("admin", {"Лицевые счета", "Администрирование"}),
    ("operator", {"Лицевые счета"}),
    ("dispatcher", {"Лицевые счета"}),
    ("accountant", {"Лицевые счета"}),
])
def test_each_role_sees_only_its_desks(page, sign_in, role, desks):
    sign_in(role)
    shown = {re.sub(r"\s+\S$", "", t.strip()) for t in page.locator(NAV).all_inner_texts()}
    assert desks <= shown
    assert ("Администрирование" in shown) == (role == "admin")


@pytest.mark.parametrize("role", ["operator", "cashier", "auditor"])
def test_a_page_the_role_may_not_open_answers_403_in_russian(page, sign_in, role):
    sign_in(role)
    answer = page.goto("/admin")
    assert answer.status == 403
    assert page.locator("h1").inner_text() == "Доступ запрещён"
    assert "недоступна для вашей роли" in page.locator("[role=alert]").inner_text()


def _flat_of_first_house(site) -> tuple[str, str, str]:
    """(account number, street word of house 1's address, premises number) of an account."""
    with site.database.reader() as session:
        number, address, flat = session.execute(
            select(Account.number, House.address, Premises.number)
            .join(Premises, Premises.id == Account.premises_id)
            .join(House, House.id == Premises.house_id)
            .where(House.id == 1, Premises.kind == "flat").order_by(Premises.id)
            .offset(2).limit(1)).one()
    return number, address, flat


def test_find_an_account_by_address_with_a_typo_and_open_its_card(page, site, sign_in):
    number, address, flat = _flat_of_first_house(site)
    street = re.search(r"(?:ул|пр|наб)\.\s+(\S+),", address).group(1)
    typo = street[:2] + street[1] + street[2:]  # one letter doubled: «Мирра» for «Мира»
    house = re.search(r"д\. (\S+)", address).group(1)
    sign_in("operator")
    page.keyboard.press("Alt+s")  # the access key of the desk
    page.wait_for_url(re.compile(r"/accounts$"))
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(f"{typo.lower()} {house} кв {flat}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts\?q="))
    hits = page.locator("a.hit").all_inner_texts()
    assert hits == [number]
    page.keyboard.press("ArrowDown")  # from the search field to the first result
    assert page.evaluate("document.activeElement.textContent") == number
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/accounts/{number}$"))
    assert page.locator("h1").inner_text() == f"Лицевой счёт {number}"
    assert page.locator("#h-charges").is_visible()


def test_the_card_shows_money_to_the_operator_and_hides_it_from_the_dispatcher(
        page, site, sign_in, wait_for_images):
    number, _, _ = _flat_of_first_house(site)
    sign_in("operator")
    page.goto(f"/accounts/{number}")
    assert page.locator("#h-payments").count() == 1
    assert page.locator("#h-balance").count() == 1
    assert re.fullmatch(r"−?[\d\u00a0]+,\d\d\u00a0₽", page.locator("#balance-total").inner_text())
    assert page.locator("#h-audit").count() == 0  # audit:read is the auditor's
    page.context.clear_cookies()
    sign_in("dispatcher")
    page.goto(f"/accounts/{number}")
    assert page.locator("h1").inner_text() == f"Лицевой счёт {number}"
    assert page.locator("#h-payments").count() == 0
    assert page.locator("#h-balance").count() == 0
    assert page.locator("#h-meters").count() == 1
    charts = page.locator(".chart img")
    assert charts.count() >= 1  # monthly volumes, drawn as images fetched after the page
    charts.first.scroll_into_view_if_needed()
    wait_for_images(page)
    svg = page.context.request.get(charts.first.get_attribute("src"))
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text().startswith("<svg") and "<script" not in svg.text()


def test_open_an_issued_document_pdf_from_the_card(page, site, sign_in):
    number, _, _ = _flat_of_first_house(site)
    sign_in("operator")
    page.goto(f"/accounts/{number}")
    link = page.locator("a.pdf").first
    href = link.get_attribute("href")
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    answer = page.context.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    # a role without documents:read sees no documents and may not open one
    page.context.clear_cookies()
    sign_in("dispatcher")
    assert page.goto(href).status == 403


def test_search_by_name_only_for_a_role_that_reads_personal_data(page, site, sign_in):
    number, _, _ = _flat_of_first_house(site)
    with site.database.session() as session:
        person_id = session.scalar(
            select(Registration.person_id)
            .join(Account, Account.premises_id == Registration.premises_id)
            .where(Account.number == number, Registration.date_from <= date.today(),
                   (Registration.date_to.is_(None)) | (Registration.date_to >= date.today()))
            .limit(1))
        assert person_id is not None, "в квартире никто не зарегистрирован"
        if session.get(PersonData, person_id) is None:
            session.add(PersonData(person_id=person_id, full_name="Сидорова Анфиса Павловна"))
    sign_in("passport_officer")
    page.goto("/accounts?q=сидорова анф")
    assert number in page.locator("a.hit").all_inner_texts()
    assert "Сидорова Анфиса Павловна" in page.locator("#results").inner_text()
    with site.database.reader() as session:
        logged = session.scalars(select(PersonalDataAccess.person_id).where(
            PersonalDataAccess.what == "account_search")).all()
    assert person_id in logged
    page.context.clear_cookies()
    sign_in("operator")  # reads the registry, not personal data: no names, no name search
    page.goto("/accounts?q=сидорова анф")
    assert page.locator("a.hit").count() == 0
    page.goto(f"/accounts/{number}")
    assert "Сидорова" not in page.locator("main").inner_text()
