"""Administration in a browser: an administrator adds a user who then signs in, disables
them, creates and revokes an API key; the demo's password file is the owner's alone."""

from __future__ import annotations

import re
import stat

from zhkh.adapters.cli.users import DEMO_ROLES


def test_the_demo_wrote_its_users_passwords_for_the_owner_only(town_template):
    path = town_template.parent / "zhkh-demo-users.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")]
    assert [r[1] for r in rows] == list(DEMO_ROLES)
    assert all(len(r[2]) >= 16 for r in rows)


def test_an_administrator_adds_a_user_who_signs_in_and_then_disables_them(page, site, sign_in):
    sign_in("admin")
    page.goto("/admin")
    assert page.evaluate("document.activeElement.id") == "u-login"
    page.fill("#u-login", "novikova")
    page.fill("#u-name", "Новикова Е. А.")
    page.select_option("#u-role", "cashier")
    page.fill("#u-password", "kassa-novikova-1")
    page.click("text=Создать пользователя")
    page.wait_for_url(re.compile(r"/admin$"))
    assert "novikova" in page.locator("table").first.inner_text()
    page.click("text=Выйти")
    page.goto("/sign-in")
    page.fill("#login", "novikova")
    page.fill("#password", "kassa-novikova-1")
    page.press("#password", "Enter")
    page.wait_for_url(site.base_url + "/")
    assert "Новикова Е. А." in page.locator("header .who").inner_text()
    assert page.goto("/admin").status == 403
    page.context.clear_cookies()
    sign_in("admin")
    page.goto("/admin")
    page.click("button[aria-label='Отключить novikova']")
    page.wait_for_url(re.compile(r"/admin$"))
    page.context.clear_cookies()
    page.goto("/sign-in")
    page.fill("#login", "novikova")
    page.fill("#password", "kassa-novikova-1")
    page.press("#password", "Enter")
    assert page.locator("[role=alert]").inner_text() == "Неверный логин или пароль."


def test_an_api_key_is_shown_once_works_and_is_revoked(page, site, sign_in):
    sign_in("admin")
    page.goto("/admin")
    page.fill("#k-name", "портал жильцов")
    page.select_option("#k-role", "external_system")
    page.click("text=Создать ключ")
    key = page.locator("#shown-secret").inner_text()
    assert key.startswith("zk_")
    api = page.context.request
    assert api.get("/v1/houses", headers={"Authorization": f"Bearer {key}"}).status == 403
    assert api.get("/v1/accounts/0000000018/balance",
                   headers={"Authorization": f"Bearer {key}"}).status in (200, 404)
    page.goto("/admin")
    assert key not in page.content()  # only its beginning is listed
    page.click("button[aria-label='Отозвать ключ портал жильцов']")
    page.wait_for_url(re.compile(r"/admin$"))
    assert api.get("/v1/accounts/0000000018/balance",
                   headers={"Authorization": f"Bearer {key}"}).status == 401
