"""Web pages: p95 of the account search, the account card and every desk's main pages on the
demo's database, and the search alone at 100,000 accounts.

Pages: the README's demo database (5,000 accounts in 50 houses, a year billed and paid;
``ZHKH_BENCH_WEB_DATABASE`` = an SQLite URL of one already made, or ``ZHKH_BENCH_DEMO`` = its
file, else ``zhkh demo`` makes it once into ``ZHKH_BENCH_CACHE``), served by uvicorn in a thread
as ``zhkh serve`` does and asked over HTTP by a signed-in operator (the cookie session, the
permission check, the template — everything a browser waits for but the drawing). Each round is
one request of a query picked at random (seeded): an address with a typo in the street and a
flat, an account number prefix, the card of an account (with its charges, payments, meters'
chart, documents). The baseline, measured in the same run, is the home page (the session lookup
and the layout alone). Goal: p95 ≤ 300 ms per page.

Desks (each page asked by a user of the role that works there, on the same database): the cash
desk with a shift open (opened once through its form) and an account found; the complaints
list and a complaint's page (40 complaints, ``ZHKH_BENCH_WEB_COMPLAINTS``, registered first
through the dispatcher's form);
the passport desk with a premises found by account and a person's page; the rules in force and
a rule's history; the administration page. The analytics page has its own bench
(``bench_analytics_pages.py``).

Search at 100,000 accounts: ``search_accounts`` on the benchmarks' kept town of that size
(a house per hundred accounts), in-process.

Run:  pytest benchmarks/bench_web_pages.py -p no:cacheprovider -s
      (``-k "not at_scale"``: the demo database's pages only)
"""

from __future__ import annotations

import gc
import math
import os
import random
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db.session import Database
from zhkh.adapters.settings import Settings
from zhkh.modules.registry.models import Account, House, Premises

PASSWORD = "benchmark-password-1"
SEED = 20261207


def _demo_database(tmp: Path) -> str:
    given = os.environ.get("ZHKH_BENCH_WEB_DATABASE")
    if given:
        return given
    if os.environ.get("ZHKH_BENCH_DEMO"):  # the demo file the analytics bench takes too
        return f"sqlite:///{os.environ['ZHKH_BENCH_DEMO']}"
    cache = Path(os.environ.get("ZHKH_BENCH_CACHE", Path.home() / ".cache" / "zhkh-bench"))
    cache.mkdir(parents=True, exist_ok=True)
    kept = cache / "web-demo.sqlite"
    if not kept.exists():
        from zhkh.adapters.cli.main import app as cli

        building = cache / "web-demo-building.sqlite"
        result = CliRunner().invoke(cli, ["demo", "--database", f"sqlite:///{building}"])
        assert result.exit_code == 0, result.output
        os.replace(building, kept)
    return f"sqlite:///{kept}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ROLES = ("operator", "cashier", "dispatcher", "passport_officer", "methodologist", "admin")
"""The role that works at each desk; one user of each is made and signed in."""


@dataclass
class Site:
    """The app served over a copy of the demo database, a signed-in client per role."""

    database: Database
    clients: dict[str, httpx.Client]


def _signed_in(base_url: str, login: str) -> httpx.Client:
    """A cookie-keeping client signed in through the form as ``login``."""
    client = httpx.Client(base_url=base_url, timeout=30)
    signed = client.post("/sign-in", data={"login": login, "password": PASSWORD,
                                           "csrf_token": _csrf(client, "/sign-in"),
                                           "next": "/"})
    assert signed.status_code == 303, signed.text
    return client


