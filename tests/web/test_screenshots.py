"""Screenshots of the main pages for the README (``docs/screenshots/``), taken with the same
fixtures as the browser tests (the tiny demo town, the demo's users):

    ZHKH_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/web/test_screenshots.py

Without ``ZHKH_SCREENSHOTS`` the pages are still opened and checked, into a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from zhkh.modules.documents.models import IssuedDocument
from zhkh.modules.registry.models import Account


def test_screenshots_of_sign_in_search_and_card(page, site, sign_in, tmp_path,
                                                wait_for_images):
    folder = Path(os.environ.get("ZHKH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    with site.database.reader() as session:
        number = session.scalar(select(Account.number)
                                .join(IssuedDocument, IssuedDocument.account_id == Account.id)
                                .order_by(Account.id).offset(3).limit(1))
    page.goto("/sign-in")
    page.fill("#login", "operator")
    page.screenshot(path=folder / "sign-in.png")
    sign_in("operator")
    page.goto("/accounts?q=" + "мирра 1")
    assert page.locator("a.hit").count() > 1
    page.locator("a.hit").first.focus()
    page.screenshot(path=folder / "search.png")
    page.goto(f"/accounts/{number}")
    page.locator(".chart img").last.scroll_into_view_if_needed()  # lazy images: load them
    wait_for_images(page)
    page.locator("#h-charges + details summary").first.focus()
    page.screenshot(path=folder / "account-card.png", full_page=True)
    for name in ("sign-in.png", "search.png", "account-card.png"):
        assert (folder / name).stat().st_size > 10_000


DESK_PAGES = (
    # (role, address, file, a text the page must show)
    ("dispatcher", "/complaints", "complaints.png", "Обращения"),
    ("passport_officer", "/passport?account={number}", "passport.png", "Паспортный стол"),
    ("analyst", "/analytics", "analytics.png", "Собираемость"),
    ("methodologist", "/rules", "rules.png", "Правила"),
)


def test_screenshots_of_the_desks(page, site, sign_in, tmp_path, wait_for_images):
    """Each desk's first page as its role sees it, with the whole navigation of that role (the
    cash desk's, with a payment taken, is taken by ``test_cashdesk.py``)."""
    folder = Path(os.environ.get("ZHKH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for role, address, name, title in DESK_PAGES:
        page.context.clear_cookies()
        sign_in(role)
        page.goto(address.format(number=site.numbers[4]))
        assert title in page.locator("main").inner_text()
        wait_for_images(page)
        page.screenshot(path=folder / name)  # the first screen: what the desk opens with
        assert (folder / name).stat().st_size > 10_000, name
