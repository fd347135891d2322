"""The complaints desk in a real browser: a dispatcher registers a complaint with the keyboard,
moves it to confirmed, and the incident it records reduces the charges of the account (the
reduction lines are in the ledger and in the account card); an illegal step and a rejection
without a reason are refused on the page in Russian; roles without complaints do not see the
desk."""

from __future__ import annotations

import re

from sqlalchemy import select

from zhkh.api.web.format import money
from zhkh.modules.billing.models import LedgerLine
from zhkh.modules.registry.models import Account


def _register(page, number: str, kind: str = "interruption") -> int:
    page.goto("/complaints")
    page.click("#new-complaint")
    assert page.evaluate("document.activeElement.id") == "channel"
    page.select_option("#channel", "phone")
    page.fill("#caller_name", "Иванова М. П.")
    page.fill("#account", number)
    page.select_option("#service", "cold_water")
    page.select_option("#kind", kind)
    page.fill("#started_at", "2026-10-05T08:00")
    page.fill("#text", "нет холодной воды с утра")
    page.press("#caller_name", "Enter")  # Enter registers, as in every form of the desk
    page.wait_for_url(re.compile(r"/complaints/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _step(page, to: str, comment: str = "", ended_at: str = "") -> None:
    if comment:
        page.fill("#comment", comment)
    if ended_at:
        page.fill("#ended_at", ended_at)
    page.click(f"#to-{to}")
    page.wait_for_load_state()


def test_a_confirmed_complaint_reduces_the_account_s_charges(page, site, sign_in):
    sign_in("dispatcher")
    number = site.numbers[0]
    cid = _register(page, number)
    assert page.locator("h1").inner_text() == f"Обращение №{cid} — новое"
    _step(page, "accepted")
    _step(page, "inspection")
    assert page.locator("#to-confirmed").is_visible() and page.locator("#to-rejected").is_visible()
    _step(page, "confirmed", comment="акт проверки №12", ended_at="2026-10-06T02:00")
    assert page.locator("h1").inner_text() == f"Обращение №{cid} — подтверждено"
    assert page.locator("#affected-accounts").inner_text().strip() != ""
    assert number in page.locator("#affected-accounts").inner_text()
    history = page.locator("#history tbody tr")
    assert history.count() == 4
    assert "акт проверки №12" in history.nth(3).inner_text()
    # October is closed: the reduction is booked in the open month as a recalculation of
    # October — 18 h without water, 8 allowed: 10 h × 0,15 % = 1,5 % of October's charge
    with site.database.reader() as session:
        account_id = session.scalar(select(Account.id).where(Account.number == number))
        october = session.execute(select(
            LedgerLine.kind, LedgerLine.period_booked, LedgerLine.amount_kopecks,
            LedgerLine.explain).where(
            LedgerLine.account_id == account_id, LedgerLine.service == "cold_water",
            LedgerLine.period_for == "2026-10")).all()
    charged = sum(ln.amount_kopecks for ln in october if ln.kind == "charge")
    (recalc,) = [ln for ln in october if ln.kind == "recalculation"]
    assert recalc.period_booked > "2026-10"
    assert recalc.amount_kopecks == -((charged * 15 + 500) // 1000)
    assert "Снижение платы: перерыв" in recalc.explain
    # and the account card shows it among the recalculations
    page.goto(f"/accounts/{number}")
    row = page.locator("#h-recalc + table tbody tr", has_text="Снижение платы: перерыв")
    assert row.count() == 1
    assert money(recalc.amount_kopecks) in row.inner_text()
    page.goto(f"/complaints/{cid}")
    _step(page, "closed")
    assert page.locator("#transition-form").count() == 0


def test_a_rejection_without_a_reason_is_refused_on_the_page(page, site, sign_in):
    sign_in("dispatcher")
    cid = _register(page, site.numbers[1], kind="other")
    _step(page, "accepted")
    _step(page, "inspection")
    _step(page, "rejected")
    assert "укажите причину" in page.locator("#step-error").inner_text()
    assert page.locator("h1").inner_text() == f"Обращение №{cid} — на проверке"
    _step(page, "rejected", comment="нарушение не подтвердилось замером")
    assert page.locator("h1").inner_text() == f"Обращение №{cid} — отклонено"
    page.goto("/complaints?status=rejected")
    assert f"№{cid}" in page.locator("#complaints").inner_text()


def test_an_illegal_step_names_the_states(client, site):
    assert client.sign_in("dispatcher").status_code == 303
    token = client.csrf("/complaints/new")
    created = client.http.post("/complaints", data={
        "csrf_token": token, "channel": "visit", "account": site.numbers[2],
        "service": "cold_water", "kind": "other", "started_at": "2026-10-05T08:00",
        "text": "шумит стояк"})
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    refused = client.http.post(f"{path}/transition", data={"csrf_token": token,
                                                           "to": "closed"})
    assert refused.status_code == 422
    assert "в состоянии «новое»: перевести его в «закрыто» нельзя" in refused.text


def test_the_desk_is_not_for_the_cashier(client):
    assert client.sign_in("cashier").status_code == 303
    assert 'href="/complaints"' not in client.http.get("/").text
    assert client.http.get("/complaints").status_code == 403


def test_an_incident_confirmed_open_is_closed_from_the_complaint(page, site, sign_in):
    sign_in("dispatcher")
    number = site.numbers[5]
    cid = _register(page, number)
    for to in ("accepted", "inspection", "confirmed"):
        _step(page, to)
    assert page.locator("h1").inner_text() == f"Обращение №{cid} — подтверждено"
    assert "не закрыт" in page.locator("main").inner_text()
    page.fill("#incident_ended_at", "2026-10-04T00:00")  # before the start: refused
    page.click("#incident-form button[type=submit]")
    assert "конец инцидента должен быть позже начала" in page.locator(
        "#step-error").inner_text()
    page.fill("#incident_ended_at", "2026-10-07T08:00")
    page.click("#incident-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#incident-form").count() == 0
    assert "07.10.2026 08:00" in page.locator("main").inner_text()
    with site.database.reader() as session:
        account_id = session.scalar(select(Account.id).where(Account.number == number))
        recalculated = session.scalars(select(LedgerLine.explain).where(
            LedgerLine.account_id == account_id, LedgerLine.kind == "recalculation",
            LedgerLine.service == "cold_water", LedgerLine.period_for == "2026-10")).all()
    assert len(recalculated) == 1 and "Снижение платы: перерыв" in recalculated[0]
