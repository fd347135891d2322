"""Signing in and out, the navigation of each role, refusals: in a real browser and over HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from zhkh.modules.audit.models import AuditEntry


def test_a_signed_out_visitor_is_sent_to_the_sign_in_form_and_back(page, site):
    page.goto("/")
    assert re.search(r"/sign-in\?next=/$", page.url)
    assert page.locator("html").get_attribute("lang") == "ru"
    # the main field has the focus: a cashier types at once
    assert page.evaluate("document.activeElement.id") == "login"
    page.keyboard.type("operator")
    page.keyboard.press("Tab")
    page.keyboard.type("proverka-vhoda-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(site.base_url + "/")
    assert page.locator("header .who").inner_text().startswith("Демо: оператор")


def test_a_wrong_password_is_refused_and_audited(page, site, sign_in):
    sign_in("cashier", password="не-тот-пароль-совсем")
    assert "/sign-in" in page.url
    assert page.locator("[role=alert]").inner_text() == "Неверный логин или пароль."
    assert page.context.cookies() == [] or all(c["name"] != "zhkh_session"
                                               for c in page.context.cookies())
    with site.database.reader() as session:
        failed = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "user.sign_in_failed", AuditEntry.object_id == "cashier")).all()
    assert failed


def test_the_session_cookie_is_http_only_and_strict(page, sign_in):
    sign_in("auditor")
    cookie = next(c for c in page.context.cookies() if c["name"] == "zhkh_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"


def test_signing_out_ends_the_session(page, site, sign_in):
    sign_in("analyst")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "zhkh_session")
    page.click("text=Выйти")
    page.wait_for_url(re.compile(r"/sign-in"))
    # the old cookie no longer opens anything: the session is ended on the server
    page.context.add_cookies([{"name": "zhkh_session", "value": token, "url": site.base_url}])
    page.goto("/")
    assert "/sign-in" in page.url


def test_a_post_without_the_csrf_token_is_refused(client):
    assert client.sign_in("admin").status_code == 303
    answer = client.http.post("/sign-out", data={})
    assert answer.status_code == 403
    assert "подделки запроса" in answer.text
    answer = client.http.post("/sign-out", data={"csrf_token": "чужой"})
    assert answer.status_code == 403
    token = client.csrf("/")
    assert client.http.post("/sign-out", data={"csrf_token": token}).status_code == 303


def test_a_sign_in_form_not_from_our_page_is_refused(client):
    answer = client.http.post("/sign-in", data={"login": "admin",
                                                "password": "proverka-vhoda-2026", "next": "/"})
    assert answer.status_code == 403
    assert "zhkh_session" not in answer.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_after_sign_in_only_a_page_of_this_site_is_opened(client, target):
    token = client.csrf("/sign-in")
    answer = client.http.post("/sign-in", data={"login": "admin", "csrf_token": token,
                                                "password": "proverka-vhoda-2026",
                                                "next": target})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


def test_a_disabled_user_cannot_sign_in(client, site):
    from zhkh.modules.access.users import create_user, disable_user

    with site.database.session() as session:
        create_user(session, "uvolen", "proverka-vhoda-2026", "operator")
        disable_user(session, "uvolen")
    assert client.sign_in("uvolen").status_code == 401


def test_a_browser_gets_russian_error_pages_the_api_keeps_json(client):
    assert client.sign_in("operator").status_code == 303
    html = {"accept": "text/html,application/xhtml+xml"}
    missing = client.http.get("/no-such-page", headers=html)
    assert missing.status_code == 404 and "Такой страницы нет" in missing.text
    unknown = client.http.get("/accounts/0000000000", headers=html)
    assert unknown.status_code == 404 and "не найден" in unknown.text
    assert unknown.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in unknown.headers["content-security-policy"]
    bad = client.http.get("/documents/abc.pdf", headers=html)
    assert bad.status_code == 422 and "неверное значение" in bad.text
    api = client.http.get("/v1/no-such", headers={"accept": "application/json"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_guessing_passwords_is_stopped_after_the_limit(tmp_path, shipped):
    from fastapi.testclient import TestClient

    from zhkh.adapters.bootstrap import bootstrap
    from zhkh.adapters.db import upgrade
    from zhkh.adapters.settings import Settings
    from zhkh.api.app import create_app
    from zhkh.modules.access.users import create_user

    url = f"sqlite:///{tmp_path / 'zhkh.sqlite'}"
    upgrade(url)
    application = bootstrap(Settings(database_url=url, auth_failures_limit=3,
                                     auth_failures_window_seconds=60),
                            calculator=shipped.calculator)
    with application.database.session() as session:
        create_user(session, "kassa", "proverka-vhoda-2026", "cashier")
    client = TestClient(create_app(application=application), follow_redirects=False)

    def attempt(password: str) -> int:
        form = client.get("/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        return client.post("/sign-in", data={"login": "kassa", "password": password,
                                             "csrf_token": token, "next": "/"}).status_code

    assert [attempt(f"guess-{i}-xxxxxx") for i in range(3)] == [401, 401, 401]
    assert attempt("proverka-vhoda-2026") == 429  # even the right one, until the window ends
    application.close()
