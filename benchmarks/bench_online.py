"""Online recalculation through the HTTP API: a cold-water reading corrected by an operator,
from the request sent to the whole response read.

    pytest benchmarks/bench_online.py -s      # 300 changes (ZHKH_BENCH_CHANGES), SQLite

One change is ``POST /v1/meters/{id}/readings`` with ``supersedes_id`` and a reason, sent by
httpx over one keep-alive HTTP/1.1 connection on loopback to ``zhkh serve`` (uvicorn in its own
process, the way it is deployed). The server authenticates the operator's API key, checks and
stores the correction, audits it, recalculates the accounts of the meter's premises for the
open month and answers with their new lines. Each change is one round; the figure is the
median latency with its spread and the 99th percentile.

Side by side in the group: the recalculation alone (``recalculate_account`` in this process:
no HTTP, key, reading write or audit), the figure the README gave for "online" before.

The town: the kept town of 5,000 accounts (``towns`` fixture) billed for 2026-10; API keys
from ``zhkh keys create``. Before timing, warm-up changes are checked to the litre: the new
cold-water volume is the corrected reading minus the previous month's, and the account card
shows the lines the response carried. After timing every response is checked (201, lines, no
error) and the audit log must hold one ``reading.correct`` per change.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from zhkh.adapters.bootstrap import bootstrap
from zhkh.adapters.db import Database
from zhkh.adapters.settings import Settings
from zhkh.modules.billing.account_calc import recalculate_account
from zhkh.modules.billing.run import run_period
from zhkh.rules import RULES_DIR

ACCOUNTS = 5000
CHANGES = int(os.environ.get("ZHKH_BENCH_CHANGES", "300"))
WARMUP = 10
DELTA = Decimal("0.5")
ZHKH = str(Path(sys.executable).with_name("zhkh"))


@pytest.fixture(scope="module")
def calculator():
    return bootstrap(Settings(rules_dir=RULES_DIR)).batch_calculator


@pytest.fixture
def billed_town(towns, calculator) -> Iterator[str]:
    """A fresh copy of the town with its open month billed."""
    url = towns.sqlite(ACCOUNTS)
    db = Database.from_url(url)
    report = run_period(db.session, calculator, str(towns.period))
    db.dispose()
    assert report.errors == []
    return url


def zhkh(*args: str, url: str) -> str:
    """Run the ``zhkh`` command on the database ``url``; its output."""
    done = subprocess.run([ZHKH, *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "ZHKH_DATABASE_URL": url})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def api_key(url: str, role: str) -> str:
    return zhkh("keys", "create", "--role", role, "--name", f"bench-{role}",
                url=url).strip().splitlines()[-1]


@pytest.fixture
def server(billed_town: str, tmp_path: Path) -> Iterator[str]:
    """``zhkh serve`` on a free loopback port over the billed town; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([ZHKH, "serve", "--port", str(port)], stdout=log, stderr=log,
                               env={**os.environ, "ZHKH_DATABASE_URL": billed_town})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "zhkh serve exited; see serve.log"
        try:
            httpx.get(f"{base}/v1/rules", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("zhkh serve did not answer within 60 s")


@dataclass(frozen=True)
class Change:
    """A correction of one reading: where to post it, the body, and the reading before."""

    path: str
    body: dict
    previous: Decimal | None


def plan_changes(client: httpx.Client, period: str, count: int, seed: int = 2) -> list[Change]:
    """Corrections of the ``period`` readings of ``count`` cold-water meters, chosen at random
    among those that have one: the value raised by ``DELTA``, as an operator fixing a typo."""
    meters = []
    while True:
        page = client.get("/v1/meters", params={"service": "cold_water", "kind": "individual",
                                                "limit": 500, "offset": len(meters)}).json()
        meters += [m["id"] for m in page["items"]]
        if len(meters) >= page["total"]:
            break
    random.Random(seed).shuffle(meters)
    first, last = f"{period}-01", f"{period}-31"
    changes = []
    for meter in meters:
        path = f"/v1/meters/{meter}/readings"
        readings = sorted(client.get(path).json()["items"], key=lambda r: r["taken_on"])
        now = [r for r in readings if first <= r["taken_on"] <= last]
        before = [r for r in readings if r["taken_on"] < first]
        if not now:
            continue
        reading = now[-1]
        body = {"taken_on": reading["taken_on"], "zone": reading["zone"], "source": "operator",
                "value": str(Decimal(reading["value"]) + DELTA), "supersedes_id": reading["id"],
                "reason": "опечатка оператора"}
        changes.append(Change(path, body, Decimal(before[-1]["value"]) if before else None))
        if len(changes) == count:
            return changes
    raise AssertionError(f"only {len(changes)} meters have a reading in {period}")


def check_change(client: httpx.Client, change: Change, response: httpx.Response) -> None:
    """The correction is stored, its accounts recalculated without error, the ledger holds the
    lines the response carried, and the cold-water volume follows the corrected reading."""
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["supersedes_id"] == change.body["supersedes_id"]
    recalculated = answer["recalculation"]
    assert recalculated and all(r["error"] is None and r["lines"] for r in recalculated)
    if change.previous is None:
        return
    want = Decimal(change.body["value"]) - change.previous
    for account in recalculated:
        cold = [ln for ln in account["lines"] if ln["service"] == "cold_water"]
        assert [Decimal(ln["volume"]) for ln in cold if ln["method"] == "meter"] == [want]
        card = client.get(f"/v1/accounts/{account['account']}",
                          params={"period_from": account["period"],
                                  "period_to": account["period"]}).json()
        booked = sorted(ln["amount"] for p in card["periods"] for ln in p["lines"])
        assert booked == sorted(ln["amount"] for ln in account["lines"])


@pytest.mark.benchmark(group="online")
def test_reading_correction_through_the_api(benchmark, figures, rounds, towns, billed_town,
                                            server) -> None:
    operator, auditor = api_key(billed_town, "operator"), api_key(billed_town, "auditor")
    count = rounds(CHANGES)
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {operator}"},
                      timeout=30) as client:
        changes = plan_changes(client, str(towns.period), WARMUP + count)
        for change in changes[:WARMUP]:
            check_change(client, change, client.post(change.path, json=change.body))
        timed = iter(changes[WARMUP:])
        responses: list[tuple[Change, httpx.Response]] = []

        def next_change() -> tuple[tuple[Change], dict]:
            return (next(timed),), {}

        def send(change: Change) -> None:
            responses.append((change, client.post(change.path, json=change.body)))

        benchmark.pedantic(send, setup=next_change, rounds=count)
        for _change, response in responses:
            assert response.status_code == 201, response.text
            assert all(r["error"] is None and r["lines"] for r in response.json()["recalculation"])
        audit = client.get("/v1/audit", params={"action": "reading.correct", "limit": 1},
                           headers={"Authorization": f"Bearer {auditor}"}).json()
    assert audit["total"] == WARMUP + count
    figures.duration(scale=1000, unit="ms", p99=True)


@pytest.mark.benchmark(group="online")
def test_recalculation_alone(benchmark, figures, rounds, towns, billed_town,
                             calculator) -> None:
    db = Database.from_url(billed_town)
    period = str(towns.period)
    with db.reader() as session:
        numbers = list(session.scalars(text("SELECT number FROM accounts")))
    rng = random.Random(2)
    count = rounds(CHANGES)
    sample = iter([rng.choice(numbers) for _ in range(count)])

    def recalculate(number: str) -> list[dict]:
        with db.session() as session:
            return recalculate_account(session, number, period, calculator=calculator)

    try:
        assert recalculate(numbers[0]), "a recalculation must return the account's lines"
        lines = benchmark.pedantic(recalculate, setup=lambda: ((next(sample),), {}),
                                   rounds=count)
        assert lines
    finally:
        db.dispose()
    figures.duration(scale=1000, unit="ms", p99=True)

