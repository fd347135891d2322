"""The passport desk in a real browser: the passport officer finds a premises by its account,
registers a new person there, adds an absence, issues a certificate and gets its PDF (the
issue logged with who asked and why); a dispatcher does not see the desk."""

from __future__ import annotations

import re

from sqlalchemy import select

from zhkh.modules.audit.models import AuditEntry


def test_a_passport_officer_issues_a_certificate_and_opens_the_pdf(page, site, sign_in):
    sign_in("passport_officer")
    page.goto("/passport")
    assert page.evaluate("document.activeElement.id") == "account"
    page.keyboard.type(site.numbers[3])
    page.keyboard.press("Enter")
    page.wait_for_selector("#certificate-form")
    page.select_option("#kind", "residents_certificate")
    page.fill("#requested_by", "Сидоров С. С., собственник")
    page.fill("#purpose", "в школу по месту требования")
    # the form opens the PDF in a new tab (target=_blank): listen on the whole context
    with page.context.expect_event(
            "response", lambda r: r.url.endswith("/certificates")) as answer:
        page.click("#certificate-form button[type=submit]")
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # Chromium shows it in its PDF viewer; the bytes themselves are checked over HTTP below
    assert re.search(r"inline; filename=\"certificate-\d+\.pdf\"",
                     response.headers["content-disposition"])
    with site.database.reader() as session:
        issued = session.scalars(select(AuditEntry.after).where(
            AuditEntry.action == "certificate.issue")).all()
    assert any(after["requested_by"] == "Сидоров С. С., собственник" for after in issued)


def test_a_new_person_is_registered_and_given_an_absence(page, site, sign_in):
    sign_in("passport_officer")
    page.goto(f"/passport?account={site.numbers[4]}")
    page.fill("#full_name", "Кузнецова Анна Петровна")
    page.fill("#birth_date", "1990-02-03")
    page.fill("#date_from", "2026-10-01")
    page.click("#person-form button[type=submit]")
    page.wait_for_url(re.compile(r"/passport/persons/\d+$"))
    assert page.locator("h1").inner_text() == "Кузнецова Анна Петровна"
    assert "01.10.2026" in page.locator("#registrations").inner_text()
    page.fill("#a_from", "2026-10-10")
    page.fill("#a_to", "2026-10-05")
    page.click("#absence-form button[type=submit]")
    assert "раньше даты начала" in page.locator("#form-error").inner_text()
    page.fill("#a_from", "2026-10-10")
    page.fill("#a_to", "2026-10-25")
    page.fill("#a_doc", "командировочное удостоверение")
    page.click("#absence-form button[type=submit]")
    page.wait_for_load_state()
    assert "25.10.2026" in page.locator("#absences").inner_text()
    page.fill("#b_account", site.numbers[4])
    assert "veteran_labour" not in page.locator("#b_category").inner_text()
    page.select_option("#b_category", label="Ветераны труда")
    page.fill("#b_from", "2026-11-01")
    page.fill("#b_doc", "удостоверение ветерана труда №77")
    page.click("#benefit-form button[type=submit]")
    page.wait_for_load_state()
    benefits = page.locator("#benefits").inner_text()
    assert "Ветераны труда" in benefits and "удостоверение ветерана труда №77" in benefits
    assert "veteran_labour" not in benefits


def test_a_dispatcher_does_not_see_the_passport_desk(page, sign_in):
    sign_in("dispatcher")
    assert page.locator("header nav").inner_text().count("Паспортный стол") == 0
    assert "Обращения" in page.locator("header nav").inner_text()
    page.goto("/passport")
    assert "недоступна для вашей роли" in page.locator("main").inner_text()


def test_the_certificate_answer_is_the_pdf_itself(client, site):
    assert client.sign_in("passport-officer").status_code == 303
    premises = client.http.get(f"/passport?account={site.numbers[3]}")
    found = re.search(r'action="/passport/premises/(\d+)/certificates"', premises.text)
    assert found, premises.text
    token = client.csrf(f"/passport?account={site.numbers[3]}")
    answer = client.http.post(f"/passport/premises/{found.group(1)}/certificates", data={
        "csrf_token": token, "kind": "house_register_extract",
        "requested_by": "Сидоров С. С.", "purpose": "для нотариуса"})
    assert answer.status_code == 200
    assert answer.content[:5] == b"%PDF-"
    refused = client.http.post(f"/passport/premises/{found.group(1)}/certificates", data={
        "csrf_token": token, "kind": "house_register_extract", "requested_by": "Сидоров"})
    assert refused.status_code == 422 and "purpose" in refused.text


def test_an_operator_reads_the_desk_but_issues_nothing(client, site):
    assert client.sign_in("operator").status_code == 303
    assert 'href="/passport"' not in client.http.get("/").text  # not a desk of the operator
    premises = client.http.get(f"/passport?account={site.numbers[3]}")
    assert premises.status_code == 200
    assert "certificate-form" not in premises.text and "person-form" not in premises.text
