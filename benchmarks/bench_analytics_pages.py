"""The analytics page on the demo database: ``GET /analytics`` as a signed-in analyst, from
the request to the whole HTML read (in-process ASGI client: no network).

    ZHKH_BENCH_DEMO=zhkh.sqlite pytest benchmarks/bench_analytics_pages.py -s

The database is ``zhkh demo``'s (5,000 accounts, 12 months billed and paid through bank
registries: ≈810,000 ledger lines, ≈500,000 allocation rows): the file ``ZHKH_BENCH_DEMO``,
else one made by ``zhkh demo`` in ``ZHKH_BENCH_CACHE`` (≈3–10 min) and kept. Every run works
on a copy.

Side by side in the group: the page served warm (the closed months' sums kept in the app's
``CollectionCache``; the open month read live), the groupings in turn — the figure the issue
asks for (p95 ≤ 300 ms) — and the page served cold (the cache emptied before each round: the
first request after a start or after a month is closed). Before timing, the page's total
charged is checked against the ledger to the kopeck, and its XLSX's totals against the page.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import Database, upgrade
from zhkh.adapters.settings import Settings

PASSWORD = "bench-analytics-2026"
ZHKH = str(Path(sys.executable).with_name("zhkh"))
GROUPINGS = ("house", "provider", "service", "company")


def _demo_file() -> Path:
    given = os.environ.get("ZHKH_BENCH_DEMO")
    if given:
        return Path(given)
    cache = Path(os.environ.get("ZHKH_BENCH_CACHE", Path.home() / ".cache" / "zhkh-bench"))
    path = cache / "demo-5000x12.sqlite"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".building")
        scratch.unlink(missing_ok=True)
        subprocess.run([ZHKH, "demo", "--database", f"sqlite:///{scratch}"], check=True,
                       cwd=cache, stdout=subprocess.DEVNULL)
        scratch.rename(path)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real app over a copy of the demo database, an analyst signed in."""
    from fastapi.testclient import TestClient

    from zhkh.api.app import create_app
    from zhkh.modules.access.users import create_user

    path = tmp_path_factory.mktemp("analytics-bench") / "demo.sqlite"
    shutil.copyfile(_demo_file(), path)
    url = f"sqlite:///{path}"
    upgrade(url)  # a demo file made before the latest migrations (users, sessions) is used too
    database = Database.from_url(url)
    with database.session() as session:
        create_user(session, "bench-analyst", PASSWORD, "analyst", full_name="Аналитик")
    app = create_app(application=bootstrap(Settings(database_url=url), database=database))
    client = TestClient(app)
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', form).group(1)  # type: ignore[union-attr]
    signed = client.post("/sign-in", data={"login": "bench-analyst", "password": PASSWORD,
                                           "csrf_token": token, "next": "/"},
                         follow_redirects=False)
    assert signed.status_code == 303, signed.text
    client.database = database  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        client.close()
        database.dispose()


def _total(html: str, column: int) -> int:
    cells = re.findall(r'data-kopecks="(-?\d+)"', html.split('id="total"', 1)[1])
    return int(cells[column])


def _checked(site: Any) -> None:
    """The page's totals are the ledger's and the workbook's, to the kopeck."""
    from openpyxl import load_workbook

    html = site.get("/analytics?by=house").text
    with site.database.reader() as session:
        ledger = session.execute(text("SELECT SUM(amount_kopecks) FROM ledger_lines")).scalar()
        paid = session.execute(text("SELECT SUM(amount_kopecks) FROM payment_allocations "
                                    "WHERE kind <> 'advance'")).scalar()
    assert (_total(html, 0), _total(html, 1)) == (ledger, paid)
    book = load_workbook(io.BytesIO(site.get("/analytics/collection.xlsx?by=house").content))
    last = list(book["По домам"].iter_rows(values_only=True))[-1]
    assert (round(last[2] * 100), round(last[3] * 100), round(last[5] * 100)) == (
        _total(html, 0), _total(html, 1), _total(html, 2))


def _p95(benchmark: Any) -> float:
    data = benchmark.stats.stats.sorted_data
    value = data[max(0, math.ceil(0.95 * len(data)) - 1)] * 1000
    benchmark.extra_info["p95_ms"] = value
    print(f"\n{benchmark.name}: p95 {value:.1f} ms over {len(data)} requests")
    return value


@pytest.mark.benchmark(group="analytics-page")
def test_analytics_page_warm(benchmark, figures, rounds, site):
    _checked(site)
    groupings = cycle(GROUPINGS)

    def load() -> int:
        answer = site.get(f"/analytics?by={next(groupings)}")
        assert answer.status_code == 200 and "<svg" in answer.text
        return len(answer.content)

    benchmark.pedantic(load, rounds=rounds(200), warmup_rounds=4)
    figures.duration(scale=1000, unit="ms", p99=True)
    _p95(benchmark)


@pytest.mark.benchmark(group="analytics-page")
def test_analytics_page_cold(benchmark, figures, rounds, site):
    def forget() -> tuple[tuple[()], dict[str, Any]]:
        site.app.state.analytics_cache = None
        return (), {}

    def load() -> None:
        assert site.get("/analytics?by=house").status_code == 200

    benchmark.pedantic(load, setup=forget, rounds=rounds(3))
    figures.duration(scale=1000, unit="ms")
