"""Browser tests of the web application: the real app served by uvicorn on a free port over a
copy of a tiny billed town (made by ``zhkh demo`` itself: 24 accounts in two houses, four
months billed and paid, documents of the last month issued for one house), with the demo's
user per role (login = the role's name with hyphens, password set to :data:`PASSWORD`),
driven by Playwright on Debian's Chromium (``/usr/bin/chromium``; Playwright's own browsers
are not downloaded). Without Chromium the browser tests are skipped, saying so; the
HTTP-level tests (``client``) run anyway.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.cli.main import app as cli
from zhkh.adapters.cli.users import DEMO_ROLES
from zhkh.adapters.db.session import Database
from zhkh.adapters.settings import Settings
from zhkh.api.app import create_app
from zhkh.modules.access.users import set_password
from zhkh.modules.registry.models import Account

CHROMIUM = os.environ.get("ZHKH_TEST_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "proverka-vhoda-2026"
ACCOUNTS, HOUSES, MONTHS = 24, 2, 4
runner = CliRunner()


def zhkh(*args: object, url: str) -> Any:
    """Run ``zhkh args… --database url`` in this process; must succeed."""
    result = runner.invoke(cli, [*map(str, args), "--database", url], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="session")
def town_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny town as an SQLite file, made once: billed, paid, documents of the last
    month issued for the first house, and one user per role."""
    folder = tmp_path_factory.mktemp("web-town")
    path = folder / "town.sqlite"
    url = f"sqlite:///{path}"
    zhkh("demo", "--accounts", ACCOUNTS, "--houses", HOUSES, "--months", MONTHS, url=url)
    zhkh("documents", "issue", "--period", "2026-10", "--house", 1, "--out", folder / "docs",
         url=url)
    database = Database.from_url(url)
    try:  # the demo made one user per role with a random password: make it known
        with database.session() as session:
            for role in DEMO_ROLES:
                set_password(session, role.replace("_", "-"), PASSWORD)
    finally:
        database.dispose()
    return path


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    """The app served over a copy of the town."""

    base_url: str
    url: str
    database: Database
    numbers: list[str] = field(default_factory=list)
    drafts: Path | None = None
    """The folder of draft rule folders the rules desk's preview may read."""

    def login_of(self, role: str) -> str:
        """The login of the user of ``role``."""
        return role.replace("_", "-")


@pytest.fixture(scope="session")
def site(town_template: Path, tmp_path_factory: pytest.TempPathFactory, shipped
         ) -> Iterator[Site]:
    """The real app (composition root on the shipped rules) served by uvicorn in a thread."""
    import uvicorn

    path = tmp_path_factory.mktemp("web-site") / "zhkh.sqlite"
    shutil.copyfile(town_template, path)
    url = f"sqlite:///{path}"
    drafts = tmp_path_factory.mktemp("rules-drafts")
    database = Database.from_url(url)
    application = bootstrap(Settings(database_url=url, rules_drafts_dir=drafts),
                            database=database,
                            calculator=shipped.calculator)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(application=application), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="zhkh-web-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "сервер не запустился за 20 с"
        time.sleep(0.05)
    with database.reader() as session:
        numbers = list(session.scalars(select(Account.number).order_by(Account.id)))
    try:
        yield Site(f"http://127.0.0.1:{port}", url, database, numbers, drafts)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        database.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Chromium driven by Playwright (skipped, with the reason, when Chromium is absent)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"нет Chromium ({CHROMIUM}): браузерные тесты пропущены "
                    "(apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh browser tab (no cookies) on the site; 10 s timeout for every step."""
    context = browser.new_context(base_url=site.base_url, locale="ru-RU",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def sign_in(page: Any, site: Site) -> Callable[[str], Any]:
    """``sign_in(role)``: sign in through the form as the user of ``role``; the tab."""

    def go(role: str, password: str = PASSWORD) -> Any:
        page.goto("/sign-in")
        page.fill("#login", site.login_of(role))
        page.fill("#password", password)
        page.press("#password", "Enter")
        page.wait_for_load_state()
        return page

    return go


class Client:
    """HTTP-level access to the site with a cookie jar (httpx), for checks that need no
    browser (status codes, forged forms)."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=20)

    def csrf(self, path: str) -> str:
        """The CSRF token of the form on ``path``."""
        found = re.search(r'name="csrf_token" value="([^"]*)"', self.http.get(path).text)
        assert found, f"на {path} нет формы с csrf_token"
        return found.group(1)

    def sign_in(self, login: str, password: str = PASSWORD) -> Any:
        token = self.csrf("/sign-in")
        return self.http.post("/sign-in", data={"login": login, "password": password,
                                                "csrf_token": token, "next": "/"})


@pytest.fixture
def client(site: Site) -> Iterator[Client]:
    """A cookie-keeping HTTP client of the site (no browser needed)."""
    made = Client(site.base_url)
    try:
        yield made
    finally:
        made.http.close()


@pytest.fixture
def wait_for_images() -> Callable[[Any], None]:
    """``wait_for_images(tab)``: until every image of the tab has loaded (10 s at most).
    Polled from here: Playwright's ``wait_for_function`` evaluates text, which the pages'
    CSP forbids."""

    def wait(tab: Any) -> None:
        deadline = time.monotonic() + 10
        script = ("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        while not tab.evaluate(script):
            assert time.monotonic() < deadline, "картинки страницы не загрузились за 10 с"
            time.sleep(0.1)

    return wait
