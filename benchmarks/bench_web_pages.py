"""Web pages: p95 of the account search and the account card on the demo's database, and the
search alone at 100,000 accounts.

Pages: the README's demo database (5,000 accounts in 50 houses, a year billed and paid;
``ZHKH_BENCH_WEB_DATABASE`` = an SQLite URL of one already made, else ``zhkh demo`` makes it
once into ``ZHKH_BENCH_CACHE``), served by uvicorn in a thread as ``zhkh serve`` does and
asked over HTTP by a signed-in operator (the cookie session, the permission check, the
template — everything a browser waits for but the drawing). Each round is one request of a
query picked at random (seeded): an address with a typo in the street and a flat, an account
number prefix, the card of an account (with its charges, payments, meters' chart, documents).
The baseline, measured in the same run, is the home page (the session lookup and the layout
alone). Goal: p95 ≤ 300 ms per page.

Search at 100,000 accounts: ``search_accounts`` on the benchmarks' kept town of that size
(a house per hundred accounts), in-process.

Run:  pytest benchmarks/bench_web_pages.py -p no:cacheprovider -s
"""

from __future__ import annotations

import math
import os
import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Database]]:
    """A copy of the demo database served by uvicorn; a client signed in as an operator."""
    import uvicorn

    from zhkh.api.app import create_app
    from zhkh.modules.access.users import create_user

    source = _demo_database(tmp_path_factory.mktemp("web-bench"))
    path = tmp_path_factory.mktemp("web-bench-copy") / "zhkh.sqlite"
    shutil.copyfile(source.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    database = Database.from_url(url)
    with database.session() as session:
        create_user(session, "bench-operator", PASSWORD, "operator")
    application = bootstrap(Settings(database_url=url), database=database)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(application=application),
                                           host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    form = client.get("/sign-in").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed = client.post("/sign-in", data={"login": "bench-operator", "password": PASSWORD,
                                           "csrf_token": token, "next": "/"})
    assert signed.status_code == 303, signed.text
    try:
        yield client, database
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)
        database.dispose()


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