def _csrf(client: httpx.Client, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A copy of the demo database served by uvicorn; a client signed in per desk's role."""
    import uvicorn

    from zhkh.adapters.db import upgrade
    from zhkh.api.app import create_app
    from zhkh.modules.access.users import create_user

    source = _demo_database(tmp_path_factory.mktemp("web-bench"))
    path = tmp_path_factory.mktemp("web-bench-copy") / "zhkh.sqlite"
    shutil.copyfile(source.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    upgrade(url)  # a demo file made before the latest migrations is used too
    database = Database.from_url(url)
    with database.session() as session:
        for role in ROLES:
            create_user(session, f"bench-{role}", PASSWORD, role)
    application = bootstrap(Settings(database_url=url), database=database)
    app = create_app(application=application)
    gc.collect()
    gc.freeze()  # as ``zhkh serve`` does
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app,
                                           host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    clients = {role: _signed_in(f"http://127.0.0.1:{port}", f"bench-{role}") for role in ROLES}
    try:
        yield Site(database, clients)
    finally:
        for client in clients.values():
            client.close()
        server.should_exit = True
        thread.join(timeout=10)
        database.dispose()
        gc.unfreeze()


@pytest.fixture(scope="module")
def served(site: Site) -> tuple[httpx.Client, Database]:
    """The operator's client and the database."""
    return site.clients["operator"], site.database


def _p95(benchmark) -> float:
    data = benchmark.stats.stats.sorted_data
    return data[max(0, math.ceil(0.95 * len(data)) - 1)] * 1000


def _report(benchmark, figures, label: str) -> None:
    figure = figures.duration(scale=1000, unit="ms", p99=True)
    p95 = _p95(benchmark)
    benchmark.extra_info["p95_ms"] = p95
    print(f"{label}: p95 {p95:.1f} ms (median {figure.median:.1f} ms), "
          f"load {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _typo(word: str, rng: random.Random) -> str:
    """One letter doubled or dropped (past the first two)."""
    i = rng.randrange(2, len(word))
    return word[:i] + word[i] + word[i:] if rng.random() < 0.5 else word[:i] + word[i + 1:]


@pytest.fixture(scope="module")
def addresses(served) -> list[tuple[str, str, str]]:
    """(street word, house number, flat) of every flat with an account."""
    _, database = served
    with database.reader() as session:
        rows = session.execute(select(House.address, Premises.number)
                               .join(Premises, Premises.house_id == House.id)
                               .join(Account, Account.premises_id == Premises.id)).all()
    out = []
    for address, flat in rows:
        street = address.split(",")[0].split(" ", 1)[1]
        house = address.split("д. ")[1]
        out.append((street.split()[-1], house, flat))
    return out


@pytest.fixture(scope="module")
def numbers(served) -> list[str]:
    _, database = served
    with database.reader() as session:
        return list(session.scalars(select(Account.number)))


@pytest.mark.benchmark(group="web pages (demo database)")
def test_home_page_baseline(benchmark, figures, rounds, served):
    client, _ = served
    benchmark.pedantic(lambda: client.get("/").raise_for_status(), rounds=rounds(200),
                       warmup_rounds=5)
    _report(benchmark, figures, "home")


@pytest.mark.benchmark(group="web pages (demo database)")
def test_search_by_address_with_a_typo(benchmark, figures, rounds, served, addresses):
    client, _ = served
    rng = random.Random(SEED)

    def one() -> None:
        street, house, flat = rng.choice(addresses)
        answer = client.get("/accounts", params={"q": f"{_typo(street, rng)} {house} кв {flat}"})
        answer.raise_for_status()
        assert 'class="hit"' in answer.text, answer.url

    benchmark.pedantic(one, rounds=rounds(200), warmup_rounds=5)
    _report(benchmark, figures, "search by address")


@pytest.mark.benchmark(group="web pages (demo database)")
def test_search_by_number_prefix(benchmark, figures, rounds, served, numbers):
    client, _ = served
    rng = random.Random(SEED)

    def one() -> None:
        answer = client.get("/accounts", params={"q": rng.choice(numbers)[:7]})
        answer.raise_for_status()
        assert 'class="hit"' in answer.text

    benchmark.pedantic(one, rounds=rounds(200), warmup_rounds=5)
    _report(benchmark, figures, "search by number")


@pytest.mark.benchmark(group="web pages (demo database)")
def test_account_card(benchmark, figures, rounds, served, numbers):
    client, _ = served
    rng = random.Random(SEED)

    def one() -> None:
        answer = client.get(f"/accounts/{rng.choice(numbers)}")
        answer.raise_for_status()
        assert "Начисления по месяцам" in answer.text

    benchmark.pedantic(one, rounds=rounds(100), warmup_rounds=3)
    _report(benchmark, figures, "account card")


DESKS = "desk pages (demo database, each as its desk's role)"
COMPLAINTS = int(os.environ.get("ZHKH_BENCH_WEB_COMPLAINTS", "40"))


def _measure(benchmark, figures, client: httpx.Client, paths: list[str], marker: str,
             label: str, count: int) -> None:
    """``count`` rounds, each one GET of a path picked at random (seeded) from ``paths``;
    every answer must be 200 and show ``marker`` (the page really drawn, not a refusal)."""
    rng = random.Random(SEED)

    def one() -> None:
        answer = client.get(rng.choice(paths))
        answer.raise_for_status()
        assert marker in answer.text, answer.url

    benchmark.pedantic(one, rounds=count, warmup_rounds=3)
    _report(benchmark, figures, label)


@pytest.fixture(scope="module")
def cash_desk(site: Site) -> httpx.Client:
    """The cashier's client with a shift opened through the desk's form."""
    client = site.clients["cashier"]
    opened = client.post("/cash/open", data={"csrf_token": _csrf(client, "/cash"),
                                             "desk": "Касса 1", "opening_float": "500,00"})
    assert opened.status_code == 303, opened.text
    return client


@pytest.fixture(scope="module")
def complaints(site: Site, numbers) -> list[int]:
    """Ids of the complaints (``ZHKH_BENCH_WEB_COMPLAINTS``, 40) the dispatcher registered
    through the form on random accounts."""
    client = site.clients["dispatcher"]
    token = _csrf(client, "/complaints/new")
    rng = random.Random(SEED)
    started = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    ids = []
    for i in range(COMPLAINTS):
        made = client.post("/complaints", data={
            "csrf_token": token, "channel": rng.choice(("phone", "visit")),
            "account": rng.choice(numbers), "service": "cold_water", "kind": "other",
            "started_at": started, "text": f"шумит стояк ({i})"})
        assert made.status_code == 303, made.text
        ids.append(int(made.headers["location"].rsplit("/", 1)[1]))
    return ids


@pytest.mark.benchmark(group=DESKS)
def test_cash_desk_with_an_account_found(benchmark, figures, rounds, cash_desk, numbers):
    _measure(benchmark, figures, cash_desk, [f"/cash?account={n}" for n in numbers],
             'id="to-pay"', "cash desk, account found", rounds(200))


@pytest.mark.benchmark(group=DESKS)
def test_complaints_list(benchmark, figures, rounds, site, complaints):
    _measure(benchmark, figures, site.clients["dispatcher"], ["/complaints"],
             '<td><a href="/complaints/', f"complaints list ({len(complaints)} registered)",
             rounds(200))


@pytest.mark.benchmark(group=DESKS)
def test_complaint_page(benchmark, figures, rounds, site, complaints):
    _measure(benchmark, figures, site.clients["dispatcher"],
             [f"/complaints/{i}" for i in complaints], "Обращение №", "complaint page",
             rounds(200))


@pytest.mark.benchmark(group=DESKS)
def test_passport_desk_premises(benchmark, figures, rounds, site, numbers):
    _measure(benchmark, figures, site.clients["passport_officer"],
             [f"/passport?account={n}" for n in numbers], 'id="premises-title"',
             "passport desk, premises found", rounds(200))


@pytest.mark.benchmark(group=DESKS)
def test_passport_person_page(benchmark, figures, rounds, site):
    from zhkh.modules.passport.models import Person

    with site.database.reader() as session:
        ids = list(session.scalars(select(Person.id)))
    _measure(benchmark, figures, site.clients["passport_officer"],
             [f"/passport/persons/{i}" for i in ids], "<h1>", "person page", rounds(200))


@pytest.mark.benchmark(group=DESKS)
def test_rules_in_force(benchmark, figures, rounds, site):
    _measure(benchmark, figures, site.clients["methodologist"], ["/rules"],
             'href="/rules/rule/', "rules in force", rounds(200))


@pytest.mark.benchmark(group=DESKS)
def test_rule_history(benchmark, figures, rounds, site):
    client = site.clients["methodologist"]
    ids = sorted(set(re.findall(r'href="(/rules/rule/[^"?]+)"', client.get("/rules").text)))
    assert ids
    _measure(benchmark, figures, client, ids, "<h1>", "rule history", rounds(200))


@pytest.mark.benchmark(group=DESKS)
def test_administration(benchmark, figures, rounds, site):
    _measure(benchmark, figures, site.clients["admin"], ["/admin"], "bench-cashier",
             "administration", rounds(200))


BIG = int(os.environ.get("ZHKH_BENCH_WEB_ACCOUNTS", "100000"))


@pytest.fixture(scope="module")
def big_town(towns) -> Iterator[Database]:
    database = Database.from_url(towns.sqlite(BIG))
    try:
        yield database
    finally:
        database.dispose()


@pytest.mark.benchmark(group=f"account search ({BIG:,} accounts, in-process)")
def test_search_service_at_scale(benchmark, figures, rounds, big_town):
    from zhkh.modules.registry.search import search_accounts

    with big_town.reader() as session:
        rows = session.execute(select(House.address, Premises.number, Account.number)
                               .join(Premises, Premises.house_id == House.id)
                               .join(Account, Account.premises_id == Premises.id)).all()
        rng = random.Random(SEED)

        def one() -> None:
            address, flat, number = rng.choice(rows)
            street = address.split(",")[0].split(" ", 1)[1].split()[-1]
            house = address.split("д. ")[1]
            hits = search_accounts(session, f"{_typo(street, rng)} {house} {flat}")
            assert number in [h.number for h in hits]
            assert search_accounts(session, number[:8])

        benchmark.pedantic(one, rounds=rounds(100), warmup_rounds=3)
    _report(benchmark, figures, f"search at {BIG} accounts (address + number)")
